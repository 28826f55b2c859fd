"""A real Celery worker runs the SLA sweep from the broker and escalates an overdue case."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicportal.accounts.districts import load_districts
from civicportal.accounts.models import District
from civicportal.notifications.models import Notification
from complaints.models import Case
from complaints.tasks import sla_sweep
from tests.complaints.factories import RoutingRuleFactory, file_case, restore_districts_after  # noqa: F401
from tests.factories import CitizenFactory, DepartmentFactory, officer_of
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


def test_worker_escalates_an_overdue_case_once(restore_districts_after, celery_worker):  # noqa: F811
    load_districts(District)  # an earlier transactional test may have flushed them
    department = DepartmentFactory(code="parking")
    supervisor = officer_of(department, username="worker_supervisor", head=True)
    citizen = CitizenFactory(username="worker_citizen")
    RoutingRuleFactory(department=department)
    case = file_case(citizen, now=timezone.now() - timedelta(days=30))  # long overdue

    sla_sweep.delay()
    escalated = wait_for(lambda: Case.objects.get(pk=case.pk).escalated_at is not None)
    sla_sweep.delay()  # the next minute's sweep: nothing more
    wait_for(lambda: False, timeout=1.0)

    assert escalated
    assert Notification.objects.filter(recipient=supervisor, kind="complaints.overdue").count() == 1
    assert case.events.filter(kind="escalated").count() == 1
