"""Every socket of the portal, under ``/ws/``."""

from django.urls import path

from civicportal.realtime.consumers import EchoConsumer

websocket_urlpatterns = [
    path("ws/echo/", EchoConsumer.as_asgi()),
]
