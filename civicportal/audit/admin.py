from django.contrib import admin

from civicportal.audit.models import PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "subject", "object_type", "object_id", "purpose", "ip_address"]
    list_filter = ["object_type", "at"]
    search_fields = ["actor__username", "subject__username", "object_id", "purpose"]
    date_hierarchy = "at"
    raw_id_fields = ["actor", "subject"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
