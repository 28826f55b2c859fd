import pytest

from tests.polls.factories import PollFactory


@pytest.fixture
def poll(officer, department):
    return PollFactory(department=department, created_by=officer)
