"""Pages of 120 live counselling: thin; the rules are in services."""

from django.http import FileResponse, Http404

from callcenter.chat import services
from callcenter.chat.consumers import SESSION_TOKENS
from callcenter.chat.models import Message
from civicportal.errors import DomainError

TOKEN_HEADER = "HTTP_X_CONVERSATION_TOKEN"


def request_tokens(request, pk) -> list[str]:
    """The anonymous citizen's token: kept by the browser session that started the
    conversation, or sent by an app in the ``X-Conversation-Token`` header."""
    tokens = [request.session.get(SESSION_TOKENS, {}).get(str(pk), "")]
    tokens.append(request.META.get(TOKEN_HEADER, ""))
    return [token for token in tokens if token]


def conversation_for_request(request, pk):
    try:
        return services.conversation_for(conversation_id=pk, user=request.user, tokens=request_tokens(request, pk))
    except DomainError:
        raise Http404 from None


def image(request, pk, seq):
    conversation, _role = conversation_for_request(request, pk)
    message = Message.objects.filter(conversation=conversation, seq=seq).exclude(image="").first()
    if message is None:
        raise Http404
    response = FileResponse(message.image.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
