from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicportal.admin_mixins import AppendOnlyAdminMixin
from civicportal.notifications import services
from civicportal.notifications.models import (
    AlertBroadcast,
    AlertChunk,
    AlertDelivery,
    AlertEvent,
    AlertText,
    Delivery,
    EmergencyAlert,
    Notification,
    SocialChannelAccount,
)


class DeliveryInline(AppendOnlyAdminMixin, admin.TabularInline):
    model = Delivery
    readonly_fields = ["channel", "status", "attempts", "last_error", "created_at", "sent_at", "next_attempt_at"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "to_display", "kind", "urgent", "in_inbox", "created_at", "read_at"]
    list_filter = ["kind", "urgent", "in_inbox", "created_at"]
    search_fields = ["title", "body", "recipient__username", "recipient__email"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]

    @admin.display(description=_("recipient"), ordering="recipient")
    def to_display(self, obj):
        return obj.to_display


@admin.register(Delivery)
class DeliveryAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["notification", "channel", "status", "attempts", "next_attempt_at", "created_at", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["notification__title", "notification__recipient__username", "last_error"]
    raw_id_fields = ["notification"]
    readonly_fields = ["created_at", "sent_at"]
    actions = ["retry_now"]

    @admin.action(description=_("Retry the selected failed deliveries now"))
    def retry_now(self, request, queryset):
        n = services.retry_deliveries(queryset=queryset)
        self.message_user(request, _("%(n)d deliveries queued again.") % {"n": n}, messages.SUCCESS)


@admin.register(SocialChannelAccount)
class SocialChannelAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "platform", "handle", "backend", "is_active", "relays_alerts"]
    list_filter = ["platform", "is_active", "relays_alerts"]
    search_fields = ["name", "handle"]


class AlertTextInline(admin.StackedInline):
    model = AlertText
    extra = 0


class AlertEventInline(AppendOnlyAdminMixin, admin.TabularInline):
    model = AlertEvent
    readonly_fields = ["at", "actor", "from_status", "to_status", "note"]


@admin.register(EmergencyAlert)
class EmergencyAlertAdmin(admin.ModelAdmin):
    list_display = ["identifier", "event", "msg_type", "severity", "status", "author", "approver", "approved_at"]
    list_filter = ["status", "msg_type", "severity", "category", "area_kind"]
    search_fields = ["identifier", "event", "texts__headline"]
    raw_id_fields = ["author", "approver", "references"]
    filter_horizontal = ["districts"]
    date_hierarchy = "created_at"
    inlines = [AlertTextInline, AlertEventInline]
    # Status moves only through the services (four eyes, fan-out): read-only here.
    readonly_fields = [
        "status",
        "approver",
        "approved_at",
        "sending_started_at",
        "sent_at",
        "cancelled_at",
        "targeted_count",
    ]


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["alert", "user", "channel", "status", "attempts", "language", "sent_at"]
    list_filter = ["status", "channel", "language"]
    search_fields = ["alert__identifier", "user__username", "last_error"]
    raw_id_fields = ["alert", "user"]
    list_select_related = ["alert", "user"]
    actions = ["retry_now"]

    @admin.action(description=_("Retry the selected failed alert deliveries now"))
    def retry_now(self, request, queryset):
        rows = queryset.filter(status=AlertDelivery.Status.FAILED)
        chunk_ids = set()
        for alert_id, user_id in rows.values_list("alert_id", "user_id"):
            chunk = AlertChunk.objects.filter(
                alert_id=alert_id, first_user_id__lte=user_id, last_user_id__gte=user_id
            ).first()
            if chunk:
                chunk_ids.add(chunk.pk)
        n = rows.update(status=AlertDelivery.Status.QUEUED, next_attempt_at=None, attempts=0)
        # Due now: if the task below is lost, the sweep finds the chunk.
        AlertChunk.objects.filter(pk__in=chunk_ids).update(retry_at=timezone.now())
        from django.db import transaction

        from civicportal.notifications.tasks_alerts import retry_alert_chunk

        for chunk_id in chunk_ids:
            transaction.on_commit(lambda chunk_id=chunk_id: retry_alert_chunk.delay(chunk_id))
        self.message_user(request, _("%(n)d alert deliveries retried.") % {"n": n}, messages.SUCCESS)


@admin.register(AlertBroadcast)
class AlertBroadcastAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["alert", "account", "status", "attempts", "sent_at"]
    list_filter = ["status", "account"]
    search_fields = ["alert__identifier", "last_error"]
    raw_id_fields = ["alert"]


@admin.register(AlertChunk)
class AlertChunkAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["alert", "first_user_id", "last_user_id", "queued_at", "started_at", "done_at"]
    list_filter = ["done_at"]
    search_fields = ["alert__identifier"]
    raw_id_fields = ["alert"]


@admin.register(AlertEvent)
class AlertEventAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["alert", "at", "actor", "from_status", "to_status"]
    list_filter = ["to_status"]
    search_fields = ["alert__identifier", "note"]
    raw_id_fields = ["alert", "actor"]
