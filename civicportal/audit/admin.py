from auditlog import admin as auditlog_admin
from auditlog.models import LogEntry
from axes import admin as axes_admin
from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.models import LogEntry as AdminLogEntry

from civicportal.admin_mixins import AppendOnlyAdminMixin
from civicportal.audit.models import PersonalDataAccess
from civicportal.audit.services import record_personal_data_read


class PersonalDataReadAdminMixin:
    """For the admin of citizens' data: opening an object's change page is a logged read
    (one row per page view; the change list is not logged). ``personal_data_subject``
    names whose data the object holds."""

    def personal_data_subject(self, obj):
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = (getattr(response, "context_data", None) or {}).get("original")
        if request.method == "GET" and response.status_code == 200 and obj is not None:
            record_personal_data_read(
                actor=request.user,
                subject=self.personal_data_subject(obj),
                obj=obj,
                purpose=f"admin change page: {obj._meta.verbose_name}",
                request=request,
            )
        return response


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor", "subject", "object_type", "object_id", "purpose", "ip_address"]
    list_filter = ["object_type", "at", ("actor", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["actor", "subject"]
    search_fields = ["actor__username", "subject__username", "object_id", "purpose", "ip_address"]
    date_hierarchy = "at"
    raw_id_fields = ["actor", "subject"]


# The audit logs of the libraries the portal uses are evidence as well: their own admins
# let a superuser change or delete rows, so they are registered again, read-only.
def _register_read_only(model, base_admin):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, type(base_admin.__name__, (AppendOnlyAdminMixin, base_admin), {}))


_register_read_only(LogEntry, auditlog_admin.LogEntryAdmin)
_register_read_only(AccessLog, axes_admin.AccessLogAdmin)
_register_read_only(AccessFailureLog, axes_admin.AccessFailureLogAdmin)


@admin.register(AdminLogEntry)
class AdminLogEntryAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    """What administrators changed in admin (Django's own history)."""

    list_display = ["action_time", "user", "content_type", "object_repr", "action_flag"]
    list_filter = ["action_flag", "content_type"]
    search_fields = ["object_repr", "change_message", "user__username"]
    date_hierarchy = "action_time"
    list_select_related = ["user", "content_type"]
