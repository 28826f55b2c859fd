"""Every socket of the portal, under ``/ws/``."""

from django.urls import path

from civicportal.realtime.consumers import EchoConsumer
from civicportal.realtime.live import LiveConsumer

websocket_urlpatterns = [
    path("ws/echo/", EchoConsumer.as_asgi()),
    path("ws/live/", LiveConsumer.as_asgi()),
]
