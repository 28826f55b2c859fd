"""REST API of 120 Dasan: contacts, knowledge base, statistics. Thin: parse, call a service, answer."""

import datetime as dt

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound as DRFNotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import selectors, services
from callcenter.models import ArticleSuggestion, Contact, ContactEvent, KnowledgeArticle, Topic
from callcenter.search import search_articles
from civicportal import limits
from civicportal.accounts.models import Department
from civicportal.api import Pagination, absolute_url
from civicportal.errors import NotAllowed


class ContactSerializer(serializers.ModelSerializer):
    language = serializers.CharField(read_only=True, help_text="ko, en, zh, ja, vi or mn")
    caller_phone_masked = serializers.CharField(read_only=True)
    topic_path = serializers.CharField(source="topic.path", read_only=True, default="")
    images = serializers.SerializerMethodField()
    # Empty until the contact is closed: the schema must allow "" beside the outcomes.
    outcome = serializers.ChoiceField(choices=[("", "")] + list(Contact.Outcome.choices), read_only=True)
    case_access_code = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = [
            "id",
            "channel",
            "language",
            "caller",
            "caller_phone_masked",
            "counsellor",
            "topic",
            "topic_path",
            "question",
            "answer",
            "message_text",
            "started_at",
            "ended_at",
            "duration_seconds",
            "outcome",
            "transferred_to",
            "case_tracking_number",
            "case_id",
            "sms_consent",
            "callback_due_at",
            "callback_claimed_by",
            "callback_done_at",
            "survey_sent_at",
            "satisfaction",
            "satisfaction_comment",
            "status",
            "images",
            "case_access_code",
        ]
        read_only_fields = fields

    def get_case_access_code(self, contact) -> str | None:
        """Only in the answer to "turn into a case", for the counsellor to read out."""
        return getattr(contact, "case_access_code", None)

    def get_images(self, contact) -> list[str]:
        return [absolute_url(self, image.image_url) for image in contact.images.all()]


class ContactLogSerializer(serializers.Serializer):
    # Validation of these values is the service's job (one message for every door).
    channel = serializers.CharField(required=False, allow_blank=True, default="")
    language = serializers.CharField(required=False, default=Contact.Language.KOREAN)
    caller_phone = serializers.CharField(required=False, allow_blank=True, default="")
    topic = serializers.PrimaryKeyRelatedField(queryset=Topic.objects.all(), required=False, allow_null=True)
    question = serializers.CharField(required=False, allow_blank=True, default="")
    answer = serializers.CharField(required=False, allow_blank=True, default="")
    message_text = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    images = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    started_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    ended_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    outcome = serializers.CharField(required=False, allow_blank=True, default="")
    transferred_to = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    callback_due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    sms_consent = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="The caller's answer to being texted; null: not asked."
    )


class CloseSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    ended_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    answer = serializers.CharField(required=False, allow_null=True, default=None)
    transferred_to = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    callback_due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class CorrectionSerializer(serializers.Serializer):
    note = serializers.CharField()
    corrections = serializers.DictField(required=False, default=dict)


class CaseSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=limits.TITLE)
    text = serializers.CharField(required=False, allow_blank=True, default="")
    kind = serializers.CharField(required=False, default="complaint")
    location_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=limits.PLACE)
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None)
    lon = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None)
    text_is_public = serializers.BooleanField(
        required=False, default=False, help_text="The caller agreed to publish the case's title and text."
    )
    sms_consent = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="The caller's answer to being texted; null: not asked."
    )


class WebMessageSerializer(serializers.Serializer):
    message_text = serializers.CharField(allow_blank=True, trim_whitespace=False)
    language = serializers.CharField(required=False, default=Contact.Language.KOREAN)
    topic = serializers.PrimaryKeyRelatedField(queryset=Topic.objects.all(), required=False, allow_null=True)


# message_text: the service refuses it with its own code (text_too_long), as SMS gateways count.
TEXTS = ("question", "answer")
for _serializer, _model, _fields in (
    (ContactLogSerializer, Contact, TEXTS),
    (CloseSerializer, Contact, TEXTS),
    (CorrectionSerializer, ContactEvent, ("note",)),
    (WebMessageSerializer, Contact, TEXTS),
):
    limits.bind_serializer(_serializer, _model, _fields)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()


