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


def test_a_case_filed_through_the_api_is_indexed_and_acknowledged_by_the_worker(
    restore_districts_after,  # noqa: F811
    celery_worker,
):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    load_districts(District)
    department = DepartmentFactory(code="parking")
    RoutingRuleFactory(department=department)
    citizen = CitizenFactory(username="worker_filer")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=citizen).key}")

    response = client.post(
        "/api/v1/complaints/cases/",
        {"kind": "complaint", "title": "가로등이 꺼졌어요", "text": "골목 가로등이 밤새 꺼져 있습니다."},
        format="json",
    )

    assert response.status_code == 201, response.content
    number = response.json()["tracking_number"]
    assert wait_for(lambda: Notification.objects.filter(recipient=citizen, kind="complaints.filed").exists())
    case = Case.objects.get(tracking_number=number)
    assert "가로등" in case.nouns.split()
    assert case.acknowledged_at is not None
