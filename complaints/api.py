"""REST API of Eung-Dap-So (/api/v1/complaints/). Thin: every verb calls a service."""

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from civicportal import limits
from civicportal.accounts import permissions
from civicportal.accounts.models import Department, District, User
from civicportal.api import PrebuiltFieldsMixin, absolute_url
from civicportal.dbrouting import reads_may_lag
from civicportal.errors import NotFound
from civicportal.throttling import CaseTrackThrottle
from complaints import filing, routing, selectors, services
from complaints.models import (
    STAFF_CHANNELS,
    Attachment,
    Case,
    CaseEvent,
    Category,
    Channel,
    FaqEntry,
    Kind,
    PublishedExample,
    Status,
)

# --- serializers ---------------------------------------------------------------------------


class EventSerializer(serializers.ModelSerializer):
    to_department = serializers.CharField(source="to_department.name", default=None, allow_null=True, read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["kind", "at", "from_status", "to_status", "to_department", "note"]


class CaseSerializer(PrebuiltFieldsMixin, serializers.ModelSerializer):
    department = serializers.CharField(source="department.name")
    officer = serializers.SerializerMethodField()
    district = serializers.CharField(source="district.code", default=None, allow_null=True, read_only=True)
    category = serializers.CharField(source="category.code", default=None, allow_null=True, read_only=True)
    sla = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "tracking_number",
            "kind",
            "category",
            "channel",
            "status",
            "title",
            "text",
            "department",
            "officer",
            "district",
            "dong",
            "location_text",
            "is_simple",
            "text_is_public",
            "filed_at",
            "due_at",
            "sla",
            "answer",
            "answered_at",
            "answer_round",
        ]

    def get_officer(self, case) -> str | None:
        return case.officer.get_full_name() if case.officer_id else None

    def get_sla(self, case) -> str | None:
        return case.sla_state()


class FiledCaseSerializer(CaseSerializer):
    """The answer to a filing: the case and its access code, to give to the citizen."""

    access_code = serializers.CharField(source="access_code_display", read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "access_code"]


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    url = serializers.SerializerMethodField(
        help_text="Absolute URL of the permission-checked view: fetch it with the same Authorization header."
    )

    class Meta:
        model = Attachment
        fields = ["name", "kind", "content_type", "size", "url"]
        read_only_fields = fields

    def get_url(self, attachment) -> str:
        return absolute_url(self, attachment.download_url)


class CaseDetailSerializer(CaseSerializer):
    events = serializers.SerializerMethodField()
    # A method field, not a nested serializer: the prebuilt fields are shared between instances.
    attachments = serializers.SerializerMethodField()
    access_code = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "attachments", "events", "access_code"]

    def get_access_code(self, case) -> str | None:
        """Only for the citizen who filed it (to share it, or to read it again)."""
        return case.access_code_display if self.context.get("own") else None

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, case) -> list[dict]:
        return AttachmentSerializer(case.attachments.all(), many=True, context=self.context).data

    @extend_schema(exclude=True)
    def get_events(self, case) -> list[dict]:
        events = case.events.select_related("to_department")
        if not self.context.get("internal"):
            events = events.filter(is_internal=False)
        return EventSerializer(events, many=True).data


class QueueCaseSerializer(CaseSerializer):
    reporter = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "reporter"]

    def get_reporter(self, case) -> str | None:
        if case.anonymous_reporter:
            return None  # whistle-blower protection: never shown to the officer
        return case.citizen.get_full_name() if case.citizen_id else None


