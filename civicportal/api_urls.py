"""Everything under /api/v1/. Each program adds its router here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from civicportal.accounts.api import MeView, TokenView
from civicportal.notifications.api import NotificationViewSet

router = DefaultRouter()
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("", include(router.urls)),
]
