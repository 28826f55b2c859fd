"""Channel backends for SMS, push and social broadcasts.

Settings name the class (``SMS_BACKEND``, ``PUSH_BACKEND``); each social account names
its own. Every backend takes an ``idempotency_key``: a gateway that honours it never
delivers one message twice, and it is how a recovered send after a crashed worker
stays exactly-once. The console (file) backends write one JSON line per message to
the outbox folder, so development and tests can read what would have been sent.
"""

import functools
import json
import logging
import re
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Korean mobile carriers: an SMS holds 90 bytes (EUC-KR), an LMS/MMS up to 2,000 bytes,
# which the city counts as 1,000 characters.
SMS_MAX_BYTES = 90
KEY_PATTERN = re.compile(r'"key": "([^"]+)"')
LMS_MAX_CHARS = 1000


class DeliveryError(Exception):
    """A backend could not deliver; ``permanent`` failures are not retried."""

    def __init__(self, message, *, permanent=False):
        super().__init__(message)
        self.permanent = permanent


@functools.lru_cache(maxsize=256)  # a fan-out sends the same few texts to many numbers
def compose_sms(title: str, body: str = "", link: str = "") -> tuple[str, str]:
    """The text of a short message and its kind: ("SMS" | "LMS", text ≤ 1,000 characters)."""
    parts = [f"[{title}]" if title else "", body.strip()]
    if link:
        parts.append(link if link.startswith("http") else f"{settings.SITE_URL}{link}")
    text = " ".join(p for p in parts if p)
    if len(text) > LMS_MAX_CHARS:
        text = text[: LMS_MAX_CHARS - 1] + "…"
    kind = "SMS" if len(text.encode("euc-kr", errors="replace")) <= SMS_MAX_BYTES else "LMS"
    return kind, text


class BaseBackend:
    channel = ""

    def send(self, *, to: str, title: str, body: str, link: str = "", idempotency_key: str = "") -> None:
        raise NotImplementedError

    def send_many(self, messages: list[dict]) -> dict:
        """Send several messages; returns {idempotency_key: DeliveryError} for those that failed."""
        failures = {}
        for message in messages:
            try:
                self.send(**message)
            except DeliveryError as exc:
                failures[message["idempotency_key"]] = exc
        return failures

    def send_same(self, messages: dict, recipients: list[tuple[str, str, str]]) -> dict:
        """One message to many people: ``messages`` is {language: {"title", "body", "link"}},
        ``recipients`` a list of (idempotency_key, to, language). Returns {idempotency_key:
        DeliveryError} for those that failed. By default one send_many call; a backend may do
        better (the console backend writes the whole batch at once)."""
        return self.send_many(
            [{"to": to, **messages[language], "idempotency_key": key} for key, to, language in recipients]
        )

    def already_sent(self, keys) -> set | None:
        """Which of ``keys`` this backend has delivered, or None when it cannot tell
        (then the gateway's idempotency must be trusted)."""
        return None


class ConsoleBackend(BaseBackend):
    """Writes JSON lines to ``NOTIFICATION_OUTBOX_DIR/<channel>.jsonl`` (and the log)."""

    def _path(self):
        outbox = Path(settings.NOTIFICATION_OUTBOX_DIR)
        outbox.mkdir(parents=True, exist_ok=True)
        return outbox / f"{self.channel}.jsonl"

    def _record(self, to, title, body, link, idempotency_key, at=None):
        record = {
            "key": idempotency_key,
            "channel": self.channel,
            "to": to,
            "title": title,
            "body": body,
            "link": link,
            "at": at or timezone.now().isoformat(),
        }
        if self.channel == "sms":
            record["kind"], record["text"] = compose_sms(title, body, link)
            del record["body"]
        return json.dumps(record, ensure_ascii=False) + "\n"

    def send(self, *, to, title, body, link="", idempotency_key=""):
        self.send_many([{"to": to, "title": title, "body": body, "link": link, "idempotency_key": idempotency_key}])

    def send_many(self, messages):
        # One write per batch; a killed process leaves whole lines already written.
        at = timezone.now().isoformat()
        lines = "".join(self._record(**m, at=at) for m in messages)
        with open(self._path(), "a", encoding="utf-8") as fh:
            fh.write(lines)
        if len(messages) == 1:
            logger.info("%s to %s: %s", self.channel, messages[0]["to"], messages[0]["title"])
        return {}

    def send_same(self, messages, recipients):
        # A million-line fan-out: the shared part of each language's line is made once, and
        # per recipient only the key and the number are encoded (the key first, as in _record).
        at = timezone.now().isoformat()
        tails = {}
        for language, m in messages.items():
            shared = json.loads(self._record("", m["title"], m["body"], m["link"], "", at=at))
            del shared["key"], shared["to"]
            tails[language] = json.dumps(shared, ensure_ascii=False)[1:]
        encode = json.encoder.encode_basestring
        lines = "".join(
            f'{{"key": {encode(key)}, "to": {encode(to)}, {tails[language]}\n' for key, to, language in recipients
        )
        with open(self._path(), "a", encoding="utf-8") as fh:
            fh.write(lines)
        return {}

    def already_sent(self, keys):
        path = self._path()
        wanted, found = set(keys), set()
        if not path.exists():
            return found
        # A regular expression, not json.loads: a write cut by a killed process can leave a
        # partial line glued to the next one; the key (written first) still counts as sent.
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                for key in KEY_PATTERN.findall(line):
                    if key in wanted:
                        found.add(key)
        return found


