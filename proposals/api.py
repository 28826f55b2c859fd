"""REST API of Oasis: thin serializers and views over ``proposals.services``.

Public reads opt out of authentication explicitly (AllowAny); they show no personal
data: the author is a masked username, never a name.
"""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from civicportal import limits
from civicportal.accounts.models import Department, District
from civicportal.api import Pagination, absolute_url
from civicportal.dbrouting import reads_may_lag
from civicportal.errors import DomainError
from proposals import selectors, services
from proposals.models import Comment, Decision, Evaluation, Proposal, ProposalEvent, ProposalVote, ThemedCall
from proposals.pagination import CachedCountPagination

# --- Serializers -----------------------------------------------------------------


class DepartmentRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DecisionSerializer(serializers.ModelSerializer):
    rejection_reasons = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "outcome",
            "summary",
            "necessity",
            "effectiveness",
            "feasibility",
            "required_budget",
            "rejection_reasons",
            "reasons",
            "decided_at",
        ]

    def get_rejection_reasons(self, decision) -> list[str]:
        return [f for f in ("validity", "effectiveness", "budget", "ordinances") if getattr(decision, f"reason_{f}")]


def _status_field(choices):
    # A plain string, not an enum component: "status" enums of several programs
    # would collide in the schema. The values are listed in the description.
    return serializers.CharField(read_only=True, help_text="One of: " + ", ".join(v for v, _ in choices))


class ProposalListSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author_display", read_only=True)
    status = _status_field(Proposal.Status.choices)
    department = DepartmentRefSerializer(read_only=True, allow_null=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "title",
            "status",
            "status_display",
            "vote_count",
            "author",
            "department",
            "themed_call",
            "submitted_at",
            "decided_at",
        ]


class ProposalDetailSerializer(ProposalListSerializer):
    decision = serializers.SerializerMethodField()
    images = serializers.SerializerMethodField()
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta(ProposalListSerializer.Meta):
        fields = [
            *ProposalListSerializer.Meta.fields,
            "problem",
            "idea",
            "expected_effect",
            "district",
            "location_text",
            "voting_closes_at",
            "reviewed_at",
            "images",
            "decision",
        ]

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, proposal):
        decision = getattr(proposal, "decision", None)
        return DecisionSerializer(decision).data if decision else None

    def get_images(self, proposal) -> list[str]:
        return [absolute_url(self, image.image_url) for image in proposal.images.all()]


class ProposalInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    problem = serializers.CharField(required=False, allow_blank=True, default="")
    idea = serializers.CharField(required=False, allow_blank=True, default="")
    expected_effect = serializers.CharField(required=False, allow_blank=True, default="")
    themed_call = serializers.PrimaryKeyRelatedField(queryset=ThemedCall.objects.all(), required=False, allow_null=True)
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.filter(is_active=True), required=False, allow_null=True
    )
    district = serializers.SlugRelatedField(
        slug_field="code", queryset=District.objects.all(), required=False, allow_null=True
    )
    location_text = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    draft = serializers.BooleanField(required=False, default=False, help_text="Save as a draft instead of submitting.")


class ImageUploadSerializer(serializers.Serializer):
    images = serializers.ListField(child=serializers.FileField(), help_text="Up to 5 images (JPEG, PNG...).")


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author_display", read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProposalEvent
        fields = ["kind", "from_status", "to_status", "note", "created_at"]


class ThemedCallSerializer(serializers.ModelSerializer):
    department = DepartmentRefSerializer(read_only=True)
    status = _status_field(ThemedCall.Status.choices)
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = ThemedCall
        fields = ["id", "title", "description", "department", "opens_at", "closes_at", "status", "is_open"]

    def get_is_open(self, call) -> bool:
        return call.is_open()


class VoteSerializer(serializers.ModelSerializer):
    proposal = ProposalListSerializer(read_only=True)

    class Meta:
        model = ProposalVote
        fields = ["proposal", "created_at"]


class EvaluationInputSerializer(serializers.Serializer):
    necessity = serializers.IntegerField()
    effectiveness = serializers.IntegerField()
    feasibility = serializers.IntegerField()
    budget = serializers.IntegerField()
    comment = serializers.CharField()


class DecisionInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Decision.Outcome.choices)
    summary = serializers.CharField()
    necessity = serializers.CharField(required=False, allow_blank=True, default="")
    effectiveness = serializers.CharField(required=False, allow_blank=True, default="")
    feasibility = serializers.CharField(required=False, allow_blank=True, default="")
    required_budget = serializers.IntegerField(required=False, allow_null=True, default=None)
    reason_validity = serializers.BooleanField(required=False, default=False)
    reason_effectiveness = serializers.BooleanField(required=False, default=False)
    reason_budget = serializers.BooleanField(required=False, default=False)
    reason_ordinances = serializers.BooleanField(required=False, default=False)
    reasons = serializers.CharField(required=False, allow_blank=True, default="")


