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
