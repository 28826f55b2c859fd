from django.contrib import admin

from civicportal.notifications.models import Delivery, Notification


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ["channel", "status", "attempts", "last_error", "created_at", "sent_at"]
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "urgent", "in_inbox", "created_at", "read_at"]
    list_filter = ["kind", "urgent", "in_inbox", "created_at"]
    search_fields = ["title", "body", "recipient__username", "recipient__email"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["notification", "channel", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["channel", "status"]
    search_fields = ["notification__title", "notification__recipient__username", "last_error"]
    raw_id_fields = ["notification"]
    readonly_fields = ["created_at", "sent_at"]
