"""Notifications and alerts API, mounted under /api/v1/."""

from rest_framework.routers import DefaultRouter

from civicportal.notifications.alert_api import AlertViewSet
from civicportal.notifications.api import NotificationViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("notifications", NotificationViewSet, basename="notification")
router.register("alerts", AlertViewSet, basename="alert")

urlpatterns = router.urls
