"""Everything under /api/v1/. Each program owns its own api_urls module."""

from django.urls import include, path

from civicportal.accounts.api import MeView, TokenView

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("complaints/", include("complaints.api_urls")),
    path("polls/", include("polls.api_urls")),
    path("proposals/", include("proposals.api_urls")),
    path("callcenter/chat/", include("callcenter.chat.api_urls")),
    path("callcenter/", include("callcenter.api_urls")),
    # Last: an empty prefix is tried pattern by pattern for every request that reaches it.
    path("", include("civicportal.notifications.api_urls")),
]
