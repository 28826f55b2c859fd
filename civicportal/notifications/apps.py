from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "civicportal.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from civicportal.notifications import checks  # noqa: F401  (registers the system checks)
