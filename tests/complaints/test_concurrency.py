"""Concurrency on PostgreSQL: tracking numbers and claims from parallel threads."""

import threading

import pytest
from django.db import connection

from civicportal.errors import Conflict
from complaints import services
from complaints.models import Case
from tests.complaints.factories import file_case, restore_districts_after  # noqa: F401
from tests.factories import officer_of

pytestmark = [pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _districts(restore_districts_after, transactional_db):  # noqa: F811
    """A transactional test before this one flushed the districts the migration loaded."""
    from civicportal.accounts.districts import load_districts
    from civicportal.accounts.models import District

    load_districts(District)


def _run_in_threads(count, target):
    errors, barrier = [], threading.Barrier(count)

    def run(i):
        try:
            barrier.wait()
            target(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_parallel_filings_get_distinct_consecutive_numbers(transactional_db, citizen, parking_rule):
    errors = _run_in_threads(8, lambda i: file_case(citizen, title=f"주차 {i}"))

    assert errors == []
    numbers = sorted(int(n[5:]) for n in Case.objects.values_list("tracking_number", flat=True))
    assert numbers == list(range(1, 9))


def test_parallel_claims_have_one_winner(transactional_db, citizen, department, parking_rule):
    case = file_case(citizen)
    officers = [officer_of(department, username=f"claimer{i}") for i in range(4)]

    errors = _run_in_threads(4, lambda i: services.case_claim(case=case, by=officers[i]))

    assert len(errors) == 3 and all(isinstance(e, Conflict) for e in errors)
    case.refresh_from_db()
    assert case.officer in officers
    assert case.events.filter(kind="claimed").count() == 1
