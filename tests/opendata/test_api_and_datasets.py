"""The other datasets (120 contacts, poll results, proposals) and the public API."""

import datetime as dt

import pytest
from django.utils import timezone

from callcenter.models import Contact
from opendata import services
from polls.services import vote_cast
from proposals.models import Decision, Proposal
from tests.callcenter.factories import ContactFactory, TopicFactory
from tests.factories import CitizenFactory, district
from tests.polls.factories import PollFactory
from tests.proposals.factories import ProposalFactory

# --- 120 contacts ------------------------------------------------------------------------


def test_contacts_are_counted_by_seoul_day_channel_language_and_topic(api_client, db):
    topic = TopicFactory(code="parking", name_ko="주차", name_en="Parking")
    # 23:30 UTC on 3 March is 08:30 on 4 March in Seoul.
    late = dt.datetime(2026, 3, 3, 23, 30, tzinfo=dt.UTC)
    ContactFactory.create_batch(3, topic=topic, started_at=late, caller_phone="+821012345678")
    ContactFactory(topic=topic, started_at=late, language=Contact.Language.ENGLISH)
    ContactFactory(started_at=late, channel=Contact.Channel.TEXT_CHAT)

    services.dataset_refresh(slug="contacts")

    response = api_client.get("/api/v1/opendata/contacts/?day_from=2026-03-04&day_to=2026-03-04")
    assert response.status_code == 200
    rows = [(r["day"], r["channel"], r["language"], r["topic"], r["contacts"]) for r in response.json()["results"]]
    assert sorted(rows) == [
        ("2026-03-04", "text_chat", "ko", "", 1),
        ("2026-03-04", "voice", "en", "parking", 1),
        ("2026-03-04", "voice", "ko", "parking", 3),
    ]
    assert "+8210" not in response.content.decode()


# --- poll results -------------------------------------------------------------------------


@pytest.fixture
def closed_poll(db):
    """A closed public poll: 6 voters of Mapo (4 yes, 2 no), 10 of Gangnam (5 and 5), 1 of Jongno."""
    now = timezone.now()
    poll = PollFactory(
        question="광장에 나무를 심을까요?",
        options=["예", "아니요"],
        opens_at=now - dt.timedelta(days=3),
        closes_at=now - dt.timedelta(days=1),
    )
    yes, no = poll.options.order_by("position")
    voting = now - dt.timedelta(days=2)
    for i, (code, option) in enumerate(
        [("11440", yes)] * 4 + [("11440", no)] * 2 + [("11680", yes)] * 5 + [("11680", no)] * 5 + [("11110", no)]
    ):
        voter = CitizenFactory(username=f"voter{i}", profile__district=district(code))
        vote_cast(poll=poll, voter=voter, option_ids=[option.pk], now=voting)
    return poll


def test_poll_totals_are_published_and_small_district_cells_withheld(api_client, closed_poll):
    services.dataset_refresh(slug="polls")

    rows = api_client.get(f"/api/v1/opendata/polls/?poll={closed_poll.pk}&page_size=100").json()["results"]
    whole = {r["option"]: (r["votes"], r["ballots"], r["percent"]) for r in rows if r["district"] == ""}
    assert whole == {"예": (9, 17, "52.9"), "아니요": (8, 17, "47.1")}
    by_district = {(r["district"], r["option"]): (r["votes"], r["ballots"]) for r in rows if r["district"]}
    # Mapo's "no" has 2 votes: all of Mapo is hidden (one hidden option could be read off its
    # ballots). Jongno's single voter is hidden. Two groups are hidden, so Gangnam stays.
    assert by_district[("11440", "예")] == (None, None)
    assert by_district[("11440", "아니요")] == (None, None)
    assert by_district[("11110", "아니요")] == (None, None)
    assert by_district[("11680", "예")] == (5, 10)
    assert by_district[("11680", "아니요")] == (5, 10)


def test_a_district_where_an_option_got_fewer_than_five_votes_is_hidden_whole(api_client, db):
    """10 of 10 voters of a district for one option tells how each of them voted."""
    now = timezone.now()
    poll = PollFactory(options=["A", "B"], opens_at=now - dt.timedelta(days=3), closes_at=now - dt.timedelta(days=1))
    a = poll.options.get(text="A")
    for i, code in enumerate(["11440"] * 10 + ["11680"] * 10 + ["11110"] * 10):
        voter = CitizenFactory(username=f"w{i}", profile__district=district(code))
        vote_cast(poll=poll, voter=voter, option_ids=[a.pk], now=now - dt.timedelta(days=2))

    services.dataset_refresh(slug="polls")

    rows = api_client.get("/api/v1/opendata/polls/?page_size=100").json()["results"]
    assert {r["votes"] for r in rows if r["district"]} == {None}
    assert {(r["option"], r["votes"]) for r in rows if not r["district"]} == {("A", 30), ("B", 0)}


