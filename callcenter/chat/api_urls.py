"""REST API of 120 live counselling, mounted under /api/v1/callcenter/chat/."""

from django.urls import path

from callcenter.chat import api

urlpatterns = [
    path("conversations/", api.ConversationStart.as_view(), name="callcenter-chat-api-start"),
    path("conversations/<uuid:pk>/messages/", api.ConversationMessages.as_view(), name="callcenter-chat-api-messages"),
    path("conversations/<uuid:pk>/images/", api.ConversationImage.as_view(), name="callcenter-chat-api-image"),
]
