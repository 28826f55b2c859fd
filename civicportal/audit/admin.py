from django.contrib import admin

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
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "subject", "object_type", "object_id", "purpose", "ip_address"]
    list_filter = ["object_type", "at", ("actor", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["actor", "subject"]
    search_fields = ["actor__username", "subject__username", "object_id", "purpose", "ip_address"]
    date_hierarchy = "at"
    raw_id_fields = ["actor", "subject"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