for _serializer, _model in (
    (ProposalInputSerializer, Proposal),
    (EvaluationInputSerializer, Evaluation),
    (DecisionInputSerializer, Decision),
):
    limits.bind_serializer(_serializer, _model)


class AssignInputSerializer(serializers.Serializer):
    evaluators = serializers.ListField(child=serializers.IntegerField(), help_text="User ids of panel members.")


class RevisionAnswerSerializer(serializers.Serializer):
    accept = serializers.BooleanField()


class StatisticsRowSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    received = serializers.IntegerField()
    adopted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    rate = serializers.FloatField()


# --- Views --------------------------------------------------------------------------

LIST_PARAM = OpenApiParameter(
    "list", OpenApiTypes.STR, enum=list(selectors.LISTS), description="Which public list (default newest)."
)


class ProposalViewSet(GenericViewSet):
    """Proposals: public reads, and every citizen action as its own verb."""

    serializer_class = ProposalDetailSerializer
    queryset = Proposal.objects.none()
    lookup_value_regex = r"\d+"
    filter_backends: list = []

    @property
    def paginator(self):
        # Only the public list caches its total; personal lists count exactly.
        if not hasattr(self, "_paginator"):
            self._paginator = CachedCountPagination() if self.action == "list" else Pagination()
        return self._paginator

    def get_permissions(self):
        if (
            self.action in ("list", "retrieve", "comments", "timeline", "similar", "ranking")
            and self.request.method == "GET"
        ):
            return [AllowAny()]
        return [IsAuthenticated()]

    def _proposal(self, pk):
        return services.get_proposal_for_user(self.request.user, pk)

    @extend_schema(parameters=[LIST_PARAM], responses=ProposalListSerializer(many=True))
    def list(self, request):
        kind = request.query_params.get("list", "newest")
        qs = selectors.public_list(kind if kind in selectors.LISTS else "newest")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ProposalListSerializer(page, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("after", OpenApiTypes.STR, description="The next_after of the previous page."),
            OpenApiParameter("limit", OpenApiTypes.INT, description="1-100, default 20."),
        ],
        responses=inline_serializer(
            "ProposalRanking",
            {"results": ProposalListSerializer(many=True), "next_after": serializers.CharField(allow_null=True)},
        ),
        summary="Most supported proposals, as fast on any page (keyset)",
    )
    @action(detail=False, methods=["get"])
    def ranking(self, request):
        after = None
        if request.query_params.get("after"):
            try:
                votes, pk = (int(x) for x in request.query_params["after"].split(":", 1))
            except ValueError:
                raise DomainError("after is <vote_count>:<id>.", field="after") from None
            after = (votes, pk)
        try:
            limit = min(100, max(1, int(request.query_params.get("limit", 20))))
        except ValueError:
            limit = 20
        rows = selectors.most_supported_after(after, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        next_after = f"{rows[-1].vote_count}:{rows[-1].pk}" if more and rows else None
        return Response({"results": ProposalListSerializer(rows, many=True).data, "next_after": next_after})

    @extend_schema(responses=ProposalDetailSerializer)
    def retrieve(self, request, pk=None):
        return Response(ProposalDetailSerializer(self._proposal(pk), context={"request": request}).data)

    @extend_schema(request=ProposalInputSerializer, responses={201: ProposalDetailSerializer})
    def create(self, request):
        data = ProposalInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if fields.pop("draft"):
            proposal = services.proposal_save_draft(author=request.user, **fields)
        else:
            proposal = services.proposal_submit(author=request.user, **fields)
        return Response(ProposalDetailSerializer(proposal, context={"request": request}).data, status=201)

    @extend_schema(request=ProposalInputSerializer, responses=ProposalDetailSerializer, summary="Edit a draft")
    def partial_update(self, request, pk=None):
        proposal = self._proposal(pk)
        data = ProposalInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k in data.initial_data and k != "draft"}
        proposal = services.proposal_save_draft(author=request.user, proposal=proposal, **fields)
        return Response(ProposalDetailSerializer(proposal, context={"request": request}).data)

    @extend_schema(
        request={"multipart/form-data": ImageUploadSerializer},
        responses={201: ProposalDetailSerializer},
        summary="Attach images to a draft",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def images(self, request, pk=None):
        data = ImageUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.proposal_add_images(
            author=request.user, proposal_id=pk, images=request.FILES.getlist("images")
        )
        return Response(ProposalDetailSerializer(proposal, context={"request": request}).data, status=201)

    @extend_schema(request=None, responses=ProposalDetailSerializer, summary="Submit a draft")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        proposal = services.proposal_submit(author=request.user, proposal=self._proposal(pk))
        return Response(ProposalDetailSerializer(proposal, context={"request": request}).data)

    @extend_schema(request=None, responses={201: ProposalListSerializer}, summary="Support a proposal")
    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        proposal = services.proposal_vote(voter=request.user, proposal_id=pk)
        return Response(ProposalListSerializer(proposal).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=CommentSerializer(many=True))
    @extend_schema(methods=["POST"], request=CommentSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        if request.method == "POST":
            data = CommentSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            comment = services.proposal_comment(author=request.user, proposal_id=pk, text=data.validated_data["text"])
            return Response(CommentSerializer(comment).data, status=201)
        proposal = self._proposal(pk)
        qs = proposal.comments.filter(hidden=False).select_related("author")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(responses=EventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        return Response(EventSerializer(self._proposal(pk).events.all(), many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("title", OpenApiTypes.STR, required=True)],
        responses=ProposalListSerializer(many=True),
        summary="Similar proposals, to show before submitting",
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def similar(self, request):
        found = selectors.similar_proposals(title=request.query_params.get("title", "")[:200])
        return Response(ProposalListSerializer(found, many=True).data)

    @extend_schema(responses=ProposalDetailSerializer(many=True), summary="My proposals and drafts")
    @action(detail=False, methods=["get"])
    def mine(self, request):
        qs = (
            Proposal.objects.filter(author=request.user)
            .select_related("department", "author", "district", "decision")
            .prefetch_related("images")
            .order_by("-id")
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ProposalDetailSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(responses=VoteSerializer(many=True), summary="Proposals I support")
    @action(detail=False, methods=["get"], url_path="my-votes")
    def my_votes(self, request):
        qs = ProposalVote.objects.filter(voter=request.user).select_related("proposal__department", "proposal__author")
        page = self.paginate_queryset(qs.order_by("-id"))
        return self.get_paginated_response(VoteSerializer(page, many=True).data)

    @extend_schema(request=AssignInputSerializer, responses={201: None}, summary="Assign evaluators (department)")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = AssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.evaluator_assign(
            officer=request.user, proposal_id=pk, evaluator_user_ids=data.validated_data["evaluators"]
        )
        return Response(status=201)

    @extend_schema(request=EvaluationInputSerializer, responses={201: None}, summary="Score a proposal (evaluator)")
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        data = EvaluationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.evaluation_submit(evaluator=request.user, proposal_id=pk, **data.validated_data)
        return Response(status=201)

    @extend_schema(request=DecisionInputSerializer, responses={201: DecisionSerializer}, summary="Decide (department)")
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        data = DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.proposal_decide(officer=request.user, proposal_id=pk, **data.validated_data)
        return Response(DecisionSerializer(decision).data, status=201)


class RevisionAnswerView(APIView):
    @extend_schema(request=RevisionAnswerSerializer, responses={200: None}, summary="Accept or decline a revision")
    def post(self, request, pk):
        data = RevisionAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.revision_answer(author=request.user, revision_id=pk, accept=data.validated_data["accept"])
        return Response(status=200)


class ThemedCallViewSet(GenericViewSet):
    permission_classes = [AllowAny]
    serializer_class = ThemedCallSerializer
    lookup_value_regex = r"\d+"
    queryset = (
        ThemedCall.objects.select_related("department")
        .annotate(proposal_count=Count("proposals", filter=~Q(proposals__status="draft")))
        .order_by("-opens_at", "-id")
    )
    filter_backends: list = []

    @extend_schema(
        parameters=[OpenApiParameter("open", OpenApiTypes.BOOL, description="Only calls open now.")],
        responses=ThemedCallSerializer(many=True),
    )
    def list(self, request):
        qs = self.get_queryset()
        if request.query_params.get("open") in ("1", "true"):
            qs = qs.open_at()
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ThemedCallSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(ThemedCallSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)


@reads_may_lag
class StatisticsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer("ProposalStatistics", {"years": StatisticsRowSerializer(many=True)}),
        summary="Proposals received and adopted per year",
    )
    def get(self, request):
        return Response({"years": StatisticsRowSerializer(selectors.yearly_statistics(), many=True).data})
