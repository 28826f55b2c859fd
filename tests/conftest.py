"""Root fixtures: fast settings, the persona accounts every program's tests share."""

import os

import pytest
from django.core.cache import cache

from civicportal.accounts.models import Department, Role
from civicportal.celery import app as celery_app
from tests.factories import CitizenFactory, DepartmentFactory, UserFactory, district, officer_of

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright runs an event loop

if not os.environ.get("REDIS_URL"):
    # Tests never touch the development broker folder: an in-memory broker for the
    # thread worker of tests/integration (CI sets REDIS_URL and uses real Redis).
    celery_app.conf.broker_url = "memory://"


def using_postgres():
    from django.db import connection

    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and os.environ.get("DATABASE_URL", "").startswith("sqlite"):
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL"))
        if "postgres" in item.keywords and not os.environ.get("DATABASE_URL"):
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.NOTIFICATION_OUTBOX_DIR = str(tmp_path / "outbox")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SECURE_SSL_REDIRECT = False
    # Assertions read the English source strings; Korean pages are checked where it matters
    # (the Korean default itself, the language switcher, a Korean browser).
    settings.LANGUAGE_CODE = "en"
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    cache.clear()  # throttles and the calendar cache live there
    from civicportal.accounts import business_calendar

    business_calendar.clear_cache()
    _clear_process_caches()
    yield
    cache.clear()
    _clear_process_caches()


def _clear_process_caches():
    """Programs keep small admin-edited tables in the process; a flushed test database
    must not leave rows of the previous test there."""
    from complaints.routing import clear_caches
    from polls.services import forget_hot_poll

    clear_caches()
    forget_hot_poll()


@pytest.fixture(autouse=True)
def _districts_survive_flushes(request, django_db_blocker):
    """A transactional test (browser, worker, socket) ends with a flush that empties every table,
    the 25 districts and the policy pages loaded by migration included: put them back for the
    next test."""
    yield
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        from civicportal.accounts.districts import load_districts
        from civicportal.accounts.models import District, PolicyPage
        from civicportal.accounts.policy_texts import load_policy_pages

        with django_db_blocker.unblock():
            load_districts(District)
            load_policy_pages(PolicyPage)  # the terms and privacy notice, loaded by a migration too


@pytest.fixture
def department(db):
    return DepartmentFactory(code="parking", name_ko="주차계획과", name_en="Parking Planning Division")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(code="living-environment", name_ko="생활환경과", name_en="Living Environment Division")


@pytest.fixture
def coordination_desk(db):
    return DepartmentFactory(code="coordination-desk", name_ko="민원총괄과", name_en="Coordination Desk")


@pytest.fixture
def call_centre(db):
    return DepartmentFactory(
        code="dasan-120", name_ko="120다산콜재단", name_en="120 Dasan", kind=Department.Kind.CALL_CENTRE
    )


@pytest.fixture
def citizen(db):
    return CitizenFactory(username="citizen", full_name="김시민")


@pytest.fixture
def other_citizen(db):
    return CitizenFactory(username="other_citizen", full_name="이서울", profile__district=district("11680"))


@pytest.fixture
def officer(department):
    return officer_of(department, username="officer")


@pytest.fixture
def supervisor(department):
    return officer_of(department, username="supervisor", head=True)


@pytest.fixture
def officer_of_other_department(other_department):
    return officer_of(other_department, username="officer_other")


@pytest.fixture
def counsellor(call_centre):
    return officer_of(call_centre, username="counsellor", roles=(Role.COUNSELLOR,))


@pytest.fixture
def evaluator(db):
    return UserFactory(username="evaluator", roles=[Role.EVALUATOR])


@pytest.fixture
def monitor(db):
    return UserFactory(username="monitor", roles=[Role.MONITOR])


@pytest.fixture
def administrator(db):
    user = UserFactory(username="administrator", roles=[Role.ADMINISTRATOR])
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def api_as():
    """api_as(user) -> an APIClient authenticated with the user's token."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
