"""A socket on the Redis channel layer survives being idle longer than the layer's blocking read."""

import asyncio

import pytest
from django.conf import settings as django_settings

from tests import sockets
from tests.sockets import socket_test

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not django_settings.REDIS_URL, reason="needs Redis (REDIS_URL)"),
]


@socket_test
async def test_an_idle_socket_still_answers_after_the_layers_five_second_read(settings):
    settings.REALTIME_ECHO = True
    ws, connected, _ = await sockets.connect("/ws/echo/")
    assert connected

    await asyncio.sleep(7)  # the layer blocks 5 s per read; redis-py 8 timed the read out at 5 s
    await ws.send_json_to({"type": "ping", "n": 2})

    answer = await ws.receive_json_from(timeout=5)
    assert answer["n"] == 2
    await ws.disconnect()
