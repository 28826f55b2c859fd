"""Celery's Redis transport, publishing through one Redis client per channel.

kombu's Redis channel builds a new ``redis.Redis`` for every message it publishes
(``conn_or_acquire``), and each one fills a table of about 200 response callbacks: half
the time of queueing a task from a request (filing a case queues its acknowledgement).
A ``redis.Redis`` is safe to share (it takes a connection from its pool per command), so
each channel keeps one, made again only when the channel's pool is replaced. Consuming,
and everything else, is kombu's own."""

from contextlib import contextmanager

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    _publish_client = None

    @contextmanager
    def conn_or_acquire(self, client=None):
        if client:
            yield client
            return
        shared = self._publish_client
        if shared is None or shared.connection_pool is not self.pool:
            shared = self._publish_client = self._create_client()
        yield shared


class Transport(kombu_redis.Transport):
    Channel = Channel
