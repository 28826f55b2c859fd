import pytest

from polls import services
from tests.polls.factories import PollFactory


@pytest.fixture
def poll(officer, department):
    return PollFactory(department=department, created_by=officer)


@pytest.fixture
def districts_loaded(transactional_db):
    """Transactional tests flush the tables, districts (loaded by migration) included."""
    from civicportal.accounts.districts import load_districts
    from civicportal.accounts.models import District

    if not District.objects.exists():
        load_districts(District)


@pytest.fixture(autouse=True)
def _cold_poll_cache():
    """Primary keys come back after a rollback: no poll cached by an earlier test."""
    services.forget_hot_poll()
    yield
    services.forget_hot_poll()
