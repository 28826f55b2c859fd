"""The REST API: the whole life, refused actions (4xx and nothing written), public reads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals.models import Comment, Decision, Evaluation, EvaluatorAssignment, Proposal, ProposalVote
from tests.proposals.factories import ProposalFactory, ThemedCallFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/proposals/"
BODY = {
    "title": "Rooftop gardens on district offices",
    "problem": "Offices are hot and grey.",
    "idea": "Plant rooftop gardens.",
    "expected_effect": "Cooler buildings, places to rest.",
}


def counts():
    return (
        Proposal.objects.count(),
        ProposalVote.objects.count(),
        Evaluation.objects.count(),
        Decision.objects.count(),
        list(Proposal.objects.order_by("pk").values_list("status", "vote_count")),
    )


def test_whole_life_through_api(
    api_as,
    citizen,
    department,
    officer,
    make_voters,
    internal_expert,
    external_expert,
    api_client,
    django_capture_on_commit_callbacks,
):
    response = api_as(citizen).post(BASE, {**BODY, "department": department.code}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["status"] == "open"
    for voter in make_voters(11):
        assert api_as(voter).post(f"{BASE}{pk}/vote/").status_code == 201
    detail = api_client.get(f"{BASE}{pk}/").json()
    assert (detail["status"], detail["vote_count"]) == ("in_review", 11)
    response = api_as(officer).post(
        f"{BASE}{pk}/assign/", {"evaluators": [internal_expert.pk, external_expert.pk]}, format="json"
    )
    assert response.status_code == 201
    for expert in (internal_expert, external_expert):
        response = api_as(expert).post(
            f"{BASE}{pk}/evaluate/",
            {"necessity": 4, "effectiveness": 4, "feasibility": 4, "budget": 2, "comment": "Good."},
            format="json",
        )
        assert response.status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(officer).post(
            f"{BASE}{pk}/decide/",
            {
                "outcome": "rejected",
                "summary": "Roofs cannot carry the load.",
                "reason_validity": False,
                "reason_ordinances": True,
                "reasons": "Building safety rules.",
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    detail = api_client.get(f"{BASE}{pk}/").json()
    assert detail["status"] == "decided_rejected"
    assert detail["decision"]["rejection_reasons"] == ["ordinances"]
    timeline = [e["kind"] for e in api_client.get(f"{BASE}{pk}/timeline/").json()]
    assert timeline == ["submitted", "threshold", "assigned", "assigned", "evaluated", "evaluated", "decided"]


def test_public_reads_need_no_login_and_show_no_name(api_client, proposal, citizen):
    listing = api_client.get(BASE, {"list": "supported"})
    assert listing.status_code == 200
    item = listing.json()["results"][0]
    assert item["author"] == "ci*****"
    assert citizen.full_name not in listing.content.decode()
    assert citizen.username not in api_client.get(f"{BASE}{proposal.pk}/").content.decode()
    assert api_client.get(f"{BASE}{proposal.pk}/comments/").status_code == 200
    assert api_client.get(f"{BASE}calls/").status_code == 200
    assert api_client.get(f"{BASE}statistics/").status_code == 200


def test_citizen_actions_need_login(api_client, proposal):
    assert api_client.post(f"{BASE}{proposal.pk}/vote/").status_code == 401
    assert api_client.post(BASE, BODY, format="json").status_code == 401
    assert api_client.get(f"{BASE}mine/").status_code == 401
    assert ProposalVote.objects.count() == 0


def test_vote_twice_is_409_and_nothing_written(api_as, proposal, other_citizen):
    client = api_as(other_citizen)
    assert client.post(f"{BASE}{proposal.pk}/vote/").status_code == 201
    before = counts()
    response = client.post(f"{BASE}{proposal.pk}/vote/")
    assert response.status_code == 409
    assert response.json()["error"] == "already_voted"
    assert counts() == before


def test_vote_own_is_409(api_as, proposal, citizen):
    before = counts()
    response = api_as(citizen).post(f"{BASE}{proposal.pk}/vote/")
    assert (response.status_code, response.json()["error"]) == (409, "own_proposal")
    assert counts() == before


def test_vote_on_decided_is_409(api_as, other_citizen):
    decided = ProposalFactory(status=Proposal.Status.ADOPTED)
    before = counts()
    response = api_as(other_citizen).post(f"{BASE}{decided.pk}/vote/")
    assert (response.status_code, response.json()["error"]) == (409, "voting_closed")
    assert counts() == before


def test_submit_to_closed_call_is_409(api_as, citizen):
    call = ThemedCallFactory(opens_at=timezone.now() - timedelta(days=9), closes_at=timezone.now() - timedelta(days=1))
    before = counts()
    response = api_as(citizen).post(BASE, {**BODY, "themed_call": call.pk}, format="json")
    assert (response.status_code, response.json()["error"]) == (409, "themed_call_closed")
    assert counts() == before


def test_score_out_of_range_is_400(api_as, in_review, officer, internal_expert):
    api_as(officer).post(f"{BASE}{in_review.pk}/assign/", {"evaluators": [internal_expert.pk]}, format="json")
    before = counts()
    response = api_as(internal_expert).post(
        f"{BASE}{in_review.pk}/evaluate/",
        {"necessity": 6, "effectiveness": 4, "feasibility": 4, "budget": 2, "comment": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"necessity": ["A score is between 1 and 5."]}
    assert counts() == before


def test_decision_without_evaluations_is_409(api_as, in_review, officer):
    before = counts()
    response = api_as(officer).post(
        f"{BASE}{in_review.pk}/decide/",
        {"outcome": "rejected", "summary": "No.", "reason_budget": True, "reasons": "x"},
        format="json",
    )
    assert (response.status_code, response.json()["error"]) == (409, "no_evaluations")
    assert counts() == before


def test_evaluation_by_outsider_is_403(api_as, in_review, internal_expert):
    before = counts()
    response = api_as(internal_expert).post(
        f"{BASE}{in_review.pk}/evaluate/",
        {"necessity": 3, "effectiveness": 3, "feasibility": 3, "budget": 3, "comment": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert counts() == before


def test_assign_by_other_department_is_403(api_as, in_review, officer_of_other_department, internal_expert):
    response = api_as(officer_of_other_department).post(
        f"{BASE}{in_review.pk}/assign/", {"evaluators": [internal_expert.pk]}, format="json"
    )
    assert response.status_code == 403
    assert EvaluatorAssignment.objects.count() == 0


def test_draft_edit_and_submit(api_as, citizen, other_citizen, api_client):
    client = api_as(citizen)
    response = client.post(BASE, {"title": "Half an idea", "draft": True}, format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    assert response.json()["status"] == "draft"
    assert api_client.get(f"{BASE}{pk}/").status_code == 404
    assert api_as(other_citizen).patch(f"{BASE}{pk}/", {"title": "Mine now"}, format="json").status_code == 404
    assert client.patch(f"{BASE}{pk}/", BODY, format="json").status_code == 200
    assert client.post(f"{BASE}{pk}/submit/").json()["status"] == "open"
    assert client.post(f"{BASE}{pk}/submit/").status_code == 409
    assert [p["id"] for p in client.get(f"{BASE}mine/").json()["results"]] == [pk]


def test_comment_and_my_votes(api_as, proposal, other_citizen):
    client = api_as(other_citizen)
    assert client.post(f"{BASE}{proposal.pk}/comments/", {"text": "Yes please"}, format="json").status_code == 201
    assert client.post(f"{BASE}{proposal.pk}/comments/", {"text": ""}, format="json").status_code == 400
    assert Comment.objects.count() == 1
    client.post(f"{BASE}{proposal.pk}/vote/")
    votes = client.get(f"{BASE}my-votes/").json()["results"]
    assert [v["proposal"]["id"] for v in votes] == [proposal.pk]


def test_similar_endpoint(api_client):
    ProposalFactory(title="Rooftop gardens on public buildings")
    found = api_client.get(f"{BASE}similar/", {"title": "Rooftop gardens on district offices"}).json()
    assert [p["title"] for p in found] == ["Rooftop gardens on public buildings"]


def test_revision_answer_api(api_as, in_review, officer, citizen, other_citizen):
    from proposals import services

    revision = services.revision_propose(officer=officer, proposal_id=in_review.pk, **BODY)
    assert api_as(other_citizen).post(f"{BASE}revisions/{revision.pk}/answer/", {"accept": True}).status_code == 404
    assert api_as(citizen).post(f"{BASE}revisions/{revision.pk}/answer/", {"accept": True}).status_code == 200
    in_review.refresh_from_db()
    assert in_review.title == BODY["title"]


def test_list_query_count_is_constant(api_client, django_assert_max_num_queries):
    ProposalFactory.create_batch(15)
    with django_assert_max_num_queries(3):
        assert api_client.get(BASE, {"list": "supported"}).status_code == 200


def test_schema_is_valid(api_client):
    assert api_client.get("/api/schema/").status_code == 200


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("other_citizen", 201),
        ("officer", 403),
        ("supervisor", 403),
        ("evaluator", 403),
        ("monitor", 403),
        ("counsellor", 403),
    ],
)
def test_vote_permission_per_role(api_as, request, proposal, persona, expected):
    response = api_as(request.getfixturevalue(persona)).post(f"{BASE}{proposal.pk}/vote/")
    assert response.status_code == expected
    assert ProposalVote.objects.count() == (1 if expected == 201 else 0)


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("officer", 409),  # allowed, but refused for want of evaluations
        ("supervisor", 409),
        ("officer_of_other_department", 403),
        ("citizen", 403),
        ("evaluator", 403),
        ("monitor", 403),
    ],
)
def test_decide_permission_per_role(api_as, request, in_review, persona, expected):
    response = api_as(request.getfixturevalue(persona)).post(
        f"{BASE}{in_review.pk}/decide/",
        {"outcome": "rejected", "summary": "No.", "reason_budget": True, "reasons": "x"},
        format="json",
    )
    assert response.status_code == expected
    assert Decision.objects.count() == 0


@pytest.mark.parametrize("persona", ["citizen", "other_citizen", "officer", "monitor"])
def test_only_panel_evaluators_evaluate(api_as, request, in_review, persona):
    response = api_as(request.getfixturevalue(persona)).post(
        f"{BASE}{in_review.pk}/evaluate/",
        {"necessity": 3, "effectiveness": 3, "feasibility": 3, "budget": 3, "comment": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert Evaluation.objects.count() == 0


def test_statistics_api_matches_raw_rows(api_client):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    seoul = ZoneInfo("Asia/Seoul")
    for when, status in [
        (datetime(2025, 1, 1, 0, 30, tzinfo=seoul), Proposal.Status.ADOPTED),  # 2024 in UTC, 2025 in Seoul
        (datetime(2025, 5, 1, 9, 0, tzinfo=seoul), Proposal.Status.REJECTED),
        (datetime(2025, 7, 1, 9, 0, tzinfo=seoul), Proposal.Status.IMPLEMENTING),
        (datetime(2025, 8, 1, 9, 0, tzinfo=seoul), Proposal.Status.OPEN),
    ]:
        ProposalFactory(submitted_at=when, status=status)
    years = api_client.get(f"{BASE}statistics/").json()["years"]
    raw = list(Proposal.objects.exclude(status="draft").values_list("submitted_at", "status"))
    adopted = sum(1 for _, s in raw if s in Proposal.ADOPTED_STATUSES)
    assert years == [{"year": 2025, "received": len(raw), "adopted": adopted, "rejected": 1, "rate": 50.0}]


def test_mine_query_count_is_constant(api_as, citizen, django_assert_max_num_queries):
    ProposalFactory.create_batch(6, author=citizen)
    client = api_as(citizen)
    with django_assert_max_num_queries(8):
        assert len(client.get(f"{BASE}mine/").json()["results"]) == 6


def test_images_on_a_draft_through_the_api(api_as, citizen, other_citizen):
    from tests.proposals.test_images import jpeg_with_exif

    client = api_as(citizen)
    pk = client.post(BASE, {"title": "With a photo", "draft": True}, format="json").json()["id"]
    response = client.post(f"{BASE}{pk}/images/", {"images": [jpeg_with_exif()]}, format="multipart")
    assert response.status_code == 201
    assert len(response.json()["images"]) == 1
    refused = api_as(other_citizen).post(f"{BASE}{pk}/images/", {"images": [jpeg_with_exif()]}, format="multipart")
    assert refused.status_code == 404
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = client.post(f"{BASE}{pk}/images/", {"images": [bad]}, format="multipart")
    assert response.status_code == 400
    from proposals.models import ProposalImage

    assert ProposalImage.objects.count() == 1


def test_ranking_keyset_walks_every_row_once_in_order(api_client):
    for votes in (5, 5, 5, 9, 0, 2, 5):
        ProposalFactory(vote_count=votes)
    ProposalFactory(status=Proposal.Status.DRAFT, submitted_at=None, vote_count=99)
    seen, after = [], None
    while True:
        params = {"limit": 3, **({"after": after} if after else {})}
        body = api_client.get(f"{BASE}ranking/", params).json()
        seen += [(p["vote_count"], p["id"]) for p in body["results"]]
        after = body["next_after"]
        if after is None:
            break
    expected = list(Proposal.objects.public().order_by("-vote_count", "-id").values_list("vote_count", "id"))
    assert seen == expected
    assert len(seen) == 7


def test_ranking_bad_cursor_is_400(api_client):
    assert api_client.get(f"{BASE}ranking/", {"after": "x"}).status_code == 400
