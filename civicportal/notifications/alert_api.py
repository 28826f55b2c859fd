"""REST API of emergency alerts under /api/v1/alerts/: public reading, officer actions."""

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from civicportal import limits
from civicportal.accounts.models import District
from civicportal.dbrouting import reads_may_lag
from civicportal.notifications import alerts, cap, fanout
from civicportal.notifications.alert_forms import CHANNEL_CHOICES
from civicportal.notifications.models import (
    AlertText,
    AreaKind,
    Category,
    Certainty,
    EmergencyAlert,
    MsgType,
    Severity,
    Urgency,
)


class AlertTextSerializer(serializers.ModelSerializer):
    language = serializers.CharField(read_only=True, help_text="ko, en, zh, ja, vi or mn")

    class Meta:
        model = AlertText
        fields = ["language", "headline", "event", "description", "instruction"]


class AlertSerializer(serializers.ModelSerializer):
    """An alert as the public sees it (no author or approver names)."""

    texts = AlertTextSerializer(many=True, read_only=True)
    references = serializers.SlugRelatedField(slug_field="identifier", read_only=True)
    districts = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    area_description = serializers.SerializerMethodField()
    cap_url = serializers.SerializerMethodField()

    class Meta:
        model = EmergencyAlert
        fields = [
            "identifier",
            "msg_type",
            "references",
            "event",
            "category",
            "severity",
            "urgency",
            "certainty",
            "area_kind",
            "area_description",
            "districts",
            "circle_lat",
            "circle_lon",
            "radius_km",
            "onset",
            "expires",
            "status",
            "approved_at",
            "texts",
            "cap_url",
        ]
        read_only_fields = fields

    def get_area_description(self, alert) -> str:
        return cap.area_description(alert, "ko")

    def get_cap_url(self, alert) -> str:
        return f"/alerts/{alert.identifier}.xml"


class OfficerAlertSerializer(AlertSerializer):
    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "channels", "targeted_count", "author", "approver", "created_at"]
        read_only_fields = fields


class AlertInput(serializers.Serializer):
    msg_type = serializers.ChoiceField(choices=MsgType.choices, default=MsgType.ALERT)
    references = serializers.CharField(required=False, allow_blank=True, help_text="identifier of the original")
    event = serializers.CharField(max_length=limits.ALERT_EVENT)
    category = serializers.ChoiceField(choices=Category.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    certainty = serializers.ChoiceField(choices=Certainty.choices)
    area_kind = serializers.ChoiceField(choices=AreaKind.choices, required=False, allow_blank=True, default="")
    districts = serializers.ListField(child=serializers.CharField(max_length=5), required=False, default=list)
    circle_lat = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    circle_lon = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    radius_km = serializers.DecimalField(max_digits=7, decimal_places=3, required=False, allow_null=True)
    channels = serializers.ListField(child=serializers.ChoiceField(choices=CHANNEL_CHOICES), min_length=1)
    onset = serializers.DateTimeField()
    expires = serializers.DateTimeField()
    # Any language code is accepted here so that the service can refuse one that is not offered.
    texts = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True)),
        help_text="{language: {headline, description, instruction, event}}; Korean required. `event` names the "
        "event in that language (empty: the event vocabulary's name, see docs/notifications.md).",
    )
    submit = serializers.BooleanField(default=False)
    immediately = serializers.BooleanField(default=False)


class SubmitInput(serializers.Serializer):
    immediately = serializers.BooleanField(default=False)


ProgressSerializer = inline_serializer(
    "AlertProgress",
    {
        "targeted": serializers.IntegerField(),
        "percent": serializers.IntegerField(),
        "elapsed": serializers.FloatField(),
        "chunks": serializers.IntegerField(),
        "chunks_done": serializers.IntegerField(),
        "finished": serializers.BooleanField(),
        "channels": serializers.ListField(child=serializers.DictField()),
    },
)


@reads_may_lag
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Published emergency alerts (public); authors and approvers act on them."""

    serializer_class = AlertSerializer
    lookup_field = "identifier"
    # Identifiers are "KR-SEOUL-...": the pattern keeps /alerts/current/ from also being
    # read as the alert whose identifier is "current".
    lookup_value_regex = "KR-[A-Za-z0-9._-]+"
    filterset_fields = ["severity", "category", "msg_type", "status"]
    queryset = EmergencyAlert.objects.none()

    def get_permissions(self):
        if self.action in ("list", "retrieve", "current"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        return (
            EmergencyAlert.objects.published()
            .select_related("references")
            .prefetch_related("texts", "districts")
            .order_by("-approved_at", "-id")
        )

    @extend_schema(responses=AlertSerializer(many=True))
    @action(detail=False, methods=["get"])
    def current(self, request, format=None):
        """Alerts in force now."""
        page = self.paginate_queryset(self.get_queryset().current(timezone.now()))
        return self.get_paginated_response(AlertSerializer(page, many=True).data)

    @extend_schema(request=AlertInput, responses={201: OfficerAlertSerializer})
    def create(self, request):
        data = AlertInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        references = None
        if v.get("references"):
            references = alerts.get_alert_for_officer(request.user, identifier=v["references"])
        with transaction.atomic():
            alert = alerts.alert_create(
                author=request.user,
                event=v["event"],
                category=v["category"],
                severity=v["severity"],
                urgency=v["urgency"],
                certainty=v["certainty"],
                texts=v["texts"],
                area_kind=v["area_kind"],
                districts=list(District.objects.filter(code__in=v["districts"])),
                circle_lat=v.get("circle_lat"),
                circle_lon=v.get("circle_lon"),
                radius_km=v.get("radius_km"),
                channels=v["channels"],
                onset=v["onset"],
                expires=v["expires"],
                msg_type=v["msg_type"],
                references=references,
            )
            if v["districts"] and alert.districts.count() != len(set(v["districts"])):
                from civicportal.errors import DomainError

                raise DomainError("Unknown district code.", field="districts")
            if v["submit"]:
                alert = alerts.alert_submit(alert=alert, by=request.user, immediately=v["immediately"])
        return Response(OfficerAlertSerializer(alert).data, status=201)

    def _officer_alert(self, request, identifier):
        return alerts.get_alert_for_officer(request.user, identifier=identifier)

    @extend_schema(request=SubmitInput, responses=OfficerAlertSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, identifier=None, format=None):
        data = SubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        alert = alerts.alert_submit(
            alert=self._officer_alert(request, identifier),
            by=request.user,
            immediately=data.validated_data["immediately"],
        )
        return Response(OfficerAlertSerializer(alert).data)

    @extend_schema(request=None, responses=OfficerAlertSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, identifier=None, format=None):
        alert = alerts.alert_approve(alert=self._officer_alert(request, identifier), by=request.user)
        return Response(OfficerAlertSerializer(alert).data)

    @extend_schema(request=None, responses=OfficerAlertSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, identifier=None, format=None):
        alert = alerts.alert_cancel(alert=self._officer_alert(request, identifier), by=request.user)
        return Response(OfficerAlertSerializer(alert).data)

    @extend_schema(request=None, responses=ProgressSerializer)
    @action(detail=True, methods=["get"])
    def progress(self, request, identifier=None, format=None):
        return Response(fanout.progress(self._officer_alert(request, identifier)))
