from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "civicportal.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self):
        from civicportal.audit import registry

        registry.register_kernel_models()
