"""Deadlines on real 2026 dates, and the SLA sweep (twice, after an outage)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from civicportal.notifications.models import Notification
from complaints import services
from complaints.models import CaseEvent, Kind, SlaPolicy
from tests.complaints.factories import RoutingRuleFactory, file_case

SEOUL = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db


def at(*args):
    return datetime(*args, tzinfo=SEOUL)


def end_of(y, m, d):
    return datetime(y, m, d, 23, 59, 59, 999999, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("kind", "simple", "filed", "due"),
    [
        # simple, before 18:00 on a business day: the same day
        (Kind.INQUIRY, True, at(2026, 9, 23, 17, 59), end_of(2026, 9, 23)),
        # simple at 18:00, before Chuseok (24-26 Sep) and a weekend: Monday 28 Sep
        (Kind.INQUIRY, True, at(2026, 9, 23, 18, 0), end_of(2026, 9, 28)),
        # simple on Liberation Day (Sat) with its Monday substitute holiday: Tuesday
        (Kind.INQUIRY, True, at(2026, 8, 15, 10, 0), end_of(2026, 8, 18)),
        # complaint, 7 business days across Chuseok
        (Kind.COMPLAINT, False, at(2026, 9, 21, 10, 0), end_of(2026, 10, 1)),
        # proposal, 14 business days across National Foundation and Hangul Day
        (Kind.PROPOSAL, False, at(2026, 10, 2, 9, 0), end_of(2026, 10, 23)),
        # inquiry after 18:00 the evening before Children's Day: counting starts 6 May
        (Kind.INQUIRY, False, at(2026, 5, 4, 19, 0), end_of(2026, 5, 14)),
    ],
)
def test_deadline_follows_the_business_calendar(citizen, department, kind, simple, filed, due):
    RoutingRuleFactory(kind=kind, department=department, marks_simple=simple)

    case = file_case(citizen, kind=kind, now=filed)

    assert case.is_simple is simple
    assert case.due_at == due
    assert case.warn_at == filed + (due - filed) * 0.8


def test_sla_policy_in_admin_changes_the_period(citizen, department):
    RoutingRuleFactory(department=department)
    SlaPolicy.objects.update_or_create(kind=Kind.COMPLAINT, defaults={"business_days": 3})

    case = file_case(citizen, now=at(2026, 9, 21, 10, 0))

    assert case.due_at == end_of(2026, 9, 23)


def test_transfer_recomputes_the_deadline(citizen, department, officer, other_department):
    RoutingRuleFactory(department=department)
    case = file_case(citizen, now=at(2026, 9, 21, 10, 0))

    with time_machine.travel(at(2026, 9, 23, 19, 0)):
        services.case_transfer(case=case, by=officer, to_department=other_department, reason="소관 부서")

    case.refresh_from_db()
    # counting starts on the next business day after Chuseok: 28 Sep .. 6 Oct (5 Oct is a holiday)
    assert case.due_at == end_of(2026, 10, 7)
    assert case.department == other_department


def test_additional_answer_request_gives_a_new_deadline(citizen, department, officer):
    RoutingRuleFactory(department=department)
    case = file_case(citizen, now=at(2026, 9, 21, 10, 0))
    services.case_answer(case=case, by=officer, text="답변")

    with time_machine.travel(at(2026, 10, 8, 11, 0)):
        services.case_request_additional_answer(case=case, by=citizen, text="더 알려주세요")

    case.refresh_from_db()
    # 8 Oct (1), 12..16 (2-6), 19 Oct (7): Hangul Day 9 Oct does not count
    assert case.due_at == end_of(2026, 10, 19)
    assert case.warned_at is None and case.escalated_at is None


@pytest.fixture
def open_case(citizen, department, officer, supervisor):
    RoutingRuleFactory(department=department)
    case = file_case(citizen, now=at(2026, 9, 21, 10, 0))  # due 1 Oct 23:59
    services.case_assign(case=case, officer=officer, by=officer)
    return case


def _kinds(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_sweep_warns_the_officer_once_at_80_percent(open_case, officer, supervisor):
    before = open_case.warn_at - timedelta(minutes=1)
    assert services.sla_sweep(now=before) == {"warned": 0, "escalated": 0}

    first = services.sla_sweep(now=open_case.warn_at)
    second = services.sla_sweep(now=open_case.warn_at + timedelta(minutes=1))

    assert first == {"warned": 1, "escalated": 0}
    assert second == {"warned": 0, "escalated": 0}
    assert _kinds(officer).count("complaints.due_soon") == 1
    assert _kinds(supervisor).count("complaints.overdue") == 0
    assert open_case.events.filter(kind=CaseEvent.Kind.WARNED).count() == 1


def test_sweep_escalates_overdue_case_to_the_supervisor_once(open_case, officer, supervisor):
    services.sla_sweep(now=open_case.warn_at)
    after = open_case.due_at + timedelta(seconds=1)

    first = services.sla_sweep(now=after)
    second = services.sla_sweep(now=after + timedelta(minutes=1))

    assert first == {"warned": 0, "escalated": 1}
    assert second == {"warned": 0, "escalated": 0}
    assert _kinds(supervisor) == ["complaints.overdue"]
    assert Notification.objects.get(recipient=supervisor).urgent is True
    open_case.refresh_from_db()
    assert open_case.escalated_at == after
    assert open_case.sla_state(now=after) == "overdue"


def test_sweep_after_an_outage_escalates_everything_it_missed_once(citizen, department, officer, supervisor):
    RoutingRuleFactory(department=department)
    cases = [file_case(citizen, now=at(2026, 9, 21, 10, minute)) for minute in range(3)]
    # The beat was down from before the warning points until well after the deadline.
    outage_over = at(2026, 10, 2, 9, 0)

    first = services.sla_sweep(now=outage_over, batch=2)  # small batches: all are still caught up
    second = services.sla_sweep(now=outage_over + timedelta(minutes=1))

    assert first == {"warned": 0, "escalated": 3}
    assert second == {"warned": 0, "escalated": 0}
    assert _kinds(supervisor).count("complaints.overdue") == 3
    assert _kinds(officer).count("complaints.due_soon") == 0  # no stale warning after the escalation
    for case in cases:
        case.refresh_from_db()
        assert case.escalated_at == outage_over and case.warned_at == outage_over


def test_sweep_ignores_answered_cases(open_case, officer, supervisor):
    services.case_answer(case=open_case, by=officer, text="처리했습니다")

    result = services.sla_sweep(now=open_case.due_at + timedelta(days=1))

    assert result == {"warned": 0, "escalated": 0}


def test_sla_task_runs_the_sweep(open_case, supervisor):
    from complaints.tasks import sla_sweep

    with time_machine.travel(open_case.due_at + timedelta(hours=1)):
        sla_sweep.delay()

    open_case.refresh_from_db()
    assert open_case.escalated_at is not None
    assert "complaints.overdue" in _kinds(supervisor)


def test_beat_schedule_runs_the_sweep_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["complaints-sla-sweep"]
    assert entry == {"task": "complaints.tasks.sla_sweep", "schedule": 60.0}