def test_a_single_hidden_district_hides_the_next_smallest_with_it(api_client, db):
    now = timezone.now()
    poll = PollFactory(options=["A"], opens_at=now - dt.timedelta(days=3), closes_at=now - dt.timedelta(days=1))
    option = poll.options.get()
    for i, code in enumerate(["11440"] * 6 + ["11680"] * 7 + ["11110"]):
        voter = CitizenFactory(username=f"v{i}", profile__district=district(code))
        vote_cast(poll=poll, voter=voter, option_ids=[option.pk], now=now - dt.timedelta(days=2))

    services.dataset_refresh(slug="polls")

    rows = api_client.get("/api/v1/opendata/polls/").json()["results"]
    shown = {r["district"]: r["votes"] for r in rows if r["district"]}
    # Jongno (1) is hidden; alone it could be read off 14 - 6 - 7, so Mapo (the smaller) goes too.
    assert shown == {"11110": None, "11440": None, "11680": 7}


def test_open_private_and_employee_polls_are_not_published(db):
    now = timezone.now()
    PollFactory(opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=1))
    PollFactory(opens_at=now - dt.timedelta(days=3), closes_at=now - dt.timedelta(days=1), employees_only=True)
    PollFactory(
        opens_at=now - dt.timedelta(days=3), closes_at=now - dt.timedelta(days=1), room_number="1234", room_password="x"
    )

    dataset = services.dataset_refresh(slug="polls")

    assert dataset.row_count == 0


# --- proposals ----------------------------------------------------------------------------


def test_proposals_carry_decision_and_budget_but_no_author(api_client, officer, department):
    adopted = ProposalFactory(
        title="버스정류장 그늘막", department=department, district=district("11440"), vote_count=12
    )
    adopted.status = Proposal.Status.ADOPTED
    adopted.save()
    Decision.objects.create(
        proposal=adopted,
        outcome=Decision.Outcome.ADOPTED,
        decided_by=officer,
        summary="여름 전에 설치합니다.",
        necessity="폭염",
        effectiveness="온열 질환 감소",
        feasibility="예산 확보",
        required_budget=50_000_000,
    )
    ProposalFactory(status=Proposal.Status.DRAFT, title="초안")

    services.dataset_refresh(slug="proposals")

    response = api_client.get("/api/v1/opendata/proposals/?outcome=adopted")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["title"], row["votes"], row["outcome"], row["required_budget"], row["district"]) == (
        "버스정류장 그늘막",
        12,
        "adopted",
        50_000_000,
        "11440",
    )
    assert row["decision_summary"] == "여름 전에 설치합니다."
    assert adopted.author.username not in response.content.decode()
    assert api_client.get("/api/v1/opendata/proposals/").json()["count"] == 1


# --- cases API ------------------------------------------------------------------------------


def test_cases_api_filters_and_paginates_without_an_account(api_client, make_cases, noise, parking):
    make_cases(6, category=noise)
    make_cases(5, category=parking, district_code="11680", dong="역삼1동")
    services.dataset_refresh(slug="cases")

    everything = api_client.get("/api/v1/opendata/cases/?page_size=4").json()
    gangnam = api_client.get("/api/v1/opendata/cases/?district=11680").json()
    ranged = api_client.get("/api/v1/opendata/cases/?filed_from=2026-03-02&filed_to=2026-03-02").json()

    assert (everything["count"], len(everything["results"]), bool(everything["next"])) == (11, 4, True)
    assert gangnam["count"] == 5
    assert {r["category"] for r in gangnam["results"]} == {"parking"}
    assert ranged["count"] == 11  # the week of Monday 2 March
    assert "citizen" not in everything["results"][0]


def test_cases_api_refuses_a_malformed_filter_with_a_400(api_client, db):
    response = api_client.get("/api/v1/opendata/cases/?filed_from=yesterday")

    assert response.status_code == 400


def test_api_index_lists_every_dataset_with_its_links(api_client, db):
    services.datasets_refresh_all()

    document = api_client.get("/api/v1/opendata/").json()

    assert [d["slug"] for d in document["datasets"]] == ["cases", "contacts", "polls", "proposals"]
    assert document["license"]["code"] == "kogl-1"
    assert document["datasets"][0]["csv"].endswith("/opendata/cases.csv")
    assert all(d["refreshed_at"] for d in document["datasets"])