class SurveyAnswerSerializer(serializers.Serializer):
    satisfaction = serializers.IntegerField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ArticleSerializer(serializers.ModelSerializer):
    review_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = KnowledgeArticle
        fields = [
            "id",
            "question",
            "answer",
            "keywords",
            "department",
            "topic",
            "review_date",
            "published",
            "review_overdue",
            "updated_at",
        ]
        read_only_fields = ["id", "review_overdue", "updated_at"]


class SuggestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ArticleSuggestion
        fields = [
            "id",
            "article",
            "suggested_by",
            "question",
            "answer",
            "keywords",
            "reason",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
        ]
        read_only_fields = fields


class SuggestInputSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=300)
    answer = serializers.CharField()
    keywords = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def _contacts_for(user):
    queryset = Contact.objects.select_related("topic").prefetch_related("images")
    if user.has_perm("callcenter.list_contacts"):
        return queryset
    return queryset.filter(caller=user)


class ContactListCreate(generics.ListCreateAPIView):
    """Counsellors, monitors: every contact; citizens: their own. POST logs a contact (counsellors)."""

    pagination_class = Pagination
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = ["channel", "language", "status", "outcome", "counsellor", "topic"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contact.objects.none()
        return _contacts_for(self.request.user)

    def get_serializer_class(self):
        return ContactLogSerializer if self.request.method == "POST" else ContactSerializer

    @extend_schema(request=ContactLogSerializer, responses={201: ContactSerializer})
    def post(self, request, *args, **kwargs):
        data = request.data
        if hasattr(data, "getlist"):  # multipart: several "images" parts
            data = data.copy()
            images = request.FILES.getlist("images")
            data = {k: data.get(k) for k in data if k != "images"} | {"images": images}
        serializer = ContactLogSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        contact = services.contact_log(counsellor=request.user, **serializer.validated_data)
        return Response(ContactSerializer(contact, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ContactDetail(generics.RetrieveAPIView):
    serializer_class = ContactSerializer
    queryset = Contact.objects.none()

    def get_object(self):
        contact = services.get_contact_for_user(self.request.user, self.kwargs["pk"])
        selectors.contact_reads_record(
            contacts=[contact], by=self.request.user, what="caller and masked phone (API)", request=self.request
        )
        return contact


class ContactAction(APIView):
    """Base for the state-changing verbs on one contact."""

    input_serializer = None

    def act(self, contact, data):  # pragma: no cover - overridden
        raise NotImplementedError

    def post(self, request, pk):
        contact = services.get_contact_for_user(request.user, pk)
        data = {}
        if self.input_serializer is not None:
            serializer = self.input_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        result = self.act(contact, data)
        if isinstance(result, Contact):
            code = getattr(result, "case_access_code", None)  # only just after "turn into a case"
            result = Contact.objects.prefetch_related("images").get(pk=result.pk)
            result.case_access_code = code
        return Response(ContactSerializer(result, context={"request": request}).data)


def _action(serializer, call, summary):
    @extend_schema(request=serializer, responses={200: ContactSerializer}, summary=summary)
    def post(self, request, pk):
        return ContactAction.post(self, request, pk)

    return type(
        f"Contact{summary.title().replace(' ', '')}",
        (ContactAction,),
        {
            "input_serializer": serializer,
            "act": lambda self, contact, data: call(self.request, contact, data),
            "post": post,
        },
    )


ContactClose = _action(CloseSerializer, lambda r, c, d: services.contact_close(contact=c, by=r.user, **d), "close")
ContactCorrect = _action(
    CorrectionSerializer,
    lambda r, c, d: (
        services.contact_correct(contact=c, by=r.user, note=d["note"], corrections=d["corrections"])
        and Contact.objects.get(pk=c.pk)
    ),
    "correct",
)
ContactCase = _action(
    CaseSerializer, lambda r, c, d: services.contact_turn_into_case(contact=c, by=r.user, **d), "turn into case"
)
ContactAnswer = _action(
    AnswerSerializer, lambda r, c, d: services.web_message_answer(contact=c, by=r.user, answer=d["answer"]), "answer"
)
CallbackClaim = _action(None, lambda r, c, d: services.callback_claim(contact=c, by=r.user), "claim callback")
CallbackComplete = _action(
    NoteSerializer,
    lambda r, c, d: services.callback_complete(contact=c, by=r.user, note=d["note"]),
    "complete callback",
)
SurveySend = _action(None, lambda r, c, d: services.survey_send(contact=c, by=r.user), "send survey")
SurveyAnswer = _action(
    SurveyAnswerSerializer,
    lambda r, c, d: services.survey_answer(contact=c, citizen=r.user, score=d["satisfaction"], comment=d["comment"]),
    "answer survey",
)


class WebMessageCreate(APIView):
    """A citizen writes to 120; the message becomes an open contact."""

    @extend_schema(request=WebMessageSerializer, responses={201: ContactSerializer})
    def post(self, request):
        serializer = WebMessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        contact = services.web_message_submit(
            citizen=request.user, text=d["message_text"], language=d["language"], topic=d.get("topic")
        )
        return Response(ContactSerializer(contact, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ArticleList(generics.ListAPIView):
    """Knowledge-base search (``q``), for counsellors."""

    serializer_class = ArticleSerializer
    pagination_class = None

    @extend_schema(parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="search text (Korean ok)")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return KnowledgeArticle.objects.none()
        if not self.request.user.has_perm("callcenter.view_knowledge_base"):
            raise NotAllowed("Only counsellors use the knowledge base.")
        return search_articles(self.request.query_params.get("q", ""), limit=50)


class ArticleDetail(generics.RetrieveAPIView):
    serializer_class = ArticleSerializer

    def get_queryset(self):
        if not self.request.user.has_perm("callcenter.view_knowledge_base"):
            raise NotAllowed("Only counsellors use the knowledge base.")
        return KnowledgeArticle.objects.all()


class ArticleSuggest(APIView):
    @extend_schema(request=SuggestInputSerializer, responses={201: SuggestionSerializer})
    def post(self, request, pk):
        if not request.user.has_perm("callcenter.view_knowledge_base"):
            raise NotAllowed("Only counsellors suggest edits.")
        article = KnowledgeArticle.objects.filter(pk=pk).first()
        if article is None:
            raise DRFNotFound()
        serializer = SuggestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        suggestion = services.article_suggest(article=article, by=request.user, **serializer.validated_data)
        return Response(SuggestionSerializer(suggestion).data, status=status.HTTP_201_CREATED)


class SuggestionDecide(APIView):
    approve = True

    @extend_schema(request=NoteSerializer, responses={200: SuggestionSerializer})
    def post(self, request, pk):
        if not request.user.has_perm("callcenter.manage_knowledge_base"):
            raise NotAllowed("Only lead counsellors decide suggestions.")
        suggestion = ArticleSuggestion.objects.filter(pk=pk).first()
        if suggestion is None:
            raise DRFNotFound()
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decided = services.suggestion_decide(
            suggestion=suggestion, by=request.user, approve=self.approve, note=serializer.validated_data["note"]
        )
        return Response(SuggestionSerializer(decided).data)


class SuggestionReject(SuggestionDecide):
    approve = False


class Bucket(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    contacts = serializers.IntegerField()


StatisticsSerializer = inline_serializer(
    "CallcenterStatistics",
    {
        "date_from": serializers.DateField(),
        "date_to": serializers.DateField(),
        "contacts": serializers.IntegerField(),
        "avg_handling_seconds": serializers.FloatField(allow_null=True),
        "answered_on_spot": serializers.IntegerField(),
        "answered_on_spot_share": serializers.FloatField(allow_null=True),
        "satisfaction_average": serializers.FloatField(allow_null=True),
        "satisfaction_count": serializers.IntegerField(),
        "foreign_language": serializers.IntegerField(),
        "sign_language": serializers.IntegerField(),
        **{f"by_{d}": Bucket(many=True) for d in ("day", "hour", "channel", "language", "topic", "outcome")},
    },
)


class StatisticsView(APIView):
    """The statistics of the Seoul days ``date_from``..``date_to`` (default: this month)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
        ],
        responses={200: StatisticsSerializer},
    )
    def get(self, request):
        if not request.user.has_perm("callcenter.view_statistics"):
            raise NotAllowed("Only counsellors, monitors and administrators see the statistics.")
        today = timezone.localdate()
        try:
            date_from = dt.date.fromisoformat(request.query_params.get("date_from") or today.replace(day=1).isoformat())
            date_to = dt.date.fromisoformat(request.query_params.get("date_to") or today.isoformat())
        except ValueError:
            raise serializers.ValidationError({"date_from": ["Use YYYY-MM-DD dates."]}) from None
        if date_to < date_from or (date_to - date_from).days > 366:
            raise serializers.ValidationError({"date_to": ["Choose a range of at most a year, in order."]})
        stats = selectors.statistics(date_from, date_to)
        return Response(stats)
