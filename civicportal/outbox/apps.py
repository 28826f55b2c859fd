from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "civicportal.outbox"
    label = "outbox"
    verbose_name = _("Queued work")

    def ready(self):
        from civicportal.outbox import signals  # noqa: F401 - connects the task signals
