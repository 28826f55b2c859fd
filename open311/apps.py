from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "open311"
    verbose_name = _("Open311 GeoReport v2")

    def ready(self):
        from civicportal import outages
        from open311.responses import error_response

        def outage_response(request, status, detail):
            return error_response("xml" if request.path.endswith(".xml") else "json", status, detail)

        outages.register_door("/open311/", outage_response)
