"""Video and sign-language counselling: the STUN/TURN servers a participant's browser is given.

The media goes from browser to browser (WebRTC); the portal only relays the signalling over the
conversation's socket and records no media. A TURN server relays the media when the two browsers
cannot reach each other directly. Its credentials follow coturn's shared-secret REST scheme
(``use-auth-secret`` with ``static-auth-secret``): the username is ``<expiry unix time>:<label>``
and the password is base64(HMAC-SHA1(secret, username)), so coturn checks them without a
database and refuses them once the expiry has passed. They are made for one participant of one
conversation and handed only to that participant (the callers check that first).
"""

import base64
import hashlib
import hmac
import time

from django.conf import settings
from django.utils.translation import gettext as _

from civicportal.errors import Conflict, NotAllowed


def turn_credentials(*, label: str, now: float | None = None) -> dict:
    """A username and password for the TURN server, valid for TURN_CREDENTIAL_SECONDS.

    ``label`` names the participant without personal data (``<conversation>-citizen``): coturn logs it.
    """
    expires = int(now if now is not None else time.time()) + settings.TURN_CREDENTIAL_SECONDS
    username = f"{expires}:{label}"
    digest = hmac.new(settings.TURN_SECRET.encode(), username.encode(), hashlib.sha1).digest()
    return {"username": username, "credential": base64.b64encode(digest).decode(), "expires": expires}


def ice_servers(*, label: str, now: float | None = None) -> list[dict]:
    """The ``iceServers`` list for ``RTCPeerConnection``: WEBRTC_ICE_SERVERS as configured, then
    TURN_URLS with fresh credentials. Empty on one machine (host candidates are enough)."""
    servers = [dict(server) for server in settings.WEBRTC_ICE_SERVERS]
    if settings.TURN_URLS and settings.TURN_SECRET:
        credentials = turn_credentials(label=label, now=now)
        servers.append(
            {
                "urls": list(settings.TURN_URLS),
                "username": credentials["username"],
                "credential": credentials["credential"],
            }
        )
    return servers


def conversation_ice_servers(*, conversation, role: str, user) -> list[dict]:
    """The ICE servers for one participant of a video or sign-language conversation.

    ``role`` comes from the conversation's gatekeeper (``chat.services.conversation_for``). Only
    the conversation's two participants get them: its citizen, and the counsellor who accepted it
    (not every counsellor of the centre, who may read it); never for a text or ended conversation.
    """
    from callcenter.chat.models import Conversation, Message

    if not conversation.is_media:
        raise Conflict(_("This is a text conversation: it has no video."), code="not_video")
    if conversation.status == Conversation.Status.ENDED:
        raise Conflict(_("This conversation has ended, and its video with it."), code="ended")
    if role == Message.Sender.COUNSELLOR and conversation.counsellor_id != getattr(user, "pk", None):
        raise NotAllowed(_("Only the counsellor who accepted this conversation joins its video."), code="not_yours")
    return ice_servers(label=f"{conversation.pk}-{role}")
