"""Socket tests: an ``async def`` test body run on its own event loop in its own thread.

The browser tests' sync Playwright keeps an event loop in the main thread, so a test cannot
start another there; each socket test gets a fresh loop in a worker thread instead. Database
work inside consumers runs in further threads: with CONN_MAX_AGE 0 each closes its connection
when done, so none is left holding the test database.
"""

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from civicportal.asgi import application

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def socket_test(fn):
    """Decorate an ``async def`` test (fixtures as usual; use a transactional database)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        kept = connections.settings["default"].get("CONN_MAX_AGE", 0)
        connections.settings["default"]["CONN_MAX_AGE"] = 0
        try:
            with ThreadPoolExecutor(1) as pool:
                return pool.submit(asyncio.run, asyncio.wait_for(fn(*args, **kwargs), 30)).result()
        finally:
            connections.settings["default"]["CONN_MAX_AGE"] = kept

    return run


async def connect(path, *, headers=(ORIGIN,), app=application):
    """A communicator on ``path``; returns (communicator, connected, close code or subprotocol)."""
    communicator = WebsocketCommunicator(app, path, headers=list(headers))
    connected, code = await communicator.connect()
    return communicator, connected, code


def db(fn):
    """``await db(lambda: Model.objects.create(...))`` from a socket test."""
    return sync_to_async(fn, thread_sensitive=False)()
