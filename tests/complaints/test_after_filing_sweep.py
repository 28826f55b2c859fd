"""A filing whose after-work message was lost (broker restarted without its data) is done by the sweep."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from complaints.models import Case
from complaints.tasks import after_filing_sweep
from tests.complaints.factories import file_case

pytestmark = pytest.mark.django_db


def test_the_sweep_does_the_after_work_of_a_filing_whose_message_was_lost(citizen, department):
    case = file_case(citizen)  # on-commit callbacks do not run in this test: the message is "lost"
    case.refresh_from_db()
    assert (case.acknowledged_at, case.nouns) == (None, "")
    after_filing_sweep()  # within the grace period the task may still be on its way
    case.refresh_from_db()
    assert case.acknowledged_at is None
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        after_filing_sweep()
        after_filing_sweep()  # a second sweep finds nothing left to do
    case.refresh_from_db()
    assert case.acknowledged_at is not None
    assert "주차" in case.nouns
    assert case.citizen.notifications.filter(kind="complaints.filed").count() == 1


def test_the_sweep_leaves_old_and_acknowledged_cases_alone(citizen, department):
    done = file_case(citizen)
    Case.objects.filter(pk=done.pk).update(acknowledged_at=timezone.now())
    old = file_case(citizen, title="오래된 민원")
    Case.objects.filter(pk=old.pk).update(filed_at=timezone.now() - timedelta(days=8))
    from complaints.filing import after_filing_sweep as due

    assert due(now=timezone.now() + timedelta(minutes=2)) == []
