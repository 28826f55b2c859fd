"""One beat for the whole city (civicportal/beatlock.py): a second beat is refused."""

import os

import pytest
import redis

from civicportal import beatlock

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_client(settings):
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis at REDIS_URL")
    settings.REDIS_URL = REDIS_URL
    client.delete(beatlock.LOCK_NAME)
    yield client
    client.delete(beatlock.LOCK_NAME)


def test_a_second_beat_is_refused_while_the_first_holds_the_lock(redis_client):
    first = beatlock.acquire(seconds=30, client=redis_client)
    assert redis_client.ttl(beatlock.LOCK_NAME) > 0
    with pytest.raises(beatlock.BeatAlreadyRunning, match=str(os.getpid())):
        beatlock.acquire(seconds=30, client=redis_client)
    beatlock.release(first)
    assert redis_client.get(beatlock.LOCK_NAME) is None


def test_a_beat_may_start_once_the_first_released_the_lock(redis_client):
    beatlock.release(beatlock.acquire(seconds=30, client=redis_client))
    again = beatlock.acquire(seconds=30, client=redis_client)
    assert again is not None
    beatlock.release(again)


def test_a_lock_left_by_a_dead_beat_expires(redis_client):
    redis_client.set(beatlock.LOCK_NAME, "gone-host:1", px=200)
    with pytest.raises(beatlock.BeatAlreadyRunning, match="gone-host:1"):
        beatlock.acquire(seconds=30, client=redis_client)
    import time

    time.sleep(0.3)
    beatlock.release(beatlock.acquire(seconds=30, client=redis_client))


def test_without_redis_there_is_nothing_to_lock(settings):
    settings.REDIS_URL = ""
    assert beatlock.acquire() is None
