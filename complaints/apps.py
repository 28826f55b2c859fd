from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Eung-Dap-So: complaints and proposals")

    def ready(self):
        # Cache invalidation only (not domain flow): routing rules, SLA policies and districts
        # are read from a per-process cache on every filing; an admin edit clears it here at once.
        from civicportal.accounts.models import District
        from complaints import routing
        from complaints.models import RoutingModel, RoutingRule, RoutingSettings, SlaPolicy

        for model in (RoutingRule, SlaPolicy, District, RoutingModel, RoutingSettings):
            post_save.connect(routing.clear_caches, sender=model, dispatch_uid=f"complaints-cache-{model.__name__}")
            post_delete.connect(routing.clear_caches, sender=model, dispatch_uid=f"complaints-cache-d-{model.__name__}")
