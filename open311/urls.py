from django.urls import path, register_converter

from open311 import views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "fmt")

app_name = "open311"
urlpatterns = [
    path("discovery.<fmt:fmt>", views.discovery, name="discovery"),
    path("services.<fmt:fmt>", views.services_list, name="services"),
    path("services/<slug:code>.<fmt:fmt>", views.service_definition, name="service_definition"),
    path("requests.<fmt:fmt>", views.requests_view, name="requests"),
    path("requests/<str:service_request_id>.<fmt:fmt>", views.request_detail, name="request_detail"),
    path("tokens/<str:token>.<fmt:fmt>", views.token_detail, name="token_detail"),
]
