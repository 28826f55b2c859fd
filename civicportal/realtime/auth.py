"""Who is on a socket, and from where.

Browsers authenticate by the login cookie (the session), and their ``Origin`` must be one of the
portal's hosts, so that another site cannot open a socket with a visitor's cookie. Mobile apps send
``Authorization: Token <key>`` on the handshake, as on the REST API; a token is not sent by a
browser on its own, so such a socket needs no origin check.
"""

from channels.auth import AuthMiddlewareStack
from channels.security.websocket import AllowedHostsOriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from civicportal.authentication import _token_with_user
from civicportal.realtime.db import database_work


def header(scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


def bearer_key(scope) -> str:
    scheme, _, key = header(scope, b"authorization").partition(" ")
    return key.strip() if scheme.lower() == "token" else ""


@database_work
def _user_for_token(key):
    token = _token_with_user.get(key)
    if token is None or not token.user.is_active:
        return None
    return token.user


class TokenAuthMiddleware:
    """``Authorization: Token <key>`` names the user; a wrong key is refused at the handshake."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        key = bearer_key(scope)
        if key:
            user = await _user_for_token(key)
            if user is None:
                await send({"type": "websocket.close", "code": 4401})
                return
            scope = {**scope, "user": user, "auth": "token"}
        else:
            scope = {**scope, "auth": "session" if scope.get("user") else "none"}
            scope.setdefault("user", AnonymousUser())
        return await self.inner(scope, receive, send)


class OriginCheck:
    """The origin of a browser's socket must be one of ALLOWED_HOSTS or CSRF_TRUSTED_ORIGINS;
    a socket that carries an API token is an app's and is let through to the token check."""

    def __init__(self, inner):
        self.inner = inner
        self.by_host = AllowedHostsOriginValidator(inner)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and bearer_key(scope):
            return await self.inner(scope, receive, send)
        origin = header(scope, b"origin")
        if origin and origin in settings.CSRF_TRUSTED_ORIGINS:
            return await self.inner(scope, receive, send)
        return await self.by_host(scope, receive, send)


def socket_stack(inner):
    """Origin check, then the login cookie, then the API token."""
    return OriginCheck(AuthMiddlewareStack(TokenAuthMiddleware(inner)))
