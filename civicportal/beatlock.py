"""One beat for the whole city: a lock in Redis that a starting beat must take.

Two beats (two hosts both running one, or ``--scale beat=2``) would send every scheduled
task twice. The tasks already tolerate running twice, but the sweeps and reminders would do
their work twice over for nothing, so a second beat refuses to start. The lock is held for
``BEAT_LOCK_SECONDS`` and renewed at a third of that while the beat lives; a beat that dies
without releasing it lets another start at most that long after. Without Redis (the embedded
setup: one machine, one beat) there is nothing to lock."""

import logging
import os
import socket
import threading

from django.conf import settings

log = logging.getLogger(__name__)

LOCK_NAME = "civic:beat:lock"


class BeatAlreadyRunning(RuntimeError):
    pass


def _client():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5, socket_timeout=5)


def acquire(*, seconds: int | None = None, client=None):
    """Take the beat lock or raise ``BeatAlreadyRunning`` naming its holder; returns the lock
    (renewed by a daemon thread until ``release``), or None without Redis."""
    if not settings.REDIS_URL:
        return None
    seconds = seconds or settings.BEAT_LOCK_SECONDS
    client = client or _client()
    holder = f"{socket.gethostname()}:{os.getpid()}"
    lock = client.lock(LOCK_NAME, timeout=seconds, thread_local=False)
    if not lock.acquire(blocking=False, token=holder):
        other = client.get(LOCK_NAME)
        raise BeatAlreadyRunning(
            f"another beat holds {LOCK_NAME} ({other.decode() if other else 'expired since'}); "
            "run exactly one beat (docs/operations.md, 'One beat')"
        )
    stop = threading.Event()

    def renew():
        while not stop.wait(seconds / 3):
            try:
                lock.reacquire()
                continue
            except Exception:  # noqa: BLE001,S110 - gone (Redis restarted empty) or Redis away
                pass
            try:
                if lock.acquire(blocking=False, token=holder):
                    log.warning("the beat lock was gone (Redis restarted?); %s took it again", holder)
                    continue
                other = client.get(LOCK_NAME)
            except Exception:  # noqa: BLE001 - Redis away: beat cannot dispatch either; try again
                log.warning("the beat lock cannot be renewed while Redis is away")
                continue
            log.critical("another beat (%s) holds the beat lock; stopping this beat", other)
            os._exit(1)

    threading.Thread(target=renew, name="beat-lock", daemon=True).start()
    lock.stop_renewing = stop
    log.info("beat lock %s taken by %s", LOCK_NAME, holder)
    return lock


def release(lock):
    if lock is None:
        return
    lock.stop_renewing.set()
    try:
        lock.release()
    except Exception:  # noqa: BLE001 - expired or taken over: nothing of ours to release
        log.warning("the beat lock was no longer ours at release")
