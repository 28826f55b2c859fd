import pytest

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
