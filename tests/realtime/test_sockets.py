"""The real-time layer's doors: origin, login cookie, API token, limits, errors."""

import json

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from rest_framework.authtoken.models import Token

from civicportal.realtime.auth import socket_stack
from civicportal.realtime.consumers import PortalJsonConsumer, RateLimit
from tests import sockets
from tests.factories import CitizenFactory
from tests.sockets import ORIGIN, db, socket_test

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _echo_on(settings):
    settings.REALTIME_ECHO = True


async def connect(path="/ws/echo/", headers=(ORIGIN,)):
    return await sockets.connect(path, headers=headers)


@socket_test
async def test_echo_answers_from_an_allowed_origin():
    ws, connected, _ = await connect()
    assert connected
    await ws.send_json_to({"type": "ping", "n": 1})
    answer = await ws.receive_json_from()
    assert answer["type"] == "ping" and answer["n"] == 1 and answer["server_ms"] > 0
    await ws.disconnect()


@socket_test
async def test_echo_is_off_unless_asked_for(settings):
    settings.REALTIME_ECHO = False
    ws, connected, code = await connect()
    assert not connected and code == 4404


@pytest.mark.parametrize("headers", [[(b"origin", b"https://evil.example")], []], ids=["foreign", "none"])
@socket_test
async def test_a_foreign_or_missing_origin_is_refused(headers):
    _, connected, _ = await connect(headers=headers)
    assert not connected


@socket_test
async def test_a_trusted_origin_behind_a_proxy_is_let_in(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://portal.seoul.example"]
    _, connected, _ = await connect(headers=[(b"origin", b"https://portal.seoul.example")])
    assert connected


class WhoAmI(PortalJsonConsumer):
    async def connect(self):
        await self.accept()
        await self.send_json({"type": "me", "user": self.user.pk, "auth": self.scope["auth"]})


@socket_test
async def test_an_api_token_needs_no_origin_and_names_the_user():
    user = await db(CitizenFactory)
    token = await db(lambda: Token.objects.create(user=user))
    app = socket_stack(WhoAmI.as_asgi())
    ws = WebsocketCommunicator(app, "/ws/me/", headers=[(b"authorization", f"Token {token.key}".encode())])
    connected, _ = await ws.connect()
    assert connected
    assert await ws.receive_json_from() == {"type": "me", "user": user.pk, "auth": "token"}
    await ws.disconnect()


@socket_test
async def test_the_login_cookie_names_the_user(client):
    user = await db(CitizenFactory)
    await db(lambda: client.force_login(user))
    cookie = f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}"
    app = socket_stack(WhoAmI.as_asgi())
    ws = WebsocketCommunicator(app, "/ws/me/", headers=[ORIGIN, (b"cookie", cookie.encode())])
    connected, _ = await ws.connect()
    assert connected
    assert await ws.receive_json_from() == {"type": "me", "user": user.pk, "auth": "session"}
    await ws.disconnect()


@socket_test
async def test_a_wrong_api_token_is_refused():
    _, connected, code = await connect(headers=[(b"authorization", b"Token not-a-key")])
    assert not connected and code == 4401


@socket_test
async def test_bad_messages_get_errors_and_the_socket_stays_open(settings):
    settings.REALTIME_MAX_MESSAGE_BYTES = 100
    ws, _, _ = await connect()
    await ws.send_to(text_data="{not json")
    assert (await ws.receive_json_from())["code"] == "bad_json"
    await ws.send_to(text_data=json.dumps([1, 2]))
    assert (await ws.receive_json_from())["code"] == "bad_message"
    await ws.send_to(text_data=json.dumps({"type": "x", "text": "가" * 100}))
    error = await ws.receive_json_from()
    assert error["code"] == "too_large" and "100" in error["message"]
    await ws.send_json_to({"type": "still-open"})
    assert (await ws.receive_json_from())["type"] == "still-open"
    await ws.disconnect()


@socket_test
async def test_errors_speak_the_readers_language(settings):
    settings.REALTIME_MAX_MESSAGE_BYTES = 10
    ws, _, _ = await connect(headers=[ORIGIN, (b"accept-language", b"ko-KR,ko;q=0.9")])
    await ws.send_to(text_data=json.dumps({"type": "long message"}))
    error = await ws.receive_json_from()
    assert error["code"] == "too_large"
    assert "메시지" in error["message"], error["message"]
    await ws.disconnect()


def test_rate_limit_refuses_past_the_count_and_frees_after_the_window():
    limit = RateLimit(2, 10)
    assert limit.allow(0)[0] and limit.allow(1)[0]
    allowed, wait = limit.allow(2)
    assert not allowed and wait == pytest.approx(8)
    assert limit.allow(10.5)[0]


def test_the_layer_is_redis_when_redis_is_configured():
    backend = django_settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if django_settings.REDIS_URL:
        assert backend == "channels_redis.core.RedisChannelLayer"
    else:
        assert backend == "channels.layers.InMemoryChannelLayer"