class DistrictField(serializers.SlugRelatedField):
    """A district by its code, looked up in the filing service's per-process copy."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=District.objects.all(), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str | int) or isinstance(data, bool):
            self.fail("invalid")
        district = routing.district_by_code(str(data))
        if district is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data))
        return district


class FileCaseSerializer(PrebuiltFieldsMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField(max_length=limits.TITLE)
    # The documented default; the filing service refuses against CASE_TEXT_MAX_CHARS itself.
    text = serializers.CharField(max_length=settings.CASE_TEXT_MAX_CHARS)
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all(), required=False)
    district = DistrictField(required=False)
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    lon = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    location_text = serializers.CharField(max_length=limits.PLACE, required=False, allow_blank=True)
    anonymous_reporter = serializers.BooleanField(required=False, default=False)
    text_is_public = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "The citizen's choice to publish the title, text, handling department and rounded position. "
            "Default false: public reads then show kind, category, district, status and dates only. "
            "Refused for reports (corruption, public interest, human rights, welfare)."
        ),
    )
    attachments = serializers.ListField(child=serializers.FileField(), required=False)


class StaffFileCaseSerializer(FileCaseSerializer):
    channel = serializers.ChoiceField(choices=Channel.choices, help_text="120, visit, email or social")
    citizen = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    source_url = serializers.URLField(required=False, allow_blank=True, default="")

    def validate_channel(self, value):
        if value not in STAFF_CHANNELS:
            raise serializers.ValidationError("Staff file on the 120, visit, email or social channels.")
        return value


class RateSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=limits.COMMENT)


class TextSerializer(serializers.Serializer):
    text = serializers.CharField()


class TransferSerializer(serializers.Serializer):
    to_department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all())
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=limits.NOTE)


class AssignSerializer(serializers.Serializer):
    officer = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all())


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="actor.get_full_name", default=None, allow_null=True, read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["at", "author", "note"]


class ExampleSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code", default=None, allow_null=True, read_only=True)

    class Meta:
        model = PublishedExample
        fields = ["id", "title", "question", "answer", "category", "published_at"]


class FaqSerializer(serializers.ModelSerializer):
    class Meta:
        model = FaqEntry
        fields = ["id", "question", "answer"]


def _case(request, number, perm="complaints.view_case"):
    return selectors.get_case_for_user(request.user, number, perm)


# --- citizens ------------------------------------------------------------------------------


class CaseListCreate(generics.ListAPIView):
    """Your cases (GET) and filing a new one (POST)."""

    serializer_class = CaseSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        return selectors.cases_of_citizen(self.request.user).select_related("officer", "district", "category")

    @extend_schema(request=FileCaseSerializer, responses={201: FiledCaseSerializer})
    def post(self, request):
        data = FileCaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        attachments = request.FILES.getlist("attachments") if request.FILES else []
        fields.pop("attachments", None)
        channel = Channel.MOBILE
        case = filing.case_file(
            citizen=request.user, filed_by=request.user, channel=channel, attachments=attachments, **fields
        )
        return Response(FiledCaseSerializer(case).data, status=status.HTTP_201_CREATED)


class StaffFileCase(APIView):
    """Staff (officers, counsellors) file for a citizen: walk-in, email, social media, phone."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=StaffFileCaseSerializer, responses={201: FiledCaseSerializer})
    def post(self, request):
        permissions.require(request.user, "complaints.file_case_for_citizen")
        data = StaffFileCaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        fields.pop("attachments", None)
        attachments = request.FILES.getlist("attachments") if request.FILES else []
        case = filing.case_file(
            citizen=fields.pop("citizen", None), filed_by=request.user, attachments=attachments, **fields
        )
        return Response(FiledCaseSerializer(case).data, status=status.HTTP_201_CREATED)


class CaseDetail(APIView):
    serializer_class = CaseDetailSerializer

    @extend_schema(responses=CaseDetailSerializer)
    def get(self, request, number):
        case = _case(request, number)
        internal = permissions.can(request.user, "complaints.handle_case", case)
        selectors.case_reads_record(cases=[case], by=request.user, what="text and place (API)", request=request)
        own = case.citizen_id is not None and case.citizen_id == request.user.pk
        context = {"internal": internal, "own": own, "request": request}
        return Response(CaseDetailSerializer(case, context=context).data)


class RateView(APIView):
    @extend_schema(request=RateSerializer, responses={201: RateSerializer})
    def post(self, request, number):
        case = _case(request, number)
        data = RateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating = services.case_rate(case=case, by=request.user, **data.validated_data)
        return Response({"score": rating.score, "comment": rating.comment}, status=status.HTTP_201_CREATED)


class AdditionalAnswerView(APIView):
    @extend_schema(request=TextSerializer, responses=CaseSerializer)
    def post(self, request, number):
        case = _case(request, number)
        data = TextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_request_additional_answer(case=case, by=request.user, text=data.validated_data["text"])
        return Response(CaseSerializer(case).data)


# --- officers ------------------------------------------------------------------------------


class QueueView(generics.ListAPIView):
    """The officer's department queue, soonest deadline first."""

    serializer_class = QueueCaseSerializer
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=["open", "all", *Status.values]),
            OpenApiParameter("kind", str, enum=Kind.values),
            OpenApiParameter("channel", str, enum=Channel.values),
            OpenApiParameter("district", str),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("assigned", str, enum=["me", "none"]),
            OpenApiParameter("sort", str, enum=list(selectors.QUEUE_SORTS)),
        ]
    )
    def get(self, request, *args, **kwargs):
        permissions.require(request.user, "complaints.view_queue")
        return super().get(request, *args, **kwargs)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        # The rows name their reporters: one audit INSERT for the page, not one per row.
        selectors.case_reads_record(
            cases=page or [], by=self.request.user, what="reporter's name (queue API)", request=self.request
        )
        return page

    def get_queryset(self):
        get = self.request.query_params
        return selectors.queue_for(
            self.request.user,
            status=get.get("status", "open"),
            kind=get.get("kind", ""),
            channel=get.get("channel", ""),
            district=get.get("district", ""),
            overdue=get.get("overdue") in ("1", "true"),
            assigned=get.get("assigned", ""),
            sort=get.get("sort", "due"),
        ).select_related("citizen")


