"""Every socket of the portal, under ``/ws/``."""

from django.urls import path

from callcenter.chat.consumers import ConversationConsumer, QueueConsumer
from civicportal.realtime.consumers import EchoConsumer

websocket_urlpatterns = [
    path("ws/echo/", EchoConsumer.as_asgi()),
    path("ws/callcenter/chat/<uuid:conversation_id>/", ConversationConsumer.as_asgi()),
    path("ws/callcenter/queue/", QueueConsumer.as_asgi()),
]
