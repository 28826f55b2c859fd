"""Helpers of the live counselling tests: a socket as a signed-in user or an anonymous citizen."""

import datetime as dt

from django.conf import settings
from django.test import Client

from callcenter.chat import services
from callcenter.chat.models import InterpreterHours
from tests.callcenter.factories import TopicFactory
from tests.sockets import ORIGIN, connect, db


def cookie_for(user) -> tuple[bytes, bytes]:
    """The login cookie of ``user``, made once per test (a reconnect sends the same cookie)."""
    cached = getattr(user, "_test_cookie", None)
    if cached:
        return cached
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    user._test_cookie = (b"cookie", f"{name}={client.cookies[name].value}".encode())
    return user._test_cookie


async def socket_as(user, conversation_id, *, after=0, token=None, expect_join=True):
    """A chat socket of ``user`` (None: anonymous) that has sent ``join``; returns (socket, joined)."""
    headers = [ORIGIN]
    if user is not None:
        headers.append(await db(lambda: cookie_for(user)))
    ws, connected, _ = await connect(f"/ws/callcenter/chat/{conversation_id}/", headers=headers)
    assert connected
    join = {"type": "join", "after": after}
    if token:
        join["token"] = token
    await ws.send_json_to(join)
    if not expect_join:
        return ws, None
    joined = await ws.receive_json_from()
    assert joined["type"] == "joined", joined
    return ws, joined


async def queue_socket_as(user):
    headers = [ORIGIN]
    if user is not None:
        headers.append(await db(lambda: cookie_for(user)))
    return await connect("/ws/callcenter/queue/", headers=headers)


def start(citizen=None, *, kind="text", language="ko", name="", topic=None, **kwargs):
    topic = topic or TopicFactory(code="transport", name_ko="교통", name_en="Transport")
    return services.conversation_start(citizen=citizen, kind=kind, language=language, topic=topic, name=name, **kwargs)


def interpreters_all_week():
    for weekday in range(7):
        InterpreterHours.objects.create(weekday=weekday, starts=dt.time(0, 0), ends=dt.time(23, 59, 59))


async def next_of(ws, kind, limit=10):
    """The next message of ``kind`` on ``ws``, skipping others (e.g. status pushes)."""
    for _ in range(limit):
        message = await ws.receive_json_from(timeout=3)
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message")
