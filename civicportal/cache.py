"""Django's Redis cache with one client object per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache
operation, and each one fills a table of about 200 response callbacks: on the API, where
every request reads and writes its throttle history, that was a visible share of a
request's time. A ``redis.Redis`` is safe to share (it takes a connection from its pool
per command), so one per pool is kept and reused."""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from civicportal.operations.metrics import observe_cache

logger = logging.getLogger(__name__)


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self.scripts = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def run_script(self, script: str, key: str, args: list):
        """Run a Lua ``script`` on ``key`` (made into this cache's full key) in one round trip."""
        client = self._cache.get_client(key, write=True)
        scripts = self._cache.scripts.setdefault(id(client), {})
        runner = scripts.get(script)
        if runner is None:
            runner = scripts[script] = client.register_script(script)
        return runner(keys=[self.make_and_validate_key(key)], args=args)


class TolerantRedisCache(RedisCache):
    """A cache that degrades instead of failing while Redis is down.

    A cache is a copy: when Redis does not answer, a read is a miss, a write is dropped and a
    throttle's script allows the request (``take`` gets "0"), so pages and the API keep
    serving from the database rather than answering 500. After a failure Redis is left alone
    for ``RETRY_SECONDS`` so that every request does not pay the connect timeout; then it is
    tried again. Each outage is logged once, and its end too."""

    RETRY_SECONDS = 5.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0
        self._down = False

    def _call(self, name, default, *args, **kwargs):
        if time.monotonic() < self._down_until:
            observe_cache(name, "skipped", 0.0)
            return default
        start = time.perf_counter()
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            observe_cache(name, "error", time.perf_counter() - start)
            if not self._down:
                logger.warning("cache: Redis unavailable (%s); serving without it", exc)
            self._down = True
            self._down_until = time.monotonic() + self.RETRY_SECONDS
            return default
        observe_cache(name, "ok", time.perf_counter() - start)
        if self._down:
            self._down = False
            logger.warning("cache: Redis is back")
        return result

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", [], data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", None, key, delta, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def clear(self):
        return self._call("clear", None)

    def run_script(self, script, key, args):
        return self._call("run_script", "0", script, key, args)
