from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from opendata import services
from opendata.models import Dataset


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["slug", "refreshed_at", "row_count", "coarsened_count", "withheld_count"]
    readonly_fields = ["slug", "refreshed_at", "row_count", "coarsened_count", "withheld_count"]
    actions = ["refresh_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Refresh the selected datasets now"))
    def refresh_now(self, request, queryset):
        for dataset in queryset:
            services.dataset_refresh(slug=dataset.slug)
        self.message_user(request, _("Datasets refreshed."), messages.SUCCESS)
