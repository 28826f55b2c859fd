"""The REST API: the same rules and errors as the pages, as JSON."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from polls import services
from polls.models import Ballot, Poll
from tests.factories import district
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db


def url(poll, what=""):
    return f"/api/v1/polls/{poll.pk}/{what}"


def test_list_shows_polls_open_to_me(api_as, citizen, other_citizen, officer, department):
    everyone = PollFactory(department=department, created_by=officer)
    mapo = PollFactory(department=department, created_by=officer, districts=[district("11440")])

    mine = api_as(citizen).get("/api/v1/polls/").json()
    theirs = api_as(other_citizen).get("/api/v1/polls/").json()

    assert {p["id"] for p in mine["results"]} == {everyone.pk, mapo.pk}
    assert [p["id"] for p in theirs["results"]] == [everyone.pk]


def _poll_ids_in(sql):
    return {int(i) for i in re.search(r"IN \(([\d, ]+)\)", sql).group(1).split(",")}


def test_list_query_count_does_not_grow_with_open_polls(api_as, citizen, officer, department):
    PollFactory(department=department, created_by=officer)
    client = api_as(citizen)
    client.get("/api/v1/polls/")
    with CaptureQueriesContext(connection) as one_poll:
        client.get("/api/v1/polls/")
    for _ in range(6):
        PollFactory(department=department, created_by=officer, districts=[district("11440")], options=list("ABCD"))
        PollFactory(department=department, created_by=officer, districts=[district("11680")])

    with CaptureQueriesContext(connection) as thirteen_polls:
        body = client.get("/api/v1/polls/").json()

    assert body["count"] == 7
    assert len(thirteen_polls) == len(one_poll)


def test_list_loads_the_options_of_its_page_and_not_other_districts_polls(api_as, citizen, officer, department):
    for _ in range(3):
        PollFactory(department=department, created_by=officer, districts=[district("11440")])
        PollFactory(department=department, created_by=officer)
    elsewhere = [PollFactory(department=department, created_by=officer, districts=[district("11680")]) for _ in "ab"]

    with CaptureQueriesContext(connection) as queries:
        body = api_as(citizen).get("/api/v1/polls/?page_size=2").json()

    shown = {p["id"] for p in body["results"]}
    options = [q["sql"] for q in queries if 'FROM "polls_polloption"' in q["sql"]]
    districts = [q["sql"] for q in queries if 'FROM "accounts_district"' in q["sql"]]
    assert body["count"] == 6
    assert len(shown) == 2
    assert [_poll_ids_in(sql) for sql in options] == [shown]
    assert len(districts) == 1
    assert _poll_ids_in(districts[0]).isdisjoint(p.pk for p in elsewhere)


def test_list_shows_polls_for_several_districts_to_each_of_them(api_as, citizen, other_citizen, officer, department):
    both = PollFactory(department=department, created_by=officer, districts=[district("11440"), district("11680")])
    gangnam = PollFactory(department=department, created_by=officer, districts=[district("11680")])

    mine = api_as(citizen).get("/api/v1/polls/").json()
    theirs = api_as(other_citizen).get("/api/v1/polls/").json()

    assert [p["id"] for p in mine["results"]] == [both.pk]
    assert {p["id"] for p in theirs["results"]} == {both.pk, gangnam.pk}
    assert [o["text"] for o in mine["results"][0]["options"]] == ["Yes", "No", "Maybe"]


def test_anonymous_gets_401(api_client, poll):
    assert api_client.get("/api/v1/polls/").status_code == 401
    assert api_client.post(url(poll, "vote/"), {"options": [1]}, format="json").status_code == 401


def test_detail(api_as, citizen, poll):
    body = api_as(citizen).get(url(poll)).json()
    assert body["question"] == poll.question
    assert [o["text"] for o in body["options"]] == ["Yes", "No", "Maybe"]
    assert body["target"] == "everyone with an account"
    assert body["is_open"] is True


def test_vote_then_second_vote_is_409(api_as, citizen, poll):
    client = api_as(citizen)
    option = poll.options.first().pk

    first = client.post(url(poll, "vote/"), {"options": [option]}, format="json")
    second = client.post(url(poll, "vote/"), {"options": [option]}, format="json")

    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json() == {"error": "already_voted", "detail": "You have already voted in this poll."}
    poll.refresh_from_db()
    assert poll.total_ballots == 1


def test_ineligible_vote_is_403_with_reason(api_as, other_citizen, officer, department, settings):
    settings.LANGUAGE_CODE = "en"
    poll = PollFactory(department=department, created_by=officer, age_min=20, age_max=39, districts=[district("11440")])
    response = api_as(other_citizen).post(
        url(poll, "vote/"), {"options": [poll.options.first().pk]}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "This poll is for residents of Mapo-gu aged 20–39."
    assert not Ballot.objects.exists()


def test_location_vote_needs_position(api_as, citizen, officer, department):
    poll = PollFactory(
        department=department, created_by=officer, center_lat="37.566295", center_lon="126.977945", radius_m=3200
    )
    client = api_as(citizen)
    option = poll.options.first().pk

    missing = client.post(url(poll, "vote/"), {"options": [option]}, format="json")
    half = client.post(url(poll, "vote/"), {"options": [option], "lat": "37.57"}, format="json")
    ok = client.post(url(poll, "vote/"), {"options": [option], "lat": "37.575987", "lon": "126.976822"}, format="json")

    assert missing.status_code == 400 and missing.json()["error"] == "position_required"
    assert half.status_code == 400
    assert ok.status_code == 201
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_qr_vote(api_as, citizen, officer, department):
    poll = PollFactory(department=department, created_by=officer, qr_required=True, qr_salt="s")
    client = api_as(citizen)
    option = poll.options.first().pk
    forged = client.post(url(poll, "vote/"), {"options": [option], "qr": "1:abc:def"}, format="json")
    ok = client.post(url(poll, "vote/"), {"options": [option], "qr": services.qr_token(poll)}, format="json")
    assert forged.status_code == 403 and forged.json()["error"] == "qr_invalid"
    assert ok.status_code == 201


def test_room_vote_is_throttled_after_wrong_passwords(api_as, citizen, officer, department):
    poll = PollFactory(department=department, created_by=officer, room_number="42", room_password=make_password("pw"))
    client = api_as(citizen)
    option = poll.options.first().pk
    codes = [
        client.post(url(poll, "vote/"), {"options": [option], "room_password": "bad"}, format="json").status_code
        for _ in range(services.ROOM_ATTEMPTS)
    ]
    last = client.post(url(poll, "vote/"), {"options": [option], "room_password": "pw"}, format="json")
    assert codes == [403] * services.ROOM_ATTEMPTS
    assert last.status_code == 429 and last.json()["error"] == "throttled"
    assert not Ballot.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [{"options": []}, {"options": ["x"]}, {}, {"options": [999999]}, {"options": "1"}],
)
def test_bad_vote_payloads_are_400_and_write_nothing(api_as, citizen, poll, payload):
    response = api_as(citizen).post(url(poll, "vote/"), payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"error", "detail"}
    assert not Ballot.objects.exists()


def test_option_of_another_poll_is_400(api_as, citizen, poll, officer, department):
    other = PollFactory(department=department, created_by=officer)
    response = api_as(citizen).post(url(poll, "vote/"), {"options": [other.options.first().pk]}, format="json")
    assert response.status_code == 400 and response.json()["error"] == "bad_option"
    assert not Ballot.objects.exists()


def test_unknown_poll_is_404(api_as, citizen):
    assert api_as(citizen).get("/api/v1/polls/999999/").status_code == 404


def test_results(api_as, citizen, poll):
    client = api_as(citizen)
    client.post(url(poll, "vote/"), {"options": [poll.options.first().pk]}, format="json")
    body = client.get(url(poll, "results/")).json()
    assert body["total_ballots"] == 1
    assert body["options"][0]["votes"] == 1 and body["options"][0]["percent"] == 100.0


def test_propose(api_as, citizen):
    response = api_as(citizen).post(
        "/api/v1/polls/proposals/",
        {
            "question": "A night market on weekends?",
            "options": ["Yes", "No"],
            "opens_at": (timezone.now() + timedelta(days=1)).isoformat(),
            "closes_at": (timezone.now() + timedelta(days=8)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201
    poll = Poll.objects.get()
    assert poll.approval == Poll.Approval.PENDING and poll.created_by == citizen


def test_propose_closing_before_opening_is_400(api_as, citizen):
    now = timezone.now()
    response = api_as(citizen).post(
        "/api/v1/polls/proposals/",
        {"question": "Q", "options": ["A", "B"], "opens_at": now.isoformat(), "closes_at": now.isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "closes_before_opens"
    assert not Poll.objects.exists()


def test_pending_proposal_is_hidden_from_other_citizens(api_as, citizen, other_citizen):
    poll = services.poll_propose(
        citizen=citizen,
        question="Q",
        options=["A", "B"],
        opens_at=timezone.now(),
        closes_at=timezone.now() + timedelta(days=1),
    )
    assert api_as(other_citizen).get(url(poll)).status_code == 404
    assert api_as(citizen).get(url(poll)).status_code == 200


def test_schema_is_valid(client):
    assert client.get("/api/schema/").status_code == 200


def test_list_query_count_does_not_grow(api_as, citizen, officer, department, django_assert_max_num_queries):
    for _ in range(10):
        PollFactory(department=department, created_by=officer, districts=[district("11440")])
    client = api_as(citizen)
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/polls/")
    assert response.json()["count"] == 10


def test_a_private_room_poll_is_hidden_from_a_non_member_until_the_room_is_entered(
    api_as, citizen, officer, department
):
    poll = PollFactory(
        department=department, created_by=officer, room_number="88", room_password=make_password("pw"), question="비밀"
    )
    client = api_as(citizen)
    for path in ("", "results/"):
        response = client.get(url(poll, path))
        assert response.status_code == 404 and "비밀" not in response.content.decode()
    refused = client.post("/api/v1/polls/room/", {"room_number": "88", "room_password": "bad"}, format="json")
    assert refused.status_code == 404
    assert client.get(url(poll, "")).status_code == 404

    entered = client.post("/api/v1/polls/room/", {"room_number": "88", "room_password": "pw"}, format="json")
    assert entered.status_code == 200 and entered.json()["question"] == "비밀"
    assert client.get(url(poll, "")).json()["question"] == "비밀"
