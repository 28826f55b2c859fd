"""The site's URLs plus one API view that fails, to see the 500 a client gets."""

from django.urls import path

from civicportal.urls import handler400, handler403, handler404, handler500
from civicportal.urls import urlpatterns as site_urls


def failing_view(request):
    raise RuntimeError("a defect")


urlpatterns = [path("api/v1/failing/", failing_view), *site_urls]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
