"""REST API of mVoting for mobile clients: thin over the same services as the pages."""

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from civicportal import limits
from civicportal.api import Pagination, PrebuiltFieldsMixin, absolute_url
from civicportal.dbrouting import reads_may_lag
from civicportal.errors import DomainError
from polls import services
from polls.models import Poll, PollOption


class ImageUrlField(serializers.URLField):
    """The absolute URL of the checked view that serves the image (``image_url``); null without one."""

    def __init__(self, **kwargs):
        super().__init__(source="image_url", read_only=True, allow_null=True, **kwargs)

    def to_representation(self, url):
        return absolute_url(self.parent, url) or None


class OptionSerializer(serializers.ModelSerializer):
    image = ImageUrlField()

    class Meta:
        model = PollOption
        fields = ["id", "text", "image"]


class PollSerializer(serializers.ModelSerializer):
    options = OptionSerializer(many=True, read_only=True)
    department = serializers.CharField(source="department.name", default=None, allow_null=True, read_only=True)
    target = serializers.SerializerMethodField()
    is_open = serializers.SerializerMethodField()
    needs_position = serializers.BooleanField(source="has_circle", read_only=True)
    needs_room_password = serializers.BooleanField(source="is_private", read_only=True)
    image = ImageUrlField()

    class Meta:
        model = Poll
        fields = [
            "id",
            "question",
            "description",
            "image",
            "department",
            "kind",
            "approval",
            "multiple",
            "max_choices",
            "opens_at",
            "closes_at",
            "results_visible_while_open",
            "total_ballots",
            "target",
            "is_open",
            "needs_position",
            "qr_required",
            "needs_room_password",
            "options",
        ]

    def get_target(self, poll) -> str:
        return services.target_description(poll)

    def get_is_open(self, poll) -> bool:
        return poll.is_open()


class VoteInput(PrebuiltFieldsMixin, serializers.Serializer):
    options = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, max_length=100)
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    lon = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    qr = serializers.CharField(required=False, allow_blank=True, max_length=500)
    room_password = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ProposalInput(serializers.Serializer):
    class Meta:
        ref_name = "PollProposalInput"

    question = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    options = serializers.ListField(
        child=serializers.CharField(max_length=limits.POLL_OPTION), min_length=2, max_length=50
    )
    multiple = serializers.BooleanField(default=False)
    max_choices = serializers.IntegerField(min_value=1, default=1)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()


limits.bind_serializer(ProposalInput, Poll)


class ResultOption(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    votes = serializers.IntegerField()
    percent = serializers.FloatField()


class ResultsSerializer(serializers.Serializer):
    poll = serializers.IntegerField()
    total_ballots = serializers.IntegerField()
    closed = serializers.BooleanField()
    options = ResultOption(many=True)
    updated_at = serializers.CharField()


@reads_may_lag
class OpenPollList(generics.ListAPIView):
    """Polls open now that the current user may vote on (by who they are)."""

    serializer_class = PollSerializer
    pagination_class = Pagination
    filter_backends: list = []

    def get_queryset(self):
        return Poll.objects.none()  # for the schema; list() below uses the service

    def list(self, request, *args, **kwargs):
        polls = services.open_to(request.user)
        page = self.paginate_queryset(polls)
        prefetch_related_objects(page, "options")  # the page's options only, in one query
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class PollDetail(APIView):
    @extend_schema(responses=PollSerializer)
    def get(self, request, pk):
        poll = services.get_poll_for_user(request.user, pk)
        return Response(PollSerializer(poll, context={"request": request}).data)


class VoteView(APIView):
    @extend_schema(
        request=VoteInput,
        responses={
            201: inline_serializer(
                "BallotCast", {"ballot": serializers.IntegerField(), "poll": serializers.IntegerField()}
            )
        },
    )
    def post(self, request, pk):
        data = VoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        poll = services.get_poll_for_vote(request.user, pk)
        lat, lon = values.get("lat"), values.get("lon")
        if (lat is None) != (lon is None):
            raise DomainError(_("The position is not valid."), code="bad_position", field="lat")
        ballot = services.vote_cast(
            poll=poll,
            voter=request.user,
            option_ids=values["options"],
            position=(lat, lon) if lat is not None else None,
            qr=values.get("qr"),
            room_password=values.get("room_password"),
        )
        return Response({"ballot": ballot.pk, "poll": poll.pk}, status=status.HTTP_201_CREATED)


class RoomInput(serializers.Serializer):
    room_number = serializers.CharField(max_length=20)
    room_password = serializers.CharField(max_length=128)


class RoomView(APIView):
    """Enter a private room: its poll, once the number and password are right (404 otherwise)."""

    @extend_schema(request=RoomInput, responses=PollSerializer)
    def post(self, request):
        data = RoomInput(data=request.data)
        data.is_valid(raise_exception=True)
        poll = services.room_enter(user=request.user, **data.validated_data)
        return Response(
            PollSerializer(services.get_poll_for_user(request.user, poll.pk), context={"request": request}).data
        )


class ResultsView(APIView):
    @extend_schema(responses=ResultsSerializer)
    def get(self, request, pk):
        poll = services.get_poll_for_vote(request.user, pk)
        services.require_room_admission(request.user, poll)
        return Response(services.poll_results(poll=poll, viewer=request.user))


class ProposeView(APIView):
    @extend_schema(request=ProposalInput, responses={201: PollSerializer})
    def post(self, request):
        data = ProposalInput(data=request.data)
        data.is_valid(raise_exception=True)
        poll = services.poll_propose(citizen=request.user, **data.validated_data)
        return Response(PollSerializer(poll, context={"request": request}).data, status=status.HTTP_201_CREATED)