class ConsoleSMSBackend(ConsoleBackend):
    channel = "sms"


class ConsolePushBackend(ConsoleBackend):
    channel = "push"


class ConsoleSocialBackend(ConsoleBackend):
    channel = "social"

    def __init__(self, account=None):
        self.account = account


def post_json(url, payload, *, token="", idempotency_key="", timeout=10):
    """POST ``payload`` as JSON. 5xx, 429 and network errors are temporary, other 4xx permanent."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310 - URL comes from settings
    request.add_header("Content-Type", "application/json; charset=utf-8")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if idempotency_key:
        request.add_header("Idempotency-Key", idempotency_key)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
        raise DeliveryError(f"gateway answered HTTP {exc.code}", permanent=permanent) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DeliveryError(f"gateway unreachable: {exc}") from exc


class HTTPSMSBackend(BaseBackend):
    """Posts to an SMS gateway: ``SMS_GATEWAY_URL``, ``SMS_GATEWAY_TOKEN``, ``SMS_SENDER_NUMBER``."""

    channel = "sms"

    def send(self, *, to, title, body, link="", idempotency_key=""):
        url = getattr(settings, "SMS_GATEWAY_URL", "")
        if not url:
            raise DeliveryError("SMS_GATEWAY_URL is not set", permanent=True)
        kind, text = compose_sms(title, body, link)
        post_json(
            url,
            {
                "to": to,
                "from": getattr(settings, "SMS_SENDER_NUMBER", ""),
                "type": kind,
                "subject": title[:40],
                "text": text,
                "message_id": idempotency_key,
            },
            token=getattr(settings, "SMS_GATEWAY_TOKEN", ""),
            idempotency_key=idempotency_key,
            timeout=getattr(settings, "SMS_GATEWAY_TIMEOUT", 10),
        )


class HTTPPushBackend(BaseBackend):
    """Posts to a push gateway: ``PUSH_GATEWAY_URL``, ``PUSH_GATEWAY_TOKEN``."""

    channel = "push"

    def send(self, *, to, title, body, link="", idempotency_key=""):
        url = getattr(settings, "PUSH_GATEWAY_URL", "")
        if not url:
            raise DeliveryError("PUSH_GATEWAY_URL is not set", permanent=True)
        post_json(
            url,
            {"to": to, "title": title, "body": body[:1000], "link": link, "message_id": idempotency_key},
            token=getattr(settings, "PUSH_GATEWAY_TOKEN", ""),
            idempotency_key=idempotency_key,
            timeout=getattr(settings, "PUSH_GATEWAY_TIMEOUT", 10),
        )


class HTTPSocialBackend(BaseBackend):
    """Posts to the account's webhook (``endpoint_url``, ``token``) of a relay service."""

    channel = "social"

    def __init__(self, account=None):
        self.account = account

    def send(self, *, to, title, body, link="", idempotency_key=""):
        if not self.account or not self.account.endpoint_url:
            raise DeliveryError("this social account has no endpoint URL", permanent=True)
        post_json(
            self.account.endpoint_url,
            {"account": to, "text": f"{title}\n{body}".strip()[:1000], "link": link, "message_id": idempotency_key},
            token=self.account.token,
            idempotency_key=idempotency_key,
        )


class MailBackend(BaseBackend):
    """Email through Django's configured EMAIL_BACKEND."""

    channel = "email"

    def send(self, *, to, title, body, link="", idempotency_key=""):
        from django.core.mail import send_mail

        text = f"{body}\n\n{settings.SITE_URL}{link}" if link and not link.startswith("http") else body
        try:
            send_mail(title, text, settings.DEFAULT_FROM_EMAIL, [to])
        except OSError as exc:
            raise DeliveryError(f"mail server: {exc}") from exc


def get_backend(channel: str) -> BaseBackend:
    if channel == "email":
        return MailBackend()
    path = {
        "sms": getattr(settings, "SMS_BACKEND", "civicportal.notifications.backends.ConsoleSMSBackend"),
        "push": getattr(settings, "PUSH_BACKEND", "civicportal.notifications.backends.ConsolePushBackend"),
    }[channel]
    return import_string(path)()


def get_social_backend(account) -> BaseBackend:
    return import_string(account.backend)(account=account)
