"""A database or a cache that goes away: 503 with Retry-After or a degraded service, never a 500."""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token

from civicportal.cache import TolerantRedisCache
from polls.models import Ballot
from tests.factories import CitizenFactory
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db

# A port nothing listens on: Redis "down".
DEAD_REDIS = "redis://127.0.0.1:6391/0"


@pytest.fixture
def api_client():
    token = Token.objects.create(user=CitizenFactory())
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token.key}")


@pytest.fixture
def database_down(monkeypatch):
    """Every new cursor fails as a database that restarts makes it fail."""

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused: the database system is shutting down")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)


def test_an_api_request_during_an_outage_is_503_with_retry_after(api_client, database_down):
    response = api_client.get("/api/v1/polls/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "error": "unavailable",
        "detail": "The service is briefly unavailable. Nothing was saved; try again in a few seconds.",
    }


def test_a_page_during_an_outage_is_503_in_korean_first(database_down):
    response = Client(raise_request_exception=False).get("/proposals/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "잠시 후 다시 시도해 주세요" in page and "저장되지 않았습니다" in page
    assert page.index("잠시 후") < page.index("Try again")


def test_an_outage_met_by_a_middleware_is_503_too(monkeypatch):
    """The signed-in user is loaded by a middleware, outside any view."""
    user = CitizenFactory()
    client = Client(raise_request_exception=False)
    client.force_login(user)

    def refuse(self, *args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)
    response = client.get("/api/v1/polls/")
    assert response.status_code == 503
    assert response["Retry-After"]


def test_an_open311_request_during_an_outage_is_503_in_its_error_format(database_down):
    response = Client(raise_request_exception=False).get("/open311/v2/services.json")
    assert response.status_code == 503
    assert response.json() == [
        {
            "code": 503,
            "description": "The service is briefly unavailable. Nothing was saved; try again in a few seconds.",
        }
    ]


def test_other_errors_are_still_500(api_client, monkeypatch):
    from polls import api

    def boom(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(api.OpenPollList, "get", boom)
    response = api_client.get("/api/v1/polls/")
    assert response.status_code == 500


def test_healthz_is_503_when_the_database_is_down(database_down):
    response = Client(raise_request_exception=False).get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def dead_cache():
    return {
        "default": {
            "BACKEND": "civicportal.cache.TolerantRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


def test_with_redis_down_the_throttled_api_still_serves_and_votes_count(officer, department):
    """The throttle lives in the cache: with Redis down it lets requests through, never 500."""
    from django.core.cache import caches

    poll = PollFactory(department=department, created_by=officer)
    citizen = CitizenFactory()
    token = Token.objects.create(user=citizen)
    with override_settings(CACHES=dead_cache()):
        assert isinstance(caches["default"], TolerantRedisCache)
        client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token.key}")
        listed = client.get("/api/v1/polls/")
        assert listed.status_code == 200
        option = poll.options.first()
        voted = client.post(f"/api/v1/polls/{poll.pk}/vote/", {"options": [option.pk]}, content_type="application/json")
        assert voted.status_code == 201, voted.content
        assert client.get("/healthz").json()["status"] == "degraded"
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_the_tolerant_cache_misses_and_backs_off_while_redis_is_down():
    cache = TolerantRedisCache(DEAD_REDIS, {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}})
    assert cache.get("k", "default") == "default"
    assert cache.set("k", 1) is None
    assert cache.add("k", 1) is False
    assert cache.run_script("return 1", "k", []) == "0"
    assert not cache.available  # backing off: the next calls do not wait for a connection
