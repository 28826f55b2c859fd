"""The whole life of a proposal through the browser pages, and what each role may open."""

import csv
import io

import pytest
from django.urls import reverse

from civicportal.notifications.models import Notification
from proposals import services
from proposals.models import Decision, Evaluation, Proposal, ProposalVote
from tests.proposals.factories import ProposalFactory, ThemedCallFactory

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Misting fans at bus stops",
    "problem": "Waiting for the bus in July is dangerous for the elderly.",
    "idea": "Install misting fans at the 100 busiest stops.",
    "expected_effect": "Fewer heat illnesses.",
    "action": "submit",
}


def test_whole_life_through_http(
    client, citizen, officer, make_voters, internal_expert, external_expert, django_capture_on_commit_callbacks
):
    # Submit
    client.force_login(citizen)
    response = client.post(
        reverse("proposals:submit"), {**FORM, "department": officer.memberships.first().department_id}
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("proposals:detail", args=[proposal.pk])
    assert proposal.status == Proposal.Status.OPEN
    # Eleven citizens support it
    for voter in make_voters(11):
        client.force_login(voter)
        assert client.post(reverse("proposals:vote", args=[proposal.pk])).status_code == 302
    proposal.refresh_from_db()
    assert (proposal.vote_count, proposal.status) == (11, Proposal.Status.IN_REVIEW)
    # The department assigns both panels
    client.force_login(officer)
    page = client.get(reverse("proposals:workspace"))
    assert proposal.title in page.content.decode()
    url = reverse("proposals:workspace_detail", args=[proposal.pk])
    seats = [internal_expert.panel_seat.pk, external_expert.panel_seat.pk]
    assert client.post(url, {"action": "assign", "assign-evaluators": seats}).status_code == 302
    # Evaluators score it
    for expert in (internal_expert, external_expert):
        client.force_login(expert)
        assert proposal.title in client.get(reverse("proposals:evaluations")).content.decode()
        response = client.post(
            reverse("proposals:evaluate", args=[proposal.pk]),
            {"necessity": 5, "effectiveness": 4, "feasibility": 4, "budget": 3, "comment": "Worth doing."},
        )
        assert response.status_code == 302
    assert Evaluation.objects.count() == 2
    # The department adopts it
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "action": "decision",
                "decision-outcome": "adopted",
                "decision-summary": "The city will install misting fans.",
                "decision-necessity": "Heat waves are more frequent.",
                "decision-effectiveness": "Lowers the felt temperature by 3-5 degrees.",
                "decision-feasibility": "Stops have power.",
                "decision-required_budget": "350000000",
            },
        )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ADOPTED
    assert Decision.objects.get().required_budget == 350_000_000
    # The author (and every voter) sees the decision
    client.force_login(citizen)
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "The city will install misting fans." in page
    assert "350,000,000" in page
    assert Notification.objects.filter(kind="proposals.decided_voter").count() == 11
    # Implementation
    client.force_login(officer)
    client.post(url, {"action": "implementation", "implementation-text": "50 stops done."})
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.IMPLEMENTING


def test_public_pages_show_no_real_name(client, proposal, citizen):
    for name in ("index", "themed_calls", "statistics"):
        assert client.get(reverse(f"proposals:{name}")).status_code == 200
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert proposal.title in page
    assert citizen.full_name not in page
    assert "ci*****" in page


@pytest.mark.parametrize("kind", ["newest", "supported", "themed", "decided"])
def test_public_lists(client, kind, django_assert_max_num_queries):
    call = ThemedCallFactory()
    ProposalFactory.create_batch(5, themed_call=call)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("proposals:index"), {"list": kind}).status_code == 200


def test_most_supported_order(client):
    low = ProposalFactory(vote_count=1)
    high = ProposalFactory(vote_count=50)
    page = client.get(reverse("proposals:index"), {"list": "supported"}).content.decode()
    assert page.index(high.title) < page.index(low.title)


