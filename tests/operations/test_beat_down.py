"""Beat down for an hour (simulated time): when it returns, every escalation, warning, reminder,
themed-call change, poll opening and end of a support period it missed happens once.

Beat fires each overdue entry once when it comes back (it does not replay the missed ticks), so
the drill runs every entry of ``CELERY_BEAT_SCHEDULE`` once at the return, and once more a minute
later, through the task names beat uses.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings

from civicportal.accounts import business_calendar
from civicportal.celery import app as celery_app
from civicportal.notifications.models import Notification
from complaints.models import Case, CaseEvent
from polls.models import Poll, PollEvent
from proposals.models import EvaluatorAssignment, PanelMember, Proposal, ProposalEvent, ThemedCall
from tests.complaints.factories import RoutingRuleFactory, file_case
from tests.polls.factories import PollFactory
from tests.proposals.factories import ProposalFactory, ThemedCallFactory, panel_member

SEOUL = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db

# Beat stops at 23:30 on a business day and returns an hour later, after midnight.
DOWN = datetime(2026, 10, 14, 23, 30, tzinfo=SEOUL)
BACK = DOWN + timedelta(hours=1)


def run_every_beat_entry():
    celery_app.loader.import_default_modules()  # every app's tasks, as a worker registers them
    results = {}
    for name, entry in django_settings.CELERY_BEAT_SCHEDULE.items():
        results[name] = celery_app.tasks[entry["task"]].apply().get()
    return results


def counts(cases, proposal, assignment, poll, supervisor, officer, evaluator, author):
    kinds = Notification.objects.values_list("recipient_id", "kind")
    return {
        "warned": CaseEvent.objects.filter(case=cases["warn"], kind=CaseEvent.Kind.WARNED).count(),
        "escalated": CaseEvent.objects.filter(case=cases["due"], kind=CaseEvent.Kind.ESCALATED).count(),
        "due_soon": list(kinds).count((officer.pk, "complaints.due_soon")),
        "overdue": list(kinds).count((supervisor.pk, "complaints.overdue")),
        "reminded": ProposalEvent.objects.filter(
            proposal=assignment.proposal, kind=ProposalEvent.Kind.REMINDED
        ).count(),
        "reminder": list(kinds).count((evaluator.pk, "proposals.evaluation_reminder")),
        "support_closed": ProposalEvent.objects.filter(proposal=proposal, kind=ProposalEvent.Kind.CLOSED).count(),
        "closed_notice": list(kinds).count((author.pk, "proposals.closed")),
        "poll_opened": PollEvent.objects.filter(poll=poll, kind=PollEvent.Kind.OPENED).count(),
    }


def test_an_hour_without_beat_is_caught_up_once(citizen, department, officer, supervisor):
    with time_machine.travel(DOWN - timedelta(minutes=1), tick=False):
        RoutingRuleFactory(department=department)
        cases = {"warn": file_case(citizen), "due": file_case(citizen)}
        # Deadlines that fall inside the hour beat is away.
        Case.objects.filter(pk=cases["warn"].pk).update(
            warn_at=DOWN + timedelta(minutes=10), due_at=BACK + timedelta(hours=5)
        )
        Case.objects.filter(pk=cases["due"].pk).update(
            warn_at=DOWN - timedelta(hours=3), warned_at=DOWN - timedelta(hours=3), due_at=DOWN + timedelta(minutes=20)
        )
        opening = ThemedCallFactory(
            department=department,
            status=ThemedCall.Status.SCHEDULED,
            opens_at=DOWN + timedelta(minutes=15),
            closes_at=DOWN + timedelta(days=30),
        )
        closing = ThemedCallFactory(
            department=department, opens_at=DOWN - timedelta(days=30), closes_at=DOWN + timedelta(minutes=40)
        )
        author = citizen
        proposal = ProposalFactory(author=author, department=department, voting_closes_at=DOWN + timedelta(minutes=30))
        expert = panel_member("expert_internal", PanelMember.Panel.INTERNAL)
        in_review = ProposalFactory(department=department, status=Proposal.Status.IN_REVIEW)
        # Assigned 7 business days before today: the reminder falls due at midnight, in the hour.
        assigned = datetime(2026, 10, 1, 10, 0, tzinfo=SEOUL)
        assert DOWN < business_calendar.end_of_day(business_calendar.add_business_days(assigned.date(), 7)) <= BACK
        assignment = EvaluatorAssignment.objects.create(
            proposal=in_review, evaluator=PanelMember.objects.get(user=expert), assigned_at=assigned
        )
        poll = PollFactory(
            department=department,
            approval=Poll.Approval.APPROVED,
            opens_at=DOWN + timedelta(minutes=5),
            closes_at=DOWN + timedelta(days=3),
        )
    args = (cases, proposal, assignment, poll, supervisor, officer, expert, author)
    before = counts(*args)
    assert set(before.values()) == {0}

    with time_machine.travel(BACK, tick=False):
        run_every_beat_entry()
    after_return = counts(*args)
    with time_machine.travel(BACK + timedelta(minutes=1), tick=False):
        run_every_beat_entry()
    a_minute_later = counts(*args)

    assert after_return == dict.fromkeys(before, 1), after_return
    assert a_minute_later == after_return
    opening.refresh_from_db()
    closing.refresh_from_db()
    assert (opening.status, closing.status) == (ThemedCall.Status.OPEN, ThemedCall.Status.CLOSED)
