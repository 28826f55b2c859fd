"""Send news to the sockets of a group once the change that made it is committed.

Groups are named by their subject (``alerts``, ``poll.12``, ``callcenter.queue``); a consumer
that joined the group receives ``{"type": "push", ...}`` and forwards it to its reader. A socket
that was closed misses it and reads the page again on reconnect, so a push is news, never the
only copy of anything.
"""

import asyncio
import logging
import os
import threading
import time
import weakref

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def send_now(group: str, message: dict) -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(_bounded_group_send)(layer, group, message)
    except Exception:  # noqa: BLE001 - news that cannot be sent must not fail the change that made it
        logger.warning("realtime: could not publish to %s", group, exc_info=True)
        return False
    return True


def publish(group: str, event: str, **payload) -> None:
    """Push ``{"type": "push", "event": event, ...payload}`` to ``group`` after commit."""
    message = {"type": "push", "event": event, **payload}
    transaction.on_commit(lambda: send_now(group, message))


# --- "something changed" news, coalesced --------------------------------------------------
#
# A poll with 1,000 votes a second must not send 1,000 messages a second into the channel
# layer, nor 1,000 pushes to each reader. ``announce`` sends at most one message per group per
# ``REALTIME_COALESCE_SECONDS`` from each process (the first at once, the last of a burst at the
# end of the window, so the final state is always announced), and each socket coalesces again
# (see ``live.LiveConsumer``). The message names no one: readers fetch the page part again.


_socket_loop = {}


def note_socket_loop(loop) -> None:
    """A socket was opened on ``loop``: news published from outside any event loop goes there
    (the in-memory layer's queues belong to the loop that serves its sockets)."""
    _socket_loop[os.getpid()] = loop


def _usable(loop) -> bool:
    return loop is not None and loop.is_running() and not loop.is_closed()


def _serving_loop():
    """The event loop that serves this process's sockets: the caller's own, or (a sync view under
    an ASGI server runs in a thread whose asgiref thread-local names it) the server's, or the
    last one a socket opened on; else the publishing thread's own loop (WSGI, Celery: only a
    Redis layer reaches sockets from there)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) == os.getpid():
        loop = getattr(local, "main_event_loop", None)
        if _usable(loop):
            return loop
    loop = _socket_loop.get(os.getpid())
    if _usable(loop):
        return loop
    return _background_loop()


_background = {}
_background_lock = threading.Lock()


def _background_loop():
    with _background_lock:
        loop = _background.get(os.getpid())
        if loop is None or loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="realtime-publish", daemon=True).start()
            _background[os.getpid()] = loop
        return loop


class Coalescer:
    """Per event loop: one send per group per ``interval``; a burst ends with a trailing send."""

    def __init__(self):
        self.by_loop = weakref.WeakKeyDictionary()

    def state(self, loop):
        return self.by_loop.setdefault(loop, {})

    async def offer(self, group: str, message: dict, interval: float) -> None:
        loop = asyncio.get_running_loop()
        groups = self.state(loop)
        now = loop.time()
        entry = groups.get(group)
        if entry is None:
            entry = groups[group] = {"last": -1e9, "pending": None, "timer": None}
        if entry["timer"] is not None:
            entry["pending"] = message  # the trailing send carries the newest version
            return
        wait = entry["last"] + interval - now
        if wait <= 0:
            entry["last"] = now
            await _group_send(group, message)
            return
        entry["pending"] = message
        entry["timer"] = loop.call_later(wait, lambda: loop.create_task(self.flush(group)))

    async def flush(self, group: str) -> None:
        loop = asyncio.get_running_loop()
        entry = self.state(loop).get(group)
        if entry is None:
            return
        message, entry["pending"], entry["timer"] = entry["pending"], None, None
        entry["last"] = loop.time()
        if message is not None:
            await _group_send(group, message)


coalescer = Coalescer()


_slots = weakref.WeakKeyDictionary()


def layer_slot() -> asyncio.Semaphore:
    """Bounds the channel-layer calls in flight on this loop (``REALTIME_LAYER_CONCURRENCY``).

    channels-redis borrows a pooled connection per call and fails with "Too many connections"
    past the pool's size (100): 200 pages reconnecting at once after a restart did that here
    (bench/asgi_servers.py). Waiting for a slot costs a millisecond; failing costs the socket."""
    loop = asyncio.get_running_loop()
    slot = _slots.get(loop)
    if slot is None:
        slot = _slots[loop] = asyncio.Semaphore(getattr(settings, "REALTIME_LAYER_CONCURRENCY", 50))
    return slot


async def _bounded_group_send(layer, group, message):
    async with layer_slot():
        await layer.group_send(group, message)


async def _group_send(group, message):
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async with layer_slot():
            await layer.group_send(group, message)
    except Exception:  # noqa: BLE001 - news that cannot be sent must not fail anything
        logger.warning("realtime: could not announce to %s", group, exc_info=True)


def version_now() -> int:
    """Versions are the server's clock in milliseconds: newer news has a larger number."""
    return time.time_ns() // 1_000_000


def announce_now(group: str, topic: str, every: float | None = None) -> None:
    """Queue ``{"type": "live.changed", "topic", "version"}`` for ``group`` (coalesced: at most
    one per ``every`` seconds, ``REALTIME_COALESCE_SECONDS`` by default); never blocks."""
    interval = settings.REALTIME_COALESCE_SECONDS if every is None else every
    message = {"type": "live.changed", "topic": topic, "version": version_now(), "every": interval}
    loop = _serving_loop()
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        loop.create_task(coalescer.offer(group, message, interval))
    else:
        asyncio.run_coroutine_threadsafe(coalescer.offer(group, message, interval), loop)


def announce(group: str, topic: str, every: float | None = None) -> None:
    """Tell the sockets subscribed to ``group`` that ``topic`` changed, once the change commits."""
    transaction.on_commit(lambda: announce_now(group, topic, every))


def layer_reaches_workers() -> bool:
    """The in-memory layer lives in one process: a Celery worker's news reaches no socket.
    Any other layer (Redis) is shared by every process."""
    from django.conf import settings as current

    backend = current.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")
    return bool(backend) and not backend.endswith("InMemoryChannelLayer")