def test_draft_is_private(client, citizen, other_citizen):
    client.force_login(citizen)
    client.post(reverse("proposals:submit"), {"title": "My secret idea", "action": "draft"})
    draft = Proposal.objects.get()
    assert draft.status == Proposal.Status.DRAFT
    assert client.get(reverse("proposals:detail", args=[draft.pk])).status_code == 200
    assert client.get(reverse("proposals:edit", args=[draft.pk])).status_code == 200
    client.force_login(other_citizen)
    assert client.get(reverse("proposals:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("proposals:edit", args=[draft.pk])).status_code == 404
    client.logout()
    assert "My secret idea" not in client.get(reverse("proposals:index")).content.decode()


def test_similar_proposal_is_shown_before_submitting(client, citizen):
    existing = ProposalFactory(title="Misting fans at bus stops in Mapo")
    client.force_login(citizen)
    page = client.post(reverse("proposals:submit"), FORM)
    assert page.status_code == 200
    assert existing.title in page.content.decode()
    assert Proposal.objects.count() == 1
    response = client.post(reverse("proposals:submit"), {**FORM, "confirm_similar": "1"})
    assert response.status_code == 302
    assert Proposal.objects.count() == 2


def test_vote_twice_via_http_shows_error_and_writes_nothing(client, proposal, other_citizen):
    client.force_login(other_citizen)
    client.post(reverse("proposals:vote", args=[proposal.pk]))
    response = client.post(reverse("proposals:vote", args=[proposal.pk]), follow=True)
    assert "already supported" in response.content.decode()
    assert ProposalVote.objects.count() == 1


def test_score_out_of_range_via_http(client, in_review, officer, internal_expert):
    services.evaluator_assign(officer=officer, proposal_id=in_review.pk, evaluator_user_ids=[internal_expert.pk])
    client.force_login(internal_expert)
    response = client.post(
        reverse("proposals:evaluate", args=[in_review.pk]),
        {"necessity": 7, "effectiveness": 4, "feasibility": 4, "budget": 3, "comment": "x"},
    )
    assert response.status_code == 200
    assert Evaluation.objects.count() == 0


def test_decision_without_evaluations_via_http(client, in_review, officer):
    client.force_login(officer)
    response = client.post(
        reverse("proposals:workspace_detail", args=[in_review.pk]),
        {
            "action": "decision",
            "decision-outcome": "rejected",
            "decision-summary": "No.",
            "decision-reason_budget": "on",
            "decision-reasons": "Too costly.",
        },
    )
    assert response.status_code == 200
    assert "evaluations first" in response.content.decode()
    assert Decision.objects.count() == 0
    in_review.refresh_from_db()
    assert in_review.status == Proposal.Status.IN_REVIEW


@pytest.mark.parametrize(
    "persona,url_name,expected",
    [
        ("citizen", "workspace", 403),
        ("evaluator", "workspace", 403),
        ("officer", "workspace", 200),
        ("officer_of_other_department", "workspace", 200),
        ("monitor", "workspace", 200),
        ("citizen", "evaluations", 403),
        ("officer", "evaluations", 403),
        ("evaluator", "evaluations", 200),
        ("citizen", "mine", 200),
        ("citizen", "my_votes", 200),
    ],
)
def test_workspace_permissions(client, request, persona, url_name, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(f"proposals:{url_name}")).status_code == expected


@pytest.mark.parametrize(
    "persona,expected",
    [("officer", 200), ("monitor", 200), ("officer_of_other_department", 403), ("citizen", 403), ("evaluator", 403)],
)
def test_workspace_detail_only_for_the_department(client, request, in_review, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("proposals:workspace_detail", args=[in_review.pk])).status_code == expected


def test_unassigned_evaluator_cannot_open_score_form(client, in_review, internal_expert):
    client.force_login(internal_expert)
    assert client.get(reverse("proposals:evaluate", args=[in_review.pk])).status_code == 403


def test_anonymous_is_sent_to_login(client, proposal):
    response = client.post(reverse("proposals:vote", args=[proposal.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url
    assert ProposalVote.objects.count() == 0


def test_submit_to_closed_call_via_http(client, citizen):
    from datetime import timedelta

    from django.utils import timezone

    call = ThemedCallFactory(opens_at=timezone.now() - timedelta(days=9), closes_at=timezone.now() - timedelta(days=1))
    client.force_login(citizen)
    response = client.post(reverse("proposals:submit"), {**FORM, "themed_call": call.pk})
    assert response.status_code == 200  # the closed call is not even a choice
    assert Proposal.objects.count() == 0


def test_statistics_match_raw_rows(client):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    seoul = ZoneInfo("Asia/Seoul")
    # 31 Dec 2024 23:30 Seoul is 2024 in Seoul but 2024-12-31 14:30 UTC; 1 Jan 2025 00:30 Seoul is 2024 in UTC.
    for when, status in [
        (datetime(2024, 12, 31, 23, 30, tzinfo=seoul), Proposal.Status.ADOPTED),
        (datetime(2024, 6, 1, 12, 0, tzinfo=seoul), Proposal.Status.REJECTED),
        (datetime(2024, 3, 1, 12, 0, tzinfo=seoul), Proposal.Status.OPEN),
        (datetime(2025, 1, 1, 0, 30, tzinfo=seoul), Proposal.Status.IMPLEMENTED),
        (datetime(2025, 2, 1, 0, 30, tzinfo=seoul), Proposal.Status.CLOSED),
    ]:
        ProposalFactory(submitted_at=when, status=status)
    ProposalFactory(status=Proposal.Status.DRAFT, submitted_at=None)
    # The expected table, computed from the raw rows in Python.
    expected = {}
    for p in Proposal.objects.exclude(status="draft"):
        year = p.submitted_at.astimezone(seoul).year
        row = expected.setdefault(year, [0, 0])
        row[0] += 1
        row[1] += p.status in Proposal.ADOPTED_STATUSES
    assert expected == {2024: [3, 1], 2025: [2, 1]}
    body = client.get(reverse("proposals:statistics_csv")).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    got = {int(r["year"]): [int(r["received"]), int(r["adopted"])] for r in rows}
    assert got == expected
    assert [r["adoption_rate_percent"] for r in rows] == ["50.0", "33.3"]
    page = client.get(reverse("proposals:statistics")).content.decode()
    assert 'data-year="2024" data-received="3" data-adopted="1"' in page


def test_officer_opens_a_themed_call(client, officer, department):
    client.force_login(officer)
    assert client.get(reverse("proposals:themed_call_new")).status_code == 200
    response = client.post(
        reverse("proposals:themed_call_new"),
        {
            "department": department.pk,
            "title": "Ideas for cooler bus stops",
            "description": "Heat.",
            "opens_at": "2026-06-01T00:00",
            "closes_at": "2026-06-30T23:59",
        },
    )
    assert response.status_code == 302
    from proposals.models import ThemedCall

    call = ThemedCall.objects.get()
    assert (call.department, call.created_by) == (department, officer)


def test_themed_call_closing_before_opening_is_refused(client, officer, department):
    from proposals.models import ThemedCall

    client.force_login(officer)
    response = client.post(
        reverse("proposals:themed_call_new"),
        {
            "department": department.pk,
            "title": "Backwards",
            "description": "x",
            "opens_at": "2026-06-30T00:00",
            "closes_at": "2026-06-01T00:00",
        },
    )
    assert response.status_code == 200
    assert ThemedCall.objects.count() == 0


def test_citizen_cannot_open_a_themed_call(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("proposals:themed_call_new")).status_code == 403


def test_similar_hint_partial(client):
    ProposalFactory(title="Misting fans at bus stops in Mapo")
    page = client.get(reverse("proposals:similar"), {"title": "Misting fans at bus stops"}).content.decode()
    assert "Misting fans at bus stops in Mapo" in page
    assert client.get(reverse("proposals:similar"), {"title": "zzz"}).content.decode().strip() == ""


def test_monitor_reads_the_review_but_cannot_act(client, monitor, in_review):
    from proposals.models import EvaluatorAssignment

    client.force_login(monitor)
    url = reverse("proposals:workspace_detail", args=[in_review.pk])
    page = client.get(url).content.decode()
    assert 'value="decision"' not in page
    assert client.post(url, {"action": "assign", "assign-evaluators": []}).status_code == 403
    assert EvaluatorAssignment.objects.count() == 0
    assert in_review.title in client.get(reverse("proposals:workspace")).content.decode()


def test_workspace_lists_only_my_department(client, officer_of_other_department, in_review):
    client.force_login(officer_of_other_department)
    assert in_review.title not in client.get(reverse("proposals:workspace")).content.decode()
