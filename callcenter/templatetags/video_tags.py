"""``{% video_panel conversation role %}``: the video panel of a video or sign-language conversation,
with the STUN/TURN servers of the reader, for its two participants only."""

from django import template

from callcenter import video
from civicportal.errors import DomainError

register = template.Library()


@register.inclusion_tag("callcenter/_video_panel.html", takes_context=True)
def video_panel(context, conversation, role):
    request = context.get("request")
    user = getattr(request, "user", None)
    try:
        servers = video.conversation_ice_servers(conversation=conversation, role=role, user=user)
    except DomainError:
        # Not a participant (a colleague reading), a text conversation, or ended: no video.
        return {"show": False}
    return {
        "show": True,
        "ice_servers": servers,
        "video_polite": role == "citizen",
        "conversation_kind": conversation.kind,
    }
