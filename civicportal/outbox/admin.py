from django.contrib import admin

from civicportal.outbox.models import QueuedTask


@admin.register(QueuedTask)
class QueuedTaskAdmin(admin.ModelAdmin):
    """Read-only: what is waiting to be done again, for operators."""

    list_display = ["name", "args", "created_at", "attempts", "next_try_at"]
    list_filter = ["name"]
    readonly_fields = ["name", "args", "created_at", "attempts", "next_try_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
