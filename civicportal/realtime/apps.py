from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "civicportal.realtime"
    label = "realtime"
    verbose_name = _("Real-time layer")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("live")  # each program's topics of /ws/live/ (civicportal/realtime/live.py)
