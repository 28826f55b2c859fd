"""A browser opens the portal's socket through the ASGI server: the round trip every live page uses."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_browser_socket_reconnects_and_sends_what_was_queued(page, asgi_server, settings):
    settings.REALTIME_ECHO = True
    page.goto(f"{asgi_server.url}/")
    page.add_script_tag(url=f"{asgi_server.url}/static/js/realtime.js")
    page.evaluate(
        """() => new Promise(resolve => {
            window.got = []; window.states = [];
            window.sock = CivicSocket.open('/ws/echo/', {
                onopen: (s, again) => { if (!again) resolve(); },
                onmessage: m => window.got.push(m),
                onstate: s => window.states.push(s),
            });
        })"""
    )
    page.evaluate("() => window.sock.send({type: 'hello', n: 1})")
    page.wait_for_function("() => window.got.length === 1")
    page.evaluate("() => { window.sock.drop(); window.sock.send({type: 'after-drop', n: 2}); }")
    page.wait_for_function("() => window.got.length === 2", timeout=10_000)
    assert page.evaluate("() => window.got.map(m => m.type)") == ["hello", "after-drop"]
    assert "offline" in page.evaluate("() => window.states")
