"""The daily summary task through the broker and a real worker; callback claims under a race."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from callcenter import services
from callcenter.models import Contact, DailySummary
from callcenter.tasks import compute_daily_summary
from civicportal.accounts.models import Department, Role
from civicportal.errors import Conflict
from tests.callcenter.factories import ClosedContactFactory
from tests.factories import DepartmentFactory, officer_of
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration
SEOUL = ZoneInfo("Asia/Seoul")


def test_worker_computes_the_daily_summary_twice_with_the_same_rows(celery_worker):
    day = dt.date(2026, 10, 5)
    for hour in (0, 9, 23):
        ClosedContactFactory(started_at=dt.datetime(2026, 10, 5, hour, 30, tzinfo=SEOUL))
    ClosedContactFactory(started_at=dt.datetime(2026, 10, 6, 0, 0, tzinfo=SEOUL))

    compute_daily_summary.delay(day.isoformat())
    assert wait_for(lambda: DailySummary.objects.filter(day=day, dimension="total").exists())
    first = list(DailySummary.objects.filter(day=day).values_list("dimension", "key", "contacts"))
    compute_daily_summary.delay(day.isoformat()).get(timeout=20)
    assert list(DailySummary.objects.filter(day=day).values_list("dimension", "key", "contacts")) == first
    assert DailySummary.objects.get(day=day, dimension="total").contacts == 3


@pytest.mark.postgres
def test_two_counsellors_claiming_one_callback_at_once_one_wins(transactional_db):
    from civicportal.accounts.districts import load_districts
    from civicportal.accounts.models import District

    load_districts(District)  # a flush by an earlier transactional test removes them
    centre = DepartmentFactory(code="dasan-120", kind=Department.Kind.CALL_CENTRE)
    counsellors = [officer_of(centre, username=f"racer{i}", roles=(Role.COUNSELLOR,)) for i in range(2)]
    contact = ClosedContactFactory(outcome="callback")
    barrier = threading.Barrier(2)
    results = []

    def claim(user):
        barrier.wait()
        try:
            services.callback_claim(contact=Contact.objects.get(pk=contact.pk), by=user)
            results.append("won")
        except Conflict:
            results.append("lost")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(user,)) for user in counsellors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["lost", "won"]
    contact.refresh_from_db()
    assert contact.callback_claimed_by in counsellors
    assert contact.events.filter(kind="callback_claimed").count() == 1
