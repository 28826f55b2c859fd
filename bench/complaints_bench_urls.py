"""The portal's URLs plus /bench/hello/, the trivial Django JSON baseline of the filing benchmark."""

from django.http import JsonResponse
from django.urls import include, path


def hello(request):
    return JsonResponse({"hello": "world"})


urlpatterns = [path("bench/hello/", hello), path("", include("civicportal.urls"))]
