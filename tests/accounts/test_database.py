"""The PostgreSQL backend's health check: no round trip on a busy connection, and still a
fresh connection when the server dropped the old one (civicportal/db/postgresql)."""

import io
import time

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from rest_framework.authtoken.models import Token

from civicportal.db.postgresql import base as backend

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _get(handler, path, token):
    """One request through the WSGI handler, as gunicorn makes it (with the request
    signals that close or check connections, which the test client leaves out)."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "HTTP_AUTHORIZATION": f"Token {token}",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
    }
    status = {}
    response = handler(environ, lambda s, headers, exc_info=None: status.setdefault("line", s))
    body = b"".join(response)
    response.close()
    return int(status["line"].split()[0]), body


@pytest.fixture
def token(citizen):
    return Token.objects.create(user=citizen).key


@pytest.fixture
def handler(settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    return WSGIHandler()


@pytest.fixture
def pings(monkeypatch):
    calls = []
    real = backend.DatabaseWrapper.is_usable

    def counted(self):
        calls.append(1)
        return real(self)

    monkeypatch.setattr(backend.DatabaseWrapper, "is_usable", counted)
    return calls


def test_the_portal_runs_on_its_own_backend():
    assert isinstance(connections["default"], backend.DatabaseWrapper)
    assert connections["default"].health_check_enabled


def test_a_busy_connection_is_checked_without_a_round_trip(handler, token, pings):
    for _ in range(3):
        assert _get(handler, "/api/v1/notifications/unread_count/", token)[0] == 200
    assert pings == []
    connection._trusted_until = 0.0  # as if the last real check were long ago
    assert _get(handler, "/api/v1/notifications/unread_count/", token)[0] == 200
    assert pings == [1]
    assert _get(handler, "/api/v1/notifications/unread_count/", token)[0] == 200
    assert pings == [1]


def test_a_connection_the_server_dropped_is_replaced_before_the_request_runs(handler, token, pings):
    assert _get(handler, "/api/v1/notifications/unread_count/", token)[0] == 200
    old_pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [old_pid])
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [old_pid]).fetchone():
            assert time.monotonic() < deadline, "the backend did not go away"
            time.sleep(0.05)
    assert connection._trusted_until > time.monotonic()  # the clock alone would trust it

    status, body = _get(handler, "/api/v1/notifications/unread_count/", token)

    assert status == 200, body[:300]
    assert pings == [1]  # the socket had the server's goodbye, so the real check ran
    assert connection.connection.info.backend_pid != old_pid


def _prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_token_lookup_is_a_prepared_statement_and_still_logged(handler, token):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        for _ in range(2):
            assert _get(handler, "/api/v1/notifications/unread_count/", token)[0] == 200

    prepared = [s for s in _prepared_statements() if "authtoken_token" in s]
    assert len(prepared) == 1  # prepared once, run twice
    logged = [q["sql"] for q in queries if "authtoken_token" in q["sql"]]
    assert len(logged) == 2 and all(token in sql for sql in logged)  # with its value, for the logs


def test_prepared_statements_can_be_turned_off_for_a_pooler(handler, token, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    connection.close()

    assert _get(handler, "/api/v1/notifications/unread_count/", token)[0] == 200

    assert [s for s in _prepared_statements() if "authtoken_token" in s] == []
