from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from open311 import services
from open311.models import Application, ServiceAttribute, ServiceRequest


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_email", "key_prefix", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "contact_email", "key_prefix"]
    readonly_fields = ["key_prefix", "created_at", "last_used_at"]
    actions = ["rotate_keys"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        app, raw = services.application_create(name=obj.name, contact_email=obj.contact_email)
        obj.pk = app.pk
        obj.__dict__.update(app.__dict__)
        messages.warning(
            request, _("API key for %(name)s (shown once, store it now): %(key)s") % {"name": app.name, "key": raw}
        )

    @admin.action(description=_("Issue a new API key (the old one stops working)"))
    def rotate_keys(self, request, queryset):
        for app in queryset:
            raw = services.application_rotate_key(application=app)
            messages.warning(
                request, _("New API key for %(name)s (shown once): %(key)s") % {"name": app.name, "key": raw}
            )


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ["category", "code", "description", "datatype", "required", "order"]
    list_filter = ["datatype", "required", "category"]
    search_fields = ["code", "description", "category__code"]


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = ["case", "application", "token", "created_at"]
    list_filter = ["application"]
    search_fields = ["case__tracking_number", "token", "device_id", "account_id"]
    raw_id_fields = ["case"]
    readonly_fields = ["created_at"]
