"""``/ws/live/``: news for pages where a person waits (alerts, queues, the board, poll results).

A page subscribes to topics; each program says in its own ``live.py`` who may hear a topic,
with the same gatekeepers its pages use (``topic`` below registers them; the modules are found
when the app registry is ready). A push says only that a topic changed and its version; the
page fetches its own part again over HTTP, where every visibility rule of that page applies.
"""

import asyncio
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext as _

from civicportal.realtime.consumers import PortalJsonConsumer
from civicportal.realtime.db import database_work
from civicportal.realtime.publish import layer_slot, note_socket_loop

TOPIC_SHAPE = re.compile(r"^[a-z][a-z0-9_.]{0,79}$")
MAX_TOPICS = 20

# (pattern, resolver): a resolver takes (user, match) and returns the groups to join, or None
# when the user may not hear this topic.
_topics: list[tuple[re.Pattern, Callable]] = []


def topic(pattern: str):
    """Register a topic resolver: ``@topic(r"poll\\.(?P<pk>\\d+)")`` on ``def f(user, match)``."""

    def register(resolver):
        _topics.append((re.compile(rf"^{pattern}$"), resolver))
        return resolver

    return register


def group_of(name: str) -> str:
    """The channel-layer group of a topic (or of a part of one, e.g. one department's queue)."""
    return f"live.{name}"


def resolve(user, name: str) -> list[str] | None:
    """The groups ``user`` joins for topic ``name``; None when unknown or not allowed."""
    if not isinstance(name, str) or not TOPIC_SHAPE.match(name):
        return None
    for pattern, resolver in _topics:
        match = pattern.match(name)
        if match:
            return resolver(user, match)
    return None


@database_work
def resolve_all(user, names) -> dict:
    return {name: resolve(user, name) for name in names}


class LiveConsumer(PortalJsonConsumer):
    """Subscribe, unsubscribe, and receive ``changed`` at most once per topic per
    ``REALTIME_COALESCE_SECONDS`` (the last of a burst always arrives)."""

    async def connect(self):
        self.topics: dict[str, list[str]] = {}
        self.last_sent: dict[str, float] = {}
        self.pending: dict[str, dict] = {}
        self.timers: dict[str, asyncio.TimerHandle] = {}
        note_socket_loop(asyncio.get_running_loop())
        await self.accept()

    async def disconnect(self, code):
        for timer in self.timers.values():
            timer.cancel()
        for groups in self.topics.values():
            for group in groups:
                async with layer_slot():
                    await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        kind = content["type"]
        names = content.get("topics")
        if kind not in ("subscribe", "unsubscribe"):
            return await self.send_error("bad_message", _("Unknown message type."))
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            return await self.send_error("bad_message", _("Name the topics as a list of strings."))
        names = list(dict.fromkeys(names))
        if kind == "unsubscribe":
            for name in names:
                for group in self.topics.pop(name, []):
                    async with layer_slot():
                        await self.channel_layer.group_discard(group, self.channel_name)
            return await self.send_json({"type": "unsubscribed", "topics": names})
        if len(set(self.topics) | set(names)) > MAX_TOPICS:
            return await self.send_error(
                "too_many_topics", _("At most %(n)d topics on one connection.") % {"n": MAX_TOPICS}
            )
        allowed = await resolve_all(self.user, names)
        refused = [name for name, groups in allowed.items() if groups is None]
        accepted = [name for name, groups in allowed.items() if groups is not None]
        for name in accepted:
            for group in allowed[name]:
                async with layer_slot():
                    await self.channel_layer.group_add(group, self.channel_name)
            self.topics[name] = allowed[name]
        if accepted:
            await self.send_json({"type": "subscribed", "topics": accepted})
        if refused:
            await self.send_error(
                "refused_topics",
                _("You may not follow these topics: %(topics)s") % {"topics": ", ".join(refused)},
                topics=refused,
            )

    async def live_changed(self, message):
        name = message["topic"]
        if name not in self.topics:
            return
        interval = message.get("every", settings.REALTIME_COALESCE_SECONDS)
        now = time.monotonic()
        if name in self.timers:
            self.pending[name] = message
            return
        wait = self.last_sent.get(name, -1e9) + interval - now
        if wait <= 0:
            await self._push(name, message)
            return
        self.pending[name] = message
        loop = asyncio.get_running_loop()
        self.timers[name] = loop.call_later(wait, lambda: loop.create_task(self._flush(name)))

    async def _flush(self, name):
        self.timers.pop(name, None)
        message = self.pending.pop(name, None)
        if message is not None and name in self.topics:
            await self._push(name, message)

    async def _push(self, name, message):
        self.last_sent[name] = time.monotonic()
        await self.send_json({"type": "changed", "topic": name, "version": message["version"]})
