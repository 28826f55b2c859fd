"""``GET /api/v1/callcenter/chat/conversations/<id>/ice-servers/``: the STUN/TURN servers of a video
conversation, for its two participants only (apps; the browser pages have them in the page)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import video
from callcenter.chat import services
from callcenter.chat.views import request_tokens


class IceServers(APIView):
    # Anonymous citizens are let in by their conversation's token (X-Conversation-Token);
    # the gatekeeper decides, as on the socket.
    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "IceServers",
            {
                "ice_servers": serializers.ListField(child=serializers.DictField()),
                "polite": serializers.BooleanField(),
            },
        )
    )
    def get(self, request, pk):
        conversation, role = services.conversation_for(
            conversation_id=pk, user=request.user, tokens=request_tokens(request, pk)
        )
        servers = video.conversation_ice_servers(conversation=conversation, role=role, user=request.user)
        response = Response({"ice_servers": servers, "polite": role == "citizen"})
        response["Cache-Control"] = "no-store"  # credentials
        return response
