"""The base of every socket of the portal, and the echo socket that benchmarks compare against."""

import json
import time

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from civicportal.realtime.auth import header


def language_of(scope) -> str:
    """The reader's language as the pages choose it: the language cookie, then Accept-Language."""
    cookies = scope.get("cookies") or {}
    chosen = cookies.get(settings.LANGUAGE_COOKIE_NAME, "")
    candidates = [chosen] if chosen else []
    accept = header(scope, b"accept-language")
    if accept:
        from django.utils.translation.trans_real import parse_accept_lang_header

        candidates += [lang for lang, _q in parse_accept_lang_header(accept) if lang != "*"]
    for code in candidates:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class RateLimit:
    """At most ``count`` messages in any ``seconds`` (a sliding log; a socket is one reader)."""

    def __init__(self, count: int, seconds: float):
        self.count, self.seconds = count, seconds
        self.times: list[float] = []

    def allow(self, now: float | None = None) -> tuple[bool, float]:
        now = time.monotonic() if now is None else now
        self.times = [t for t in self.times if now - t < self.seconds]
        if len(self.times) >= self.count:
            return False, self.seconds - (now - self.times[0])
        self.times.append(now)
        return True, 0.0


class PortalJsonConsumer(AsyncJsonWebsocketConsumer):
    """JSON messages with a size limit and a rate limit; a refused message gets an error
    message (``{"type": "error", "code": ..., "message": ...}``) and the socket stays open.

    Subclasses implement ``receive_json`` and answer with ``send_json``; ``self.user`` and
    ``self.language`` are set before ``connect`` runs.
    """

    max_message_bytes: int | None = None
    rate: tuple[int, float] | None = None

    async def websocket_connect(self, message):
        self.user = self.scope.get("user")
        self.language = language_of(self.scope)
        count, seconds = self.rate or (settings.REALTIME_RATE, settings.REALTIME_RATE_SECONDS)
        self.rate_limit = RateLimit(count, seconds)
        with translation.override(self.language):
            return await super().websocket_connect(message)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        with translation.override(self.language):
            limit = self.max_message_bytes or settings.REALTIME_MAX_MESSAGE_BYTES
            if bytes_data is not None:
                return await self.send_error("binary", _("Send messages as JSON text."))
            if len(text_data.encode()) > limit:
                return await self.send_error(
                    "too_large", _("This message is too long (at most %(limit)s bytes).") % {"limit": limit}
                )
            allowed, wait = self.rate_limit.allow()
            if not allowed:
                return await self.send_error(
                    "rate_limited", _("Too many messages. Wait a moment and try again."), retry_after=round(wait, 1)
                )
            try:
                content = json.loads(text_data)
            except ValueError:
                return await self.send_error("bad_json", _("This message is not valid JSON."))
            if not isinstance(content, dict) or not isinstance(content.get("type"), str):
                return await self.send_error("bad_message", _("A message is a JSON object with a type."))
            return await self.receive_json(content, **kwargs)

    async def send_error(self, code: str, message: str, **extra):
        await self.send_json({"type": "error", "code": code, "message": str(message), **extra})

    @classmethod
    async def encode_json(cls, content):
        return json.dumps(content, ensure_ascii=False, separators=(",", ":"))


class EchoConsumer(PortalJsonConsumer):
    """``/ws/echo/``: answers each message with itself and the server's clock; the baseline
    the real-time benchmarks measure the portal's sockets against (on only where enabled)."""

    rate = (1_000_000, 1)

    async def connect(self):
        if not settings.REALTIME_ECHO:
            await self.close(code=4404)
            return
        await self.accept()

    async def receive_json(self, content, **kwargs):
        await self.send_json({**content, "server_ms": round(time.time() * 1000, 3)})
