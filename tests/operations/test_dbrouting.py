"""The replica router's rules (civicportal/dbrouting.py), without a replica: which alias each
read and write is given, which views are marked, and what the settings make of the environment.
Against a real replica: tests/integration/test_replica.py."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.urls import resolve

from civicportal import dbrouting
from civicportal.dbrouting import ReadYourWritesMiddleware, ReplicaRouter, reads_may_lag

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def replica_healthy(monkeypatch):
    state = {"healthy": True}
    monkeypatch.setattr(dbrouting.health, "is_healthy", lambda: state["healthy"])
    return state


@pytest.fixture
def sticky(settings):
    settings.DATABASE_REPLICA_STICKY_SECONDS = 30
    return settings


def test_reads_outside_a_lag_ok_scope_go_to_the_primary(replica_healthy):
    assert ReplicaRouter().db_for_read(None) == "default"


def test_reads_in_a_lag_ok_scope_go_to_a_healthy_replica_and_else_to_the_primary(replica_healthy):
    router = ReplicaRouter()
    with reads_may_lag():
        assert router.db_for_read(None) == "replica"
        replica_healthy["healthy"] = False
        assert router.db_for_read(None) == "default"
    assert router.db_for_read(None) == "default"


def test_a_write_goes_to_the_primary_and_turns_the_rest_of_the_scope_to_it(replica_healthy):
    router = ReplicaRouter()
    with reads_may_lag():
        assert router.db_for_read(None) == "replica"
        assert router.db_for_write(None) == "default"
        assert router.db_for_read(None) == "default"
        with reads_may_lag():
            assert router.db_for_read(None) == "default"


def test_reads_inside_a_transaction_on_the_primary_stay_in_it(replica_healthy, monkeypatch):
    monkeypatch.setattr(connections["default"], "in_atomic_block", True)
    with reads_may_lag():
        assert ReplicaRouter().db_for_read(None) == "default"


def test_primary_only_overrides_a_lag_ok_scope(replica_healthy):
    with reads_may_lag(), dbrouting.primary_only():
        assert ReplicaRouter().db_for_read(None) == "default"


def test_migrations_run_on_the_primary_only():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "polls") is True
    assert router.allow_migrate("replica", "polls") is False


@pytest.mark.parametrize(
    "path",
    [
        "/complaints/board/",
        "/complaints/report/",
        "/complaints/report.csv",
        "/proposals/statistics/",
        "/api/v1/proposals/statistics/",
        "/opendata/",
        "/opendata/dashboard/",
        "/api/v1/opendata/cases/",
        "/api/v1/polls/",
        "/api/v1/directory/departments/",
        "/alerts/",
        "/alerts/feed.atom",
        "/alerts/KR-SEOUL-1/",
        "/api/v1/alerts/",
    ],
)
def test_pages_whose_reads_may_lag_are_marked(path):
    assert dbrouting.view_reads_may_lag(resolve(path).func)


@pytest.mark.parametrize(
    "path",
    ["/complaints/file/", "/complaints/mine/", "/api/v1/polls/1/", "/api/v1/polls/1/vote/", "/api/v1/me/", "/"],
)
def test_other_pages_are_not_marked(path):
    assert not dbrouting.view_reads_may_lag(resolve(path).func)


def _through_middleware(request, view):
    seen = {}

    def inner(request):
        ReadYourWritesMiddleware.process_view(middleware, request, view, (), {})
        return view(request, seen)

    middleware = ReadYourWritesMiddleware(inner)
    return middleware(request), seen


@reads_may_lag
def _marked(request, seen):
    seen["may_lag"] = dbrouting._scope.get().may_lag
    return HttpResponse("ok")


def _plain(request, seen):
    seen["may_lag"] = dbrouting._scope.get().may_lag
    return HttpResponse("ok")


def test_a_marked_view_answering_a_get_may_read_from_the_replica(sticky):
    _, seen = _through_middleware(RequestFactory().get("/", HTTP_AUTHORIZATION="Token reader-1"), _marked)
    assert seen["may_lag"] is True
    assert dbrouting._scope.get() is None


def test_a_view_not_marked_reads_from_the_primary(sticky):
    _, seen = _through_middleware(RequestFactory().get("/", HTTP_AUTHORIZATION="Token reader-2"), _plain)
    assert seen["may_lag"] is False


def test_after_a_post_the_same_client_reads_from_the_primary_and_others_do_not(sticky):
    factory = RequestFactory()
    _, seen = _through_middleware(factory.post("/", HTTP_AUTHORIZATION="Token writer-1"), _marked)
    assert seen["may_lag"] is False
    _, seen = _through_middleware(factory.get("/", HTTP_AUTHORIZATION="Token writer-1"), _marked)
    assert seen["may_lag"] is False
    _, seen = _through_middleware(factory.get("/", HTTP_AUTHORIZATION="Token someone-else-1"), _marked)
    assert seen["may_lag"] is True


def test_a_get_that_wrote_makes_its_client_read_from_the_primary_next(sticky):
    def writes(request, seen):
        ReplicaRouter().db_for_write(None)
        return HttpResponse("ok")

    writes.reads_may_lag = True
    factory = RequestFactory()
    _through_middleware(factory.get("/", HTTP_AUTHORIZATION="Token get-writer-1"), writes)
    _, seen = _through_middleware(factory.get("/", HTTP_AUTHORIZATION="Token get-writer-1"), _marked)
    assert seen["may_lag"] is False


def test_a_streamed_response_keeps_the_scope_while_it_streams(sticky):
    @reads_may_lag
    def streams(request, seen):
        def rows():
            yield str(dbrouting._scope.get().may_lag)

        return StreamingHttpResponse(rows())

    response, _ = _through_middleware(RequestFactory().get("/", HTTP_AUTHORIZATION="Token streamer-1"), streams)
    assert b"".join(response.streaming_content) == b"True"


def test_without_a_replica_url_there_is_one_database_and_no_router():
    assert "DATABASE_REPLICA_URL" not in os.environ
    assert set(settings.DATABASES) == {"default"}
    assert not getattr(settings, "DATABASE_ROUTERS", [])
    assert "civicportal.dbrouting.ReadYourWritesMiddleware" not in settings.MIDDLEWARE


def _settings_with(**environment) -> dict:
    script = (
        "import json, django; from django.conf import settings as s; django.setup();"
        "print(json.dumps({'databases': s.DATABASES, 'routers': s.DATABASE_ROUTERS,"
        " 'middleware': s.MIDDLEWARE, 'prepared': s.DATABASE_PREPARED_STATEMENTS}, default=str))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env.update(DJANGO_SETTINGS_MODULE="civicportal.settings", DEBUG="true", **environment)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_replica_url_adds_the_replica_its_router_and_a_test_mirror():
    made = _settings_with(
        DATABASE_URL="postgres://portal@db.example:5432/portal",
        DATABASE_REPLICA_URL="postgres://portal@replica.example:5432/portal",
    )
    replica = made["databases"]["replica"]
    assert replica["HOST"] == "replica.example"
    assert replica["ENGINE"] == made["databases"]["default"]["ENGINE"]
    assert replica["TEST"]["MIRROR"] == "default"
    assert replica["OPTIONS"]["connect_timeout"] == 1
    assert made["routers"] == ["civicportal.dbrouting.ReplicaRouter"]
    assert "civicportal.dbrouting.ReadYourWritesMiddleware" in made["middleware"]
    assert made["prepared"] is True


def test_behind_pgbouncer_prepared_statements_and_server_side_cursors_are_off():
    made = _settings_with(
        DATABASE_URL="postgres://portal@pgbouncer:6432/portal",
        DATABASE_REPLICA_URL="postgres://portal@pgbouncer:6432/portal_replica",
        DATABASE_POOLER="pgbouncer",
    )
    assert made["prepared"] is False
    for alias in ("default", "replica"):
        assert made["databases"][alias]["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert made["databases"][alias]["OPTIONS"]["prepare_threshold"] is None
