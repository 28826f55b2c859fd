from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from civicportal.notifications import alert_selectors, services
from civicportal.notifications.models import AlertDelivery, Notification


class ReceivedAlertSerializer(serializers.Serializer):
    identifier = serializers.CharField(source="alert.identifier")
    severity = serializers.CharField(source="alert.severity")
    status = serializers.CharField(source="alert.status")
    language = serializers.CharField()
    headline = serializers.CharField(source="text.headline")
    instruction = serializers.CharField(source="text.instruction")
    sent_at = serializers.DateTimeField()
    expires = serializers.DateTimeField(source="alert.expires")
    expired = serializers.BooleanField(source="alert.is_expired", help_text="Past its expiry: no longer in force.")
    read_at = serializers.DateTimeField(allow_null=True)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "urgent", "created_at", "read_at"]
        read_only_fields = fields


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The current user's inbox."""

    serializer_class = NotificationSerializer
    filterset_fields = ["urgent", "kind"]

    queryset = Notification.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.inbox_of(self.request.user)

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "UnreadCount",
            {
                "unread": serializers.IntegerField(),
                "current_alerts": serializers.IntegerField(),
                "unread_alerts": serializers.IntegerField(help_text="Alerts in force not read yet (the bell)."),
            },
        ),
    )
    @action(detail=False, methods=["get"])
    def unread_count(self, request, format=None):
        current_alerts = AlertDelivery.objects.filter(
            user=request.user,
            channel="in_app",
            status=AlertDelivery.Status.SENT,
            alert__status__in=["sending", "sent"],
            alert__expires__gt=timezone.now(),
        ).count()
        return Response(
            {
                "unread": Notification.objects.inbox_of(request.user).unread().count(),
                "current_alerts": current_alerts,
                "unread_alerts": alert_selectors.unread_alert_count(request.user),
            }
        )

    @extend_schema(request=None, responses=ReceivedAlertSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def alerts(self, request, format=None):
        """Emergency alerts delivered to my inbox, in the language they were sent in."""
        from civicportal.notifications.views import alerts_for

        return Response(ReceivedAlertSerializer(alerts_for(request.user), many=True).data)

    @extend_schema(request=None, responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}))
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None, format=None):
        self.get_object()
        return Response({"marked": services.mark_read(user=request.user, notification_id=int(pk))})

    @extend_schema(request=None, responses=inline_serializer("MarkedAllRead", {"marked": serializers.IntegerField()}))
    @action(detail=False, methods=["post"])
    def read_all(self, request, format=None):
        return Response({"marked": services.mark_read(user=request.user)})
