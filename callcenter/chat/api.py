"""Mobile API of 120 live counselling, under /api/v1/callcenter/chat/. Thin: parse, call a
service, answer. Live messages go over the socket (docs/realtime.md); these are the doors that
are not live: start, history after a seq, image upload."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.chat import selectors, services
from callcenter.chat.models import Kind
from callcenter.chat.views import TOKEN_HEADER
from callcenter.models import Contact, Topic
from civicportal.throttling import AddressRateThrottle, AnonRateThrottle, UserRateThrottle

TOKEN_PARAMETER = OpenApiParameter(
    "X-Conversation-Token",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The token an anonymous conversation was started with (not needed with an API token of its citizen).",
)


class ChatStartThrottle(AddressRateThrottle):
    scope = "chat_start"


class ChatImageThrottle(AddressRateThrottle):
    scope = "chat_image"


class StartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.TEXT)
    language = serializers.ChoiceField(choices=Contact.Language.choices, default=Contact.Language.KOREAN)
    topic = serializers.PrimaryKeyRelatedField(queryset=Topic.objects.filter(is_active=True))
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    sms_consent = serializers.BooleanField(required=False, allow_null=True, default=None)


STATE = inline_serializer(
    "ChatConversationState",
    {
        "id": serializers.UUIDField(),
        "kind": serializers.ChoiceField(choices=Kind.choices),
        "language": serializers.CharField(),
        "status": serializers.CharField(),
        "topic": serializers.CharField(),
        "queue_position": serializers.IntegerField(allow_null=True),
        "expected_wait_seconds": serializers.IntegerField(allow_null=True),
        "counsellor": serializers.CharField(allow_null=True),
        "contact": serializers.IntegerField(),
    },
)
MESSAGE = inline_serializer(
    "ChatMessage",
    {
        "type": serializers.CharField(),
        "seq": serializers.IntegerField(),
        "client_id": serializers.CharField(),
        "from": serializers.ChoiceField(choices=["citizen", "counsellor"]),
        "author": serializers.CharField(allow_null=True),
        "text": serializers.CharField(),
        "image": serializers.CharField(allow_null=True),
        "article": serializers.IntegerField(allow_null=True),
        "sent_at": serializers.DateTimeField(),
    },
)


def _conversation(request, pk):
    tokens = [request.META.get(TOKEN_HEADER, "")]
    return services.conversation_for(conversation_id=pk, user=request.user, tokens=tokens)


class ConversationStart(APIView):
    """Start a live conversation, signed in (API token) or anonymous (a name). Keep ``token``:
    it is shown once and proves an anonymous conversation is yours (``join.token``,
    ``X-Conversation-Token``). Then open ``socket`` and send ``join``."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle, ChatStartThrottle]

    @extend_schema(
        request=StartSerializer,
        responses={
            201: inline_serializer(
                "ChatStarted",
                {
                    "id": serializers.UUIDField(),
                    "token": serializers.CharField(help_text="empty for a signed-in citizen"),
                    "socket": serializers.CharField(),
                    "conversation": STATE,
                },
            )
        },
    )
    def post(self, request):
        serializer = StartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        conversation, token = services.conversation_start(
            citizen=request.user,
            kind=d["kind"],
            language=d["language"],
            topic=d["topic"],
            name=d["name"],
            phone=d["phone"],
            sms_consent=d["sms_consent"],
        )
        body = {
            "id": str(conversation.pk),
            "token": token,
            "socket": f"/ws/callcenter/chat/{conversation.pk}/",
            "conversation": selectors.conversation_state(conversation),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class ConversationMessages(APIView):
    """The conversation's state and its messages after ``after`` (the catch-up the socket's
    ``join`` also gives), for the citizen or the centre's counsellors."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("after", OpenApiTypes.INT, description="the last seq the client has seen (0: all)"),
            TOKEN_PARAMETER,
        ],
        responses={
            200: inline_serializer(
                "ChatHistory",
                {
                    "conversation": STATE,
                    "messages": serializers.ListField(child=MESSAGE),
                    "read": serializers.DictField(),
                },
            )
        },
    )
    def get(self, request, pk):
        conversation, role = _conversation(request, pk)
        try:
            after = max(0, int(request.query_params.get("after", 0)))
        except ValueError:
            raise serializers.ValidationError({"after": ["A message number."]}) from None
        joined = selectors.joined_payload(conversation, role=role, after=after)
        return Response(
            {"conversation": joined["conversation"], "messages": joined["messages"], "read": joined["read"]}
        )


class ConversationImage(APIView):
    """Send an image (JPEG, PNG, GIF, WebP; cleaned of its metadata): it arrives on the socket
    as a ``message`` with ``image`` set, and is answered here too."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle, ChatImageThrottle]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        parameters=[TOKEN_PARAMETER],
        request={
            "multipart/form-data": inline_serializer(
                "ChatImageUpload",
                {
                    "image": serializers.ImageField(),
                    "client_id": serializers.CharField(max_length=64),
                    "text": serializers.CharField(required=False, max_length=1000),
                },
            )
        },
        responses={201: MESSAGE},
    )
    def post(self, request, pk):
        conversation, role = _conversation(request, pk)
        upload = request.FILES.get("image")
        if upload is None:
            raise serializers.ValidationError({"image": ["Choose an image."]})
        message, _created = services.message_post(
            conversation=conversation,
            role=role,
            user=request.user,
            client_id=request.data.get("client_id", ""),
            text=request.data.get("text", ""),
            image=upload,
        )
        return Response(selectors.message_payload(message, conversation), status=status.HTTP_201_CREATED)
