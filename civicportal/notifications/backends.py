"""Channel backends for SMS and push. Settings name the class (SMS_BACKEND, PUSH_BACKEND).

The console backends write one JSON line per message to the outbox folder (and the
log), so development and tests can read what would have been sent."""

import json
import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A backend could not deliver; ``permanent`` failures are not retried."""

    def __init__(self, message, *, permanent=False):
        super().__init__(message)
        self.permanent = permanent


class BaseBackend:
    channel = ""

    def send(self, *, to: str, title: str, body: str, link: str = "") -> None:
        raise NotImplementedError


class _ConsoleBackend(BaseBackend):
    def send(self, *, to, title, body, link=""):
        record = {
            "channel": self.channel,
            "to": to,
            "title": title,
            "body": body,
            "link": link,
            "at": timezone.now().isoformat(),
        }
        outbox = Path(settings.NOTIFICATION_OUTBOX_DIR)
        outbox.mkdir(parents=True, exist_ok=True)
        with open(outbox / f"{self.channel}.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        logger.info("%s to %s: %s", self.channel, to, title)


class ConsoleSMSBackend(_ConsoleBackend):
    channel = "sms"


class ConsolePushBackend(_ConsoleBackend):
    channel = "push"


def get_backend(channel: str) -> BaseBackend:
    path = {"sms": settings.SMS_BACKEND, "push": settings.PUSH_BACKEND}[channel]
    return import_string(path)()
