"""The state-change service: every transition, and every refused one writes nothing."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from civicportal.errors import Conflict, DomainError, NotAllowed
from civicportal.notifications.models import Notification
from proposals import selectors, services
from proposals.models import (
    Decision,
    Evaluation,
    EvaluatorAssignment,
    Proposal,
    ProposalEvent,
    ProposalRevision,
    ProposalVote,
)
from tests.factories import CitizenFactory
from tests.proposals.factories import ProposalFactory, ThemedCallFactory, panel_member

pytestmark = pytest.mark.django_db
Status = Proposal.Status


def snapshot():
    return (
        Proposal.objects.count(),
        ProposalVote.objects.count(),
        ProposalEvent.objects.count(),
        Evaluation.objects.count(),
        Decision.objects.count(),
        Notification.objects.count(),
        list(Proposal.objects.order_by("pk").values_list("status", "vote_count")),
    )


TEXT = {"title": "Misting fans at bus stops", "problem": "Heat.", "idea": "Fans.", "expected_effect": "Cooler."}


def test_submit_opens_proposal_and_writes_event(citizen, department):
    proposal = services.proposal_submit(author=citizen, department=department, **TEXT)
    assert proposal.status == Status.OPEN
    assert proposal.submitted_at is not None
    assert list(proposal.events.values_list("kind", "from_status", "to_status")) == [("submitted", "draft", "open")]


def test_draft_then_submit(citizen, department):
    draft = services.proposal_save_draft(author=citizen, title="Half an idea")
    assert draft.status == Status.DRAFT
    draft = services.proposal_save_draft(author=citizen, proposal=draft, **TEXT)
    proposal = services.proposal_submit(author=citizen, proposal=draft, department=department)
    assert proposal.pk == draft.pk
    assert proposal.status == Status.OPEN


def test_submit_without_idea_is_refused(citizen):
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        services.proposal_submit(author=citizen, **{**TEXT, "idea": " "})
    assert exc.value.field == "idea"
    assert snapshot() == before


def test_submit_to_closed_themed_call_is_refused(citizen):
    call = ThemedCallFactory(opens_at=timezone.now() - timedelta(days=30), closes_at=timezone.now() - timedelta(days=1))
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        services.proposal_submit(author=citizen, themed_call=call.pk, **TEXT)
    assert exc.value.code == "themed_call_closed"
    assert snapshot() == before


def test_submit_to_open_themed_call_takes_its_department(citizen):
    call = ThemedCallFactory()
    proposal = services.proposal_submit(author=citizen, themed_call=call.pk, **TEXT)
    assert proposal.themed_call == call
    assert proposal.department == call.department


def test_officer_cannot_submit(officer):
    with pytest.raises(NotAllowed):
        services.proposal_submit(author=officer, **TEXT)
    assert Proposal.objects.count() == 0


def test_vote_counts_and_is_exact(proposal, make_voters):
    for voter in make_voters(3):
        services.proposal_vote(voter=voter, proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.vote_count == 3 == proposal.votes.count()
    assert proposal.status == Status.OPEN


def test_voting_twice_is_refused(proposal, other_citizen):
    services.proposal_vote(voter=other_citizen, proposal_id=proposal.pk)
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        services.proposal_vote(voter=other_citizen, proposal_id=proposal.pk)
    assert exc.value.code == "already_voted"
    assert snapshot() == before


def test_voting_for_own_proposal_is_refused(proposal, citizen):
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        services.proposal_vote(voter=citizen, proposal_id=proposal.pk)
    assert exc.value.code == "own_proposal"
    assert snapshot() == before


def test_database_refuses_vote_for_own_proposal(proposal, citizen):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalVote.objects.create(proposal=proposal, voter=citizen, proposal_author=citizen)


def test_database_refuses_second_vote(proposal, other_citizen, citizen):
    ProposalVote.objects.create(proposal=proposal, voter=other_citizen, proposal_author=citizen)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalVote.objects.create(proposal=proposal, voter=other_citizen, proposal_author=citizen)


def test_vote_after_support_period_is_refused(proposal, other_citizen):
    Proposal.objects.filter(pk=proposal.pk).update(voting_closes_at=timezone.now() - timedelta(minutes=1))
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        services.proposal_vote(voter=other_citizen, proposal_id=proposal.pk)
    assert exc.value.code == "voting_closed"
    assert snapshot() == before


def test_eleventh_vote_moves_to_review_once_and_notifies_author(proposal, make_voters, citizen, officer):
    voters = make_voters(11)
    for voter in voters[:10]:
        services.proposal_vote(voter=voter, proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == Status.OPEN  # 10 is not MORE than 10
    services.proposal_vote(voter=voters[10], proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == Status.IN_REVIEW
    assert proposal.reviewed_at is not None
    assert proposal.events.filter(kind="threshold").count() == 1
    assert Notification.objects.filter(recipient=citizen, kind="proposals.in_review").count() == 1
    assert Notification.objects.filter(recipient=officer, kind="proposals.review_needed").count() == 1


def test_threshold_is_a_setting(proposal, make_voters, settings):
    settings.PROPOSAL_VOTE_THRESHOLD = 2
    for voter in make_voters(3):
        services.proposal_vote(voter=voter, proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == Status.IN_REVIEW


def test_vote_after_review_started_is_refused(in_review, other_citizen):
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        services.proposal_vote(voter=other_citizen, proposal_id=in_review.pk)
    assert exc.value.code == "voting_closed"
    assert snapshot() == before


def test_vote_on_draft_is_not_found(citizen, other_citizen):
    draft = services.proposal_save_draft(author=citizen, title="secret")
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        services.proposal_vote(voter=other_citizen, proposal_id=draft.pk)
    assert exc.value.status_code == 404
    assert snapshot() == before


def test_assign_only_panel_members(in_review, officer, other_citizen):
    before = EvaluatorAssignment.objects.count()
    with pytest.raises(DomainError):
        services.evaluator_assign(officer=officer, proposal_id=in_review.pk, evaluator_user_ids=[other_citizen.pk])
    assert EvaluatorAssignment.objects.count() == before


def test_assign_by_other_department_is_refused(in_review, officer_of_other_department, internal_expert):
    with pytest.raises(NotAllowed):
        services.evaluator_assign(
            officer=officer_of_other_department, proposal_id=in_review.pk, evaluator_user_ids=[internal_expert.pk]
        )
    assert EvaluatorAssignment.objects.count() == 0


def test_evaluation_by_unassigned_evaluator_is_refused(in_review, officer, internal_expert, external_expert):
    services.evaluator_assign(officer=officer, proposal_id=in_review.pk, evaluator_user_ids=[internal_expert.pk])
    before = snapshot()
    with pytest.raises(NotAllowed):
        services.evaluation_submit(
            evaluator=external_expert,
            proposal_id=in_review.pk,
            necessity=3,
            effectiveness=3,
            feasibility=3,
            budget=3,
            comment="x",
        )
    assert snapshot() == before


@pytest.mark.parametrize("field,value", [("necessity", 0), ("budget", 6), ("feasibility", "x")])
def test_score_out_of_range_is_refused(in_review, officer, internal_expert, field, value):
    services.evaluator_assign(officer=officer, proposal_id=in_review.pk, evaluator_user_ids=[internal_expert.pk])
    scores = {"necessity": 3, "effectiveness": 3, "feasibility": 3, "budget": 3, field: value}
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        services.evaluation_submit(evaluator=internal_expert, proposal_id=in_review.pk, comment="ok", **scores)
    assert exc.value.field == field
    assert snapshot() == before


def test_database_refuses_score_out_of_range(in_review, officer, internal_expert):
    (assignment,) = services.evaluator_assign(
        officer=officer, proposal_id=in_review.pk, evaluator_user_ids=[internal_expert.pk]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(
            assignment=assignment, necessity=9, effectiveness=3, feasibility=3, budget=3, comment="x"
        )


def test_evaluating_twice_is_refused(evaluated, internal_expert):
    before = snapshot()
    with pytest.raises(Conflict):
        services.evaluation_submit(
            evaluator=internal_expert,
            proposal_id=evaluated.pk,
            necessity=1,
            effectiveness=1,
            feasibility=1,
            budget=1,
            comment="again",
        )
    assert snapshot() == before


def test_decision_without_evaluations_is_refused(in_review, officer):
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        services.proposal_decide(
            officer=officer,
            proposal_id=in_review.pk,
            outcome="rejected",
            summary="No.",
            reason_budget=True,
            reasons="Too costly.",
        )
    assert exc.value.code == "no_evaluations"
    assert snapshot() == before


def test_decision_on_open_proposal_is_refused(proposal, officer):
    before = snapshot()
    with pytest.raises(Conflict):
        services.proposal_decide(
            officer=officer, proposal_id=proposal.pk, outcome="rejected", summary="No.", reason_budget=True, reasons="x"
        )
    assert snapshot() == before


def test_adoption_needs_its_grounds(evaluated, officer):
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        services.proposal_decide(
            officer=officer,
            proposal_id=evaluated.pk,
            outcome="adopted",
            summary="Yes.",
            necessity="High.",
            effectiveness="Good.",
            feasibility="Fine.",
        )
    assert exc.value.field == "required_budget"
    assert snapshot() == before


def test_rejection_needs_a_reason(evaluated, officer):
    before = snapshot()
    with pytest.raises(DomainError):
        services.proposal_decide(
            officer=officer, proposal_id=evaluated.pk, outcome="rejected", summary="No.", reasons="x"
        )
    assert snapshot() == before


def test_decision_by_other_department_is_refused(evaluated, officer_of_other_department):
    before = snapshot()
    with pytest.raises(NotAllowed):
        services.proposal_decide(
            officer=officer_of_other_department,
            proposal_id=evaluated.pk,
            outcome="rejected",
            summary="No.",
            reason_budget=True,
            reasons="x",
        )
    assert snapshot() == before


def test_adoption_notifies_author_and_every_voter(evaluated, officer, citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.proposal_decide(
            officer=officer,
            proposal_id=evaluated.pk,
            outcome="adopted",
            summary="We will do it.",
            necessity="High.",
            effectiveness="Good.",
            feasibility="Fine.",
            required_budget=120_000_000,
        )
    evaluated.refresh_from_db()
    assert evaluated.status == Status.ADOPTED
    assert decision.voters_notified_at is None  # the task claimed it on its own row
    decision.refresh_from_db()
    assert decision.voters_notified_at is not None
    voter_ids = set(evaluated.votes.values_list("voter_id", flat=True))
    notified = set(Notification.objects.filter(kind="proposals.decided_voter").values_list("recipient_id", flat=True))
    assert notified == voter_ids
    assert len(voter_ids) == 11
    assert Notification.objects.filter(recipient=citizen, kind="proposals.decided").count() == 1


def test_voter_fanout_runs_once(evaluated, officer, django_capture_on_commit_callbacks):
    from proposals.tasks import notify_voters_of_decision

    with django_capture_on_commit_callbacks(execute=True):
        decision = services.proposal_decide(
            officer=officer,
            proposal_id=evaluated.pk,
            outcome="rejected",
            summary="Not now.",
            reason_ordinances=True,
            reasons="The ordinance forbids it.",
        )
    notify_voters_of_decision.delay(decision.pk)  # a repeated task
    assert Notification.objects.filter(kind="proposals.decided_voter").count() == 11


def test_fanout_is_chunked(evaluated, officer, monkeypatch, django_capture_on_commit_callbacks):
    from proposals import tasks

    monkeypatch.setattr(services, "VOTER_CHUNK", 4)
    chunks = []
    original = tasks.notify_voters_chunk.delay
    monkeypatch.setattr(tasks.notify_voters_chunk, "delay", lambda d, ids: chunks.append(ids) or original(d, ids))
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_decide(
            officer=officer,
            proposal_id=evaluated.pk,
            outcome="rejected",
            summary="Not now.",
            reason_budget=True,
            reasons="Budget.",
        )
    assert [len(c) for c in chunks] == [4, 4, 3]
    assert Notification.objects.filter(kind="proposals.decided_voter").count() == 11


def test_implementation_updates(evaluated, officer):
    services.proposal_decide(
        officer=officer,
        proposal_id=evaluated.pk,
        outcome="adopted",
        summary="Yes.",
        necessity="a",
        effectiveness="b",
        feasibility="c",
        required_budget=1,
    )
    services.implementation_update(officer=officer, proposal_id=evaluated.pk, text="Design done.")
    evaluated.refresh_from_db()
    assert evaluated.status == Status.IMPLEMENTING
    services.implementation_update(officer=officer, proposal_id=evaluated.pk, text="Installed.", completed=True)
    evaluated.refresh_from_db()
    assert evaluated.status == Status.IMPLEMENTED
    assert evaluated.implementation_updates.count() == 2


def test_implementation_update_on_rejected_is_refused(evaluated, officer):
    services.proposal_decide(
        officer=officer, proposal_id=evaluated.pk, outcome="rejected", summary="No.", reason_budget=True, reasons="x"
    )
    with pytest.raises(Conflict):
        services.implementation_update(officer=officer, proposal_id=evaluated.pk, text="?")
    assert evaluated.implementation_updates.count() == 0


def test_revision_with_consent_keeps_both_versions(in_review, officer, citizen):
    revision = services.revision_propose(
        officer=officer,
        proposal_id=in_review.pk,
        title="Shade and misting at 100 bus stops",
        problem="Heat at stops.",
        idea="Canopies and misting.",
        expected_effect="Cooler waits.",
        note="Scoped to 100 stops.",
    )
    in_review.refresh_from_db()
    assert in_review.title == "Shade canopies at bus stops"  # nothing changes before consent
    services.revision_answer(author=citizen, revision_id=revision.pk, accept=True)
    in_review.refresh_from_db()
    revision.refresh_from_db()
    assert in_review.title == "Shade and misting at 100 bus stops"
    assert revision.original_title == "Shade canopies at bus stops"
    assert revision.consent == ProposalRevision.Consent.ACCEPTED


def test_revision_answered_by_other_citizen_is_refused(in_review, officer, other_citizen):
    revision = services.revision_propose(officer=officer, proposal_id=in_review.pk, **TEXT)
    with pytest.raises(DomainError):
        services.revision_answer(author=other_citizen, revision_id=revision.pk, accept=True)
    revision.refresh_from_db()
    assert revision.consent == ProposalRevision.Consent.PENDING


def test_transition_map_refuses_skipping(proposal):
    with pytest.raises(Conflict):
        proposal.transition_to(Status.ADOPTED)
    proposal.refresh_from_db()
    assert proposal.status == Status.OPEN


def test_similar_proposals_found(citizen):
    ProposalFactory(title="Shade canopies at bus stops in Mapo", idea="Canopies at every bus stop")
    ProposalFactory(title="More public toilets in parks", idea="Toilets")
    found = selectors.similar_proposals(title="Shade canopies for bus stops")
    assert [p.title for p in found] == ["Shade canopies at bus stops in Mapo"]


def test_themed_call_sweep_opens_and_closes_idempotently():
    now = timezone.now()
    scheduled = ThemedCallFactory(status="scheduled", opens_at=now - timedelta(minutes=1))
    ending = ThemedCallFactory(status="open", opens_at=now - timedelta(days=3), closes_at=now - timedelta(seconds=1))
    assert services.themed_calls_sweep(now) == (1, 1)
    assert services.themed_calls_sweep(now) == (0, 0)
    scheduled.refresh_from_db()
    ending.refresh_from_db()
    assert (scheduled.status, ending.status) == ("open", "closed")


def test_voting_sweep_closes_expired(proposal, citizen):
    Proposal.objects.filter(pk=proposal.pk).update(voting_closes_at=timezone.now() - timedelta(minutes=1))
    assert services.voting_sweep() == 1
    assert services.voting_sweep() == 0
    proposal.refresh_from_db()
    assert proposal.status == Status.CLOSED


def test_evaluator_reminder_after_seven_business_days(in_review, officer, internal_expert, time_machine):
    # Monday 9 March 2026, 10:00 Seoul. Seven business days after it: 10, 11, 12, 13,
    # 16, 17, 18 March; the reminder is due once Wednesday 18 March has ended.
    time_machine.move_to("2026-03-09T10:00:00+09:00")
    services.evaluator_assign(officer=officer, proposal_id=in_review.pk, evaluator_user_ids=[internal_expert.pk])
    EvaluatorAssignment.objects.update(assigned_at=timezone.now())
    assert services.evaluator_reminders_sweep(timezone.now() + timedelta(days=9)) == 0  # Wed 18 March
    after = timezone.now() + timedelta(days=10)  # Thursday 19 March
    assert services.evaluator_reminders_sweep(after) == 1
    assert services.evaluator_reminders_sweep(after) == 0
    assert Notification.objects.filter(recipient=internal_expert, kind="proposals.evaluation_reminder").count() == 1


def test_non_citizen_cannot_vote(proposal, officer):
    with pytest.raises(NotAllowed):
        services.proposal_vote(voter=officer, proposal_id=proposal.pk)
    assert ProposalVote.objects.count() == 0


def test_inactive_panel_member_cannot_be_assigned(in_review, officer):
    user = panel_member("retired")
    user.panel_seat.active = False
    user.panel_seat.save()
    with pytest.raises(DomainError):
        services.evaluator_assign(officer=officer, proposal_id=in_review.pk, evaluator_user_ids=[user.pk])
    assert EvaluatorAssignment.objects.count() == 0


def test_citizen_factory_is_citizen():
    assert CitizenFactory().groups.filter(name="citizen").exists()


def test_database_refuses_call_closing_before_it_opens(department):
    from proposals.models import ThemedCall

    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        ThemedCall.objects.create(department=department, title="x", description="x", opens_at=now, closes_at=now)


def test_a_voter_fan_out_lost_with_its_message_is_sent_by_the_outbox_sweep(evaluated, officer):
    """The decision commits but its fan-out message is lost (on-commit never runs here): the
    outbox keeps it, and the sweep sends it a minute later, once."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from civicportal.outbox.models import QueuedTask
    from civicportal.outbox.tasks import sweep

    services.proposal_decide(
        officer=officer,
        proposal_id=evaluated.pk,
        outcome="rejected",
        summary="Not now.",
        reason_ordinances=True,
        reasons="The ordinance forbids it.",
    )
    assert Notification.objects.filter(kind="proposals.decided_voter").count() == 0
    assert QueuedTask.objects.filter(name="proposals.tasks.notify_voters_of_decision").count() == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        sweep()
        sweep()
    assert Notification.objects.filter(kind="proposals.decided_voter").count() == 11
    assert not QueuedTask.objects.exists()