class AnswerView(APIView):
    @extend_schema(request=TextSerializer, responses=CaseSerializer)
    def post(self, request, number):
        case = _case(request, number)
        data = TextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(CaseSerializer(services.case_answer(case=case, by=request.user, **data.validated_data)).data)


class TransferView(APIView):
    @extend_schema(request=TransferSerializer, responses=CaseSerializer)
    def post(self, request, number):
        case = _case(request, number)
        data = TransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_transfer(case=case, by=request.user, **data.validated_data)
        return Response(CaseSerializer(case).data)


class AssignView(APIView):
    @extend_schema(request=AssignSerializer, responses=CaseSerializer)
    def post(self, request, number):
        case = _case(request, number)
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(CaseSerializer(services.case_assign(case=case, by=request.user, **data.validated_data)).data)


class ClaimView(APIView):
    @extend_schema(request=None, responses=CaseSerializer)
    def post(self, request, number):
        case = _case(request, number)
        return Response(CaseSerializer(services.case_claim(case=case, by=request.user)).data)


class NotesView(generics.ListAPIView):
    """Internal notes of a case (GET) and adding one (POST); officers of the department only."""

    serializer_class = NoteSerializer
    filter_backends: list = []
    pagination_class = None

    def _handled_case(self):
        case = _case(self.request, self.kwargs["number"])
        if not permissions.can(self.request.user, "complaints.handle_case", case):
            raise NotFound("No such case.")
        return case

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CaseEvent.objects.none()
        return self._handled_case().events.filter(kind=CaseEvent.Kind.NOTE).select_related("actor")

    @extend_schema(request=TextSerializer, responses={201: NoteSerializer})
    def post(self, request, number):
        case = _case(request, number)
        data = TextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.case_add_note(case=case, by=request.user, **data.validated_data)
        return Response(NoteSerializer(event).data, status=status.HTTP_201_CREATED)


# --- public ----------------------------------------------------------------------------------


@reads_may_lag
class ExampleList(generics.ListAPIView):
    """Published, anonymised examples; ``q`` searches Korean keywords."""

    permission_classes = [AllowAny]
    serializer_class = ExampleSerializer
    filter_backends: list = []

    @extend_schema(parameters=[OpenApiParameter("q", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.public_examples(self.request.query_params.get("q", "")).order_by("-published_at", "pk")


class TrackRequestSerializer(serializers.Serializer):
    tracking_number = serializers.CharField(max_length=12)
    access_code = serializers.CharField(max_length=20)


class TrackedCaseSerializer(serializers.Serializer):
    """What the holder of the tracking number and access code sees: nothing personal."""

    tracking_number = serializers.CharField()
    kind = serializers.CharField()
    category = serializers.CharField(source="category.code", default=None, allow_null=True)
    status = serializers.CharField()
    status_label = serializers.CharField()
    department = serializers.CharField(source="department.name")
    district = serializers.CharField(source="district.code", default=None, allow_null=True)
    title = serializers.CharField(allow_null=True, help_text="Only when the citizen chose to publish it.")
    filed_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    answer = serializers.CharField(allow_blank=True)


class TrackView(APIView):
    """Follow a case without an account (POST, so the code stays out of URLs and logs). A wrong
    access code gets the same 404 as a missing case; tries are throttled per address."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [CaseTrackThrottle]

    @extend_schema(request=TrackRequestSerializer, responses={200: TrackedCaseSerializer})
    def post(self, request):
        data = TrackRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = selectors.get_case_by_access_code(
            data.validated_data["tracking_number"], data.validated_data["access_code"]
        )
        response = Response(TrackedCaseSerializer(selectors.tracked_case_fields(case)).data)
        response["Cache-Control"] = "private, no-store"
        return response


@reads_may_lag
class FaqList(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = FaqSerializer
    filter_backends: list = []

    @extend_schema(parameters=[OpenApiParameter("q", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.faq_entries(self.request.query_params.get("q", "")).order_by("order", "pk")
