"""Django's Redis cache with one client object per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache
operation, and each one fills a table of about 200 response callbacks: on the API, where
every request reads and writes its throttle history, that was a visible share of a
request's time. A ``redis.Redis`` is safe to share (it takes a connection from its pool
per command), so one per pool is kept and reused."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


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
