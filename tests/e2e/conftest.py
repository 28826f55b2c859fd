"""Real-browser tests: Playwright driving Debian's /usr/bin/chromium, axe-core injected.

Never `playwright install`: the setup installs Debian's chromium and fonts-nanum.
"""

import base64
import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from civicportal.accounts import demo

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def pytest_collection_modifyitems(config, items):
    missing = [p for p in (CHROMIUM, str(AXE)) if not os.path.exists(p)]
    if not missing:
        return
    if os.environ.get("CI"):
        return  # in CI a missing browser must fail loudly, not skip
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=f"missing {', '.join(missing)}: run scripts/test.sh"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            # Nothing leaves the machine: any host but the live server fails to resolve.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
        ],
    }


# A 1×1 grey PNG stands in for every map tile.
TILE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGN49OIdAAVoArlrmxPjAAAAAElFTkSuQmCC"
)


def tile_pattern():
    """The configured tile URL template as a Playwright glob (``{z}`` and friends become ``*``)."""
    return re.sub(r"\{[a-z]\}", "*", settings.MAP_TILE_URL)


def serve_tiles_locally(context):
    """Answer the map's tile requests with TILE_PNG; returns the list of tile URLs served."""
    served = []

    def answer(route):
        served.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE_PNG)

    context.route(tile_pattern(), answer)
    return served


@pytest.fixture
def tiles_served(context):
    """Every page of the test's ``context`` gets its map tiles locally; the URLs served."""
    return serve_tiles_locally(context)


@pytest.fixture(autouse=True)
def _local_tiles(request):
    if "context" in request.fixturenames or "page" in request.fixturenames:
        if "tiles_served" not in request.fixturenames:
            serve_tiles_locally(request.getfixturevalue("context"))


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # bypass_csp lets the test inject axe-core; the pages themselves keep their strict CSP.
    return {**browser_context_args, "locale": "en-US", "timezone_id": "Asia/Seoul", "bypass_csp": True}


@pytest.fixture
def ko_page(browser):
    """A page in a browser whose owner reads Korean (the portal answers in Korean by itself);
    the default ``page`` reads English so assertions can use the source strings."""
    context = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul", bypass_csp=True)
    serve_tiles_locally(context)
    yield context.new_page()
    context.close()


@pytest.fixture
def demo_site(transactional_db):
    """The demo organisation and accounts, as a new user finds them."""
    demo.load_all()
    return demo


def check_a11y(page, context=""):
    """Run axe-core on the current page; fail on any serious or critical violation."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )
    assert result == [], f"axe violations on {context or page.url}:\n{json.dumps(result, indent=2, ensure_ascii=False)}"


def check_no_horizontal_scroll(page):
    """At 360 px nothing may force sideways scrolling (measured once the page and its
    stylesheets have loaded: a page reached by a click may still be loading them)."""
    page.wait_for_load_state("load")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 1:
        culprits = page.evaluate(
            """() => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && e.offsetParent !== null)
                .slice(0, 6)
                .map(e => `${e.tagName.toLowerCase()}.${e.className} → `
                          + `${Math.round(e.getBoundingClientRect().right)}px: `
                          + (e.textContent || '').trim().slice(0, 40))"""
        )
        raise AssertionError(f"page is {overflow}px wider than the viewport at {page.url}: {culprits}")


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, live_server, username, password=demo.DEMO_PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


class AsgiLiveServer:
    """The portal's ASGI application (HTTP, static files and websockets) served by uvicorn in a
    thread of the test process, so it shares the test database as ``live_server`` does."""

    def __init__(self):
        import threading

        import uvicorn
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        from civicportal.asgi import build_application, django_http

        app = build_application(ASGIStaticFilesHandler(django_http))
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", ws="websockets-sansio"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                break
            self.thread.join(0.05)
        assert self.server.started, "the ASGI test server did not start"
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}"

    def stop(self):
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def asgi_server(transactional_db, settings):
    """Like ``live_server``, with websockets: for pages that receive pushes.

    Connections opened by the server's threads are closed after each request (CONN_MAX_AGE 0),
    so none is left holding the test database when it is flushed or dropped."""
    from channels.layers import channel_layers
    from django.db import connections

    kept = connections.settings["default"].get("CONN_MAX_AGE", 0)
    connections.settings["default"]["CONN_MAX_AGE"] = 0
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    # A channel layer belongs to the event loop that receives on it (channels-redis refuses a
    # second one): each server starts with layers of its own, not those of the last server's loop.
    channel_layers.backends.clear()
    server = AsgiLiveServer()
    yield server
    server.stop()
    channel_layers.backends.clear()
    connections.settings["default"]["CONN_MAX_AGE"] = kept
