"""Database work of the sockets, on a bounded pool of threads of its own.

``channels.db.database_sync_to_async`` runs every database call of a process on ONE thread
(``thread_sensitive=True``). A chat message costs a commit (tens of milliseconds on a disk that
syncs), so one thread stores at most a few dozen messages a second for the whole process, and
everything else waits behind it: at 400 messages a second the queue grew by minutes
(bench/realtime_chat.py). Here each call runs on one of ``REALTIME_DB_THREADS`` threads, so
commits of different conversations overlap (PostgreSQL flushes their WAL together).

Each thread keeps its own connection (``CONN_MAX_AGE``); ``close_old_connections`` runs before
and after every call, as in a request, so a broken or expired connection is replaced and none
is left inside a transaction. The pool bounds the connections a process opens to the database.
Calls of one socket never overlap: a consumer handles its messages one after the other.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from channels.db import DatabaseSyncToAsync
from django.conf import settings

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=settings.REALTIME_DB_THREADS, thread_name_prefix="realtime-db")
        return _pool


class _PoolExecutor(ThreadPoolExecutor):
    """Stands for the pool, created on first use (settings are read then, not at import)."""

    def __init__(self):  # noqa: D107 - no threads of its own
        pass

    def submit(self, fn, /, *args, **kwargs):
        return pool().submit(fn, *args, **kwargs)

    def shutdown(self, wait=True, *, cancel_futures=False):
        pass  # the pool lives as long as the process


_executor = _PoolExecutor()


class database_work(DatabaseSyncToAsync):  # noqa: N801 - used as a decorator, like database_sync_to_async
    """``@database_work`` on a sync function or method: ``await``-able, run on the socket pool;
    with ``REALTIME_DB_THREADS`` 1 (SQLite: one writer), on Channels' one thread as before."""

    def __init__(self, func):
        super().__init__(func, thread_sensitive=False, executor=_executor)
        self._on_one_thread = DatabaseSyncToAsync(func)

    async def __call__(self, *args, **kwargs):
        if settings.REALTIME_DB_THREADS <= 1:
            return await self._on_one_thread(*args, **kwargs)
        return await super().__call__(*args, **kwargs)
