"""Socket tests: an ``async def`` test body run on its own event loop in its own thread.

The browser tests' sync Playwright keeps an event loop in the main thread, so a test cannot
start another there; each socket test gets a fresh loop in a worker thread instead. Database
work inside consumers runs in further threads: with CONN_MAX_AGE 0 each closes its connection
when done, so none is left holding the test database.

Every socket a test opens is closed by the client at the end of the test, as a browser closes
its sockets: a communicator left to the garbage collector cancels its consumer from whatever
thread collects it, and a channels-redis receive cancelled that way may never wake up.
"""

import asyncio
import contextvars
import functools
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import connections

from civicportal.asgi import application

ORIGIN = (b"origin", b"http://127.0.0.1:8000")
_opened: contextvars.ContextVar[list] = contextvars.ContextVar("opened_sockets")


def socket_test(fn):
    """Decorate an ``async def`` test (fixtures as usual; use a transactional database)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        kept = connections.settings["default"].get("CONN_MAX_AGE", 0)
        connections.settings["default"]["CONN_MAX_AGE"] = 0
        # A channel layer keeps loop-bound state (channels-redis: its receive lock, buffers and
        # pools): each test's loop gets layers of its own.
        channel_layers.backends.clear()
        try:
            with ThreadPoolExecutor(1) as pool:
                return pool.submit(run_on_a_loop_of_its_own, closing_sockets(fn(*args, **kwargs))).result()
        finally:
            channel_layers.backends.clear()
            connections.settings["default"]["CONN_MAX_AGE"] = kept

    return run


async def closing_sockets(body):
    opened = []
    _opened.set(opened)
    try:
        return await body
    finally:
        for communicator in opened:
            if not communicator.future.done():
                try:
                    await communicator.disconnect()
                except Exception:  # noqa: BLE001,S110 - the test's own outcome is what counts
                    pass


def run_on_a_loop_of_its_own(coroutine, limit=30, grace=5):
    """Run ``coroutine`` on a new loop; a task left over that does not end when cancelled fails
    the test with its stack (``asyncio.run`` would wait for it for ever)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(asyncio.wait_for(coroutine, limit))
    finally:
        try:
            left = asyncio.all_tasks(loop)
            for task in left:
                task.cancel()
            stuck = set()
            if left:
                _done, stuck = loop.run_until_complete(asyncio.wait(left, timeout=grace))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()
        if stuck:
            stacks = "\n".join(f"{task!r}: {task.get_stack()!r}" for task in stuck)
            raise AssertionError(f"tasks that did not end when cancelled:\n{stacks}")


async def connect(path, *, headers=(ORIGIN,), app=application):
    """A communicator on ``path``; returns (communicator, connected, close code or subprotocol)."""
    communicator = WebsocketCommunicator(app, path, headers=list(headers))
    _opened.get([]).append(communicator)
    connected, code = await communicator.connect()
    return communicator, connected, code


def db(fn):
    """``await db(lambda: Model.objects.create(...))`` from a socket test."""
    return sync_to_async(fn, thread_sensitive=False)()
