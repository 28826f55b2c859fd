"""Proposals and decisions, results and breakdowns, lots, the opening announcement."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicportal.errors import Conflict, DomainError, NotAllowed
from civicportal.notifications.models import Notification
from polls import services
from polls.models import Ballot, LotDraw, Poll, PollEvent
from tests.factories import CitizenFactory, district
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db


def propose(citizen, **extra):
    return services.poll_propose(
        citizen=citizen,
        question="Should the park open at night?",
        options=["Yes", "No"],
        opens_at=timezone.now() + timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=7),
        **extra,
    )


def test_proposal_waits_for_approval(citizen):
    poll = propose(citizen)
    assert poll.kind == Poll.Kind.CITIZEN
    assert poll.approval == Poll.Approval.PENDING
    assert not poll.is_open(poll.opens_at + timedelta(minutes=1))
    assert list(poll.events.values_list("kind", flat=True)) == ["proposed"]


def test_approval_opens_it_and_tells_the_citizen(citizen, officer, department):
    poll = propose(citizen, department=department)

    services.poll_decide(poll=poll, officer=officer, approve=True, reason="A good question for the district.")

    poll.refresh_from_db()
    assert poll.approval == Poll.Approval.APPROVED
    assert poll.decided_by == officer
    assert poll.is_open(poll.opens_at + timedelta(minutes=1))
    note = Notification.objects.get(recipient=citizen, kind="poll_decision")
    assert "approved" in note.title and note.body == "A good question for the district."
    assert list(poll.events.values_list("kind", flat=True)) == ["proposed", "approved"]


def test_rejection_gives_the_reason(citizen, officer):
    poll = propose(citizen)
    services.poll_decide(poll=poll, officer=officer, approve=False, reason="Already decided by the council.")
    poll.refresh_from_db()
    assert poll.approval == Poll.Approval.REJECTED
    assert poll.department_id in {m.department_id for m in officer.memberships.all()}
    note = Notification.objects.get(recipient=citizen, kind="poll_decision")
    assert "not approved" in note.title and note.body == "Already decided by the council."


def test_decision_needs_a_reason(citizen, officer):
    poll = propose(citizen)
    with pytest.raises(DomainError):
        services.poll_decide(poll=poll, officer=officer, approve=True, reason=" ")
    poll.refresh_from_db()
    assert poll.approval == Poll.Approval.PENDING
    assert not Notification.objects.exists()


def test_second_decision_is_a_conflict(citizen, officer, supervisor):
    poll = propose(citizen)
    services.poll_decide(poll=poll, officer=officer, approve=True, reason="ok")
    with pytest.raises(Conflict):
        services.poll_decide(poll=poll, officer=supervisor, approve=False, reason="no")
    poll.refresh_from_db()
    assert poll.approval == Poll.Approval.APPROVED
    assert Notification.objects.count() == 1


@pytest.mark.parametrize("persona", ["citizen", "other_citizen"])
def test_citizens_cannot_decide(persona, request, citizen):
    poll = propose(citizen)
    with pytest.raises(NotAllowed):
        services.poll_decide(poll=poll, officer=request.getfixturevalue(persona), approve=True, reason="me")
    poll.refresh_from_db()
    assert poll.approval == Poll.Approval.PENDING


def test_officer_of_other_department_cannot_decide_a_proposal_addressed_elsewhere(
    citizen, department, officer_of_other_department
):
    poll = propose(citizen, department=department)
    with pytest.raises(NotAllowed):
        services.poll_decide(poll=poll, officer=officer_of_other_department, approve=True, reason="ok")


def test_officers_cannot_propose(officer):
    with pytest.raises(NotAllowed):
        propose(officer)
    assert not Poll.objects.exists()


# --- results --------------------------------------------------------------------
def vote_many(poll, option, count, **profile):
    for _ in range(count):
        services.vote_cast(poll=poll, voter=CitizenFactory(**profile), option_ids=[option.pk])


def test_results_counts_and_percentages(poll, citizen):
    yes, no, maybe = poll.options.all()
    vote_many(poll, yes, 3)
    vote_many(poll, no, 1)

    data = services.poll_results(poll=poll, viewer=citizen)

    assert data["total_ballots"] == 4
    assert [(o["text"], o["votes"], o["percent"]) for o in data["options"]] == [
        ("Yes", 3, 75.0),
        ("No", 1, 25.0),
        ("Maybe", 0, 0.0),
    ]


def test_hidden_results_while_open_for_citizens_but_not_officers(officer, department, citizen):
    poll = PollFactory(department=department, created_by=officer, results_visible_while_open=False)
    with pytest.raises(NotAllowed):
        services.poll_results(poll=poll, viewer=citizen)
    assert services.poll_results(poll=poll, viewer=officer)["total_ballots"] == 0


def test_breakdown_hides_cells_under_five(poll, officer, settings):
    settings.LANGUAGE_CODE = "en"
    yes, no, _maybe = poll.options.all()
    vote_many(poll, yes, 5, profile__gender="F")
    vote_many(poll, yes, 4, profile__gender="M")
    vote_many(poll, no, 6, profile__gender="M")
    vote_many(poll, no, 1, profile__gender="F", profile__district=district("11680"))

    table = services.poll_breakdown(poll=poll, viewer=officer, dimension="gender")

    assert table["groups"] == ["Female", "Male"]
    assert table["rows"] == [
        {"option": "Yes", "counts": [5, None]},
        {"option": "No", "counts": [None, 6]},
        {"option": "Maybe", "counts": [None, None]},
    ]
    by_district = services.poll_breakdown(poll=poll, viewer=officer, dimension="district")
    # "No": 6 in Mapo-gu (11440), 1 in Gangnam-gu (11680) hidden.
    assert by_district["rows"][1]["counts"] == [6, None]


def test_breakdown_is_for_officers_only(poll, citizen):
    with pytest.raises(NotAllowed):
        services.poll_breakdown(poll=poll, viewer=citizen, dimension="gender")


def test_breakdown_by_age_band(poll, officer):
    yes = poll.options.first()
    year = timezone.localdate().year
    vote_many(poll, yes, 5, profile__birth_year=year - 25)
    table = services.poll_breakdown(poll=poll, viewer=officer, dimension="age_band")
    assert table["groups"] == ["20-29"]
    assert table["rows"][0]["counts"] == [5]


def test_csv_rows(poll, officer):
    vote_many(poll, poll.options.first(), 2)
    rows = list(services.results_csv_rows(poll=poll, viewer=officer))
    yes = poll.options.first()
    assert rows[0] == ["key", "option", "votes", "percent"]
    assert rows[1] == [f"option-{yes.pk}", "Yes", 2, 100.0]
    assert rows[-1] == ["total_ballots", "", 2, ""]


# --- lots -----------------------------------------------------------------------
def closed_poll_with_voters(officer, department, voters=10):
    poll = PollFactory(department=department, created_by=officer)
    vote_many(poll, poll.options.first(), voters)
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    poll.refresh_from_db()
    return poll


def test_draw_is_reproducible_from_its_seed(officer, department):
    poll = closed_poll_with_voters(officer, department)

    draw = services.draw_lots(poll=poll, actor=officer, winners_count=3, seed="city-hall-2026")

    ballot_ids = list(Ballot.objects.filter(poll=poll).order_by("pk").values_list("pk", flat=True))
    assert len(draw.winners) == 3 and set(draw.winners) <= set(ballot_ids)
    assert services.reproducible_sample(ballot_ids, 3, "city-hall-2026") == draw.winners
    assert PollEvent.objects.filter(poll=poll, kind="drawn", note="seed=city-hall-2026").exists()


def test_draw_only_once_and_only_after_closing(officer, department, poll):
    with pytest.raises(DomainError):
        services.draw_lots(poll=poll, actor=officer, winners_count=1)
    closed = closed_poll_with_voters(officer, department, voters=2)
    services.draw_lots(poll=closed, actor=officer, winners_count=5)
    assert len(closed.lot_draw.winners) == 2
    with pytest.raises(Conflict):
        services.draw_lots(poll=closed, actor=officer, winners_count=1)
    assert LotDraw.objects.count() == 1


# --- opening announcement ---------------------------------------------------------
def test_opening_a_targeted_poll_notifies_eligible_citizens_once(
    officer, department, citizen, other_citizen, django_capture_on_commit_callbacks
):
    poll = PollFactory(department=department, created_by=officer, districts=[district("11440")])
    older_mapo_resident = CitizenFactory(profile__birth_year=1950)

    with django_capture_on_commit_callbacks(execute=True):
        services.announce_due_polls()
    with django_capture_on_commit_callbacks(execute=True):
        services.announce_due_polls()

    recipients = set(Notification.objects.filter(kind="poll_opened").values_list("recipient__username", flat=True))
    assert citizen.username in recipients
    assert other_citizen.username not in recipients  # Gangnam
    assert older_mapo_resident.username in recipients  # no age band on this poll
    assert Notification.objects.filter(kind="poll_opened", recipient=citizen).count() == 1
    poll.refresh_from_db()
    assert poll.opened_notified_at is not None
    assert PollEvent.objects.filter(poll=poll, kind="opened").count() == 1


def test_repeated_chunk_does_not_notify_twice(officer, department, citizen):
    poll = PollFactory(department=department, created_by=officer, genders="F")
    services.notify_chunk(poll_id=poll.pk, user_ids=[citizen.pk])
    services.notify_chunk(poll_id=poll.pk, user_ids=[citizen.pk])
    assert Notification.objects.filter(kind="poll_opened", recipient=citizen).count() == 1


def test_untargeted_and_future_polls_are_not_announced_to_anyone(officer, department, citizen):
    PollFactory(department=department, created_by=officer)
    future = PollFactory(department=department, created_by=officer, genders="F", opens_at=timezone.now() + timedelta(1))
    services.announce_due_polls()
    assert not Notification.objects.filter(kind="poll_opened").exists()
    future.refresh_from_db()
    assert future.opened_notified_at is None


def test_open_to_lists_only_eligible_listed_polls(officer, department, citizen, other_citizen):
    everyone = PollFactory(department=department, created_by=officer)
    mapo = PollFactory(department=department, created_by=officer, districts=[district("11440")])
    PollFactory(department=department, created_by=officer, room_number="9", room_password="x")
    PollFactory(
        department=department,
        created_by=officer,
        closes_at=timezone.now() - timedelta(minutes=1),
        opens_at=timezone.now() - timedelta(days=1),
    )
    assert {p.pk for p in services.open_to(citizen)} == {everyone.pk, mapo.pk}
    assert {p.pk for p in services.open_to(other_citizen)} == {everyone.pk}
