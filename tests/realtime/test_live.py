"""``/ws/live/``: who may follow which topic, what a push carries, and how bursts are coalesced."""

import asyncio
import json

import pytest
from django.conf import settings as django_settings
from rest_framework.authtoken.models import Token

from civicportal.realtime.live import MAX_TOPICS
from tests.complaints.factories import RoutingRuleFactory, file_case
from tests.factories import CitizenFactory
from tests.notifications.factories import alert_approver, alert_author, make_alert
from tests.polls.factories import PollFactory
from tests.sockets import ORIGIN, connect, db, socket_test

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.REALTIME_COALESCE_SECONDS = 0.3
    settings.REALTIME_POLL_COALESCE_SECONDS = 0.3
    settings.REALTIME_BOARD_COALESCE_SECONDS = 0.3


def token_headers(user):
    token, _ = Token.objects.get_or_create(user=user)
    return [(b"authorization", f"Token {token.key}".encode())]


async def live(headers=(ORIGIN,)):
    ws, connected, _ = await connect("/ws/live/", headers=headers)
    assert connected
    return ws


async def subscribe(ws, *topics):
    await ws.send_json_to({"type": "subscribe", "topics": list(topics)})
    return await ws.receive_json_from(timeout=5)


async def pushes(ws, seconds):
    """Every message that arrives within ``seconds`` (``receive_nothing`` keeps the consumer
    running, where a receive that times out would cancel it)."""
    got = []
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while (left := end - loop.time()) > 0:
        if await ws.receive_nothing(timeout=left, interval=0.02):
            break
        got.append(await ws.receive_json_from())
    return got


# --- who may follow what -----------------------------------------------------------------


@socket_test
async def test_anyone_may_follow_alerts():
    ws = await live()
    assert await subscribe(ws, "alerts") == {"type": "subscribed", "topics": ["alerts"]}
    await ws.disconnect()


@socket_test
async def test_staff_topics_are_refused_to_an_anonymous_visitor_and_named():
    ws = await live()
    answer = await subscribe(ws, "complaints.queue", "complaints.board", "alerts.progress.1", "poll.1", "nonsense")
    assert answer["type"] == "error"
    assert answer["code"] == "refused_topics"
    assert answer["topics"] == ["complaints.queue", "complaints.board", "alerts.progress.1", "poll.1", "nonsense"]
    await ws.disconnect()


@socket_test
async def test_the_refusal_is_in_the_readers_language():
    ws = await live(headers=(ORIGIN, (b"accept-language", b"ko-KR,ko;q=0.9")))
    answer = await subscribe(ws, "complaints.board")
    assert answer["message"] == "다음 주제는 구독할 수 없습니다: complaints.board"
    await ws.disconnect()


@socket_test
async def test_a_citizen_may_not_follow_the_queue_or_the_board(personas):
    ws = await live(headers=personas["citizen"]._live_headers)
    answer = await subscribe(ws, "alerts", "complaints.queue", "complaints.board")
    assert answer == {"type": "subscribed", "topics": ["alerts"]}
    refused = await ws.receive_json_from(timeout=5)
    assert refused["code"] == "refused_topics" and refused["topics"] == ["complaints.queue", "complaints.board"]
    await ws.disconnect()


@pytest.fixture
def personas(officer, officer_of_other_department, monitor, citizen):
    for user in (officer, officer_of_other_department, monitor, citizen):
        user._live_headers = [ORIGIN, *token_headers(user)]
    return {"officer": officer, "other": officer_of_other_department, "monitor": monitor, "citizen": citizen}


@pytest.mark.parametrize(
    "persona, allowed",
    [
        ("officer", ["complaints.queue"]),
        ("other", ["complaints.queue"]),
        ("monitor", ["complaints.board"]),
        ("citizen", []),
    ],
)
@socket_test
async def test_queue_and_board_follow_the_pages_rules(personas, persona, allowed):
    ws = await live(headers=personas[persona]._live_headers)
    await ws.send_json_to({"type": "subscribe", "topics": ["complaints.queue", "complaints.board"]})
    got = await pushes(ws, 0.5)
    subscribed = [m for m in got if m["type"] == "subscribed"]
    assert (subscribed[0]["topics"] if subscribed else []) == allowed
    refused = [m for m in got if m["type"] == "error"][0]["topics"]
    assert refused == [t for t in ["complaints.queue", "complaints.board"] if t not in allowed]
    await ws.disconnect()


@socket_test
async def test_a_polls_results_are_followed_only_where_the_results_page_shows_them(personas):
    shown = await db(lambda: PollFactory(results_visible_while_open=True))
    hidden = await db(lambda: PollFactory(results_visible_while_open=False))
    ws = await live(headers=personas["citizen"]._live_headers)
    assert await subscribe(ws, f"poll.{shown.pk}", f"poll.{hidden.pk}", "poll.999999") == {
        "type": "subscribed",
        "topics": [f"poll.{shown.pk}"],
    }
    refused = await ws.receive_json_from(timeout=5)
    assert refused["topics"] == [f"poll.{hidden.pk}", "poll.999999"]
    await ws.disconnect()


@socket_test
async def test_an_alerts_progress_is_for_those_who_may_open_its_page(personas):
    alert = await db(lambda: make_alert(alert_author()))
    approver = await db(lambda: alert_approver())
    approver._live_headers = [ORIGIN, *(await db(lambda: token_headers(approver)))]
    ws = await live(headers=approver._live_headers)
    assert await subscribe(ws, f"alerts.progress.{alert.pk}") == {
        "type": "subscribed",
        "topics": [f"alerts.progress.{alert.pk}"],
    }
    other = await live(headers=personas["citizen"]._live_headers)
    assert (await subscribe(other, f"alerts.progress.{alert.pk}"))["code"] == "refused_topics"
    await ws.disconnect()
    await other.disconnect()


@socket_test
async def test_bad_subscriptions_get_clear_errors():
    ws = await live()
    await ws.send_json_to({"type": "subscribe", "topics": "alerts"})
    assert (await ws.receive_json_from())["code"] == "bad_message"
    await ws.send_json_to({"type": "dance"})
    assert (await ws.receive_json_from())["code"] == "bad_message"
    await ws.send_json_to({"type": "subscribe", "topics": [f"poll.{n}" for n in range(MAX_TOPICS + 1)]})
    assert (await ws.receive_json_from())["code"] == "too_many_topics"
    await ws.disconnect()


# --- what a push carries, and when ---------------------------------------------------------


@socket_test
async def test_a_vote_reaches_a_results_reader_as_a_version_without_personal_data(personas):
    poll = await db(lambda: PollFactory(results_visible_while_open=True))
    ws = await live(headers=personas["officer"]._live_headers)
    await subscribe(ws, f"poll.{poll.pk}")
    voter = personas["citizen"]
    option = await db(lambda: poll.options.first())
    await db(lambda: vote(poll, voter, option))
    push = await ws.receive_json_from(timeout=5)
    assert set(push) == {"type", "topic", "version"}
    assert push["type"] == "changed" and push["topic"] == f"poll.{poll.pk}" and push["version"] > 0
    text = json.dumps(push, ensure_ascii=False)
    assert voter.username not in text and str(voter.pk) not in text.replace(str(push["version"]), "")
    await ws.disconnect()


def vote(poll, voter, option):
    from polls import services

    return services.vote_cast(poll=services.get_poll_for_user(voter, poll.pk), voter=voter, option_ids=[option.pk])


@socket_test
async def test_a_burst_of_votes_is_coalesced_and_ends_with_the_newest_version(personas):
    poll = await db(lambda: PollFactory(results_visible_while_open=True))
    voters = await db(lambda: [CitizenFactory(username=f"voter{i}") for i in range(12)])
    option = await db(lambda: poll.options.first())
    ws = await live(headers=personas["officer"]._live_headers)
    await subscribe(ws, f"poll.{poll.pk}")
    for voter in voters:  # 12 votes in well under the 0.3 s window
        await db(lambda voter=voter: vote(poll, voter, option))
    got = await pushes(ws, 1.5)
    assert 1 <= len(got) <= 3, got  # at once, then at most one per window: not 12
    versions = [m["version"] for m in got]
    assert versions == sorted(versions)
    await ws.disconnect()


@socket_test
async def test_a_filed_case_reaches_its_departments_queue_and_the_board_only(personas, department, monkeypatch):
    from complaints import filing

    # The filing's own task (nouns by morphological analysis; eager here) loads its model for
    # seconds and holds the interpreter: it is not what this test is about.
    monkeypatch.setattr(filing, "_queue_after_filing", lambda case_id: None)
    officer, other, monitor = personas["officer"], personas["other"], personas["monitor"]
    ours = await live(headers=officer._live_headers)
    theirs = await live(headers=other._live_headers)
    board = await live(headers=monitor._live_headers)
    await subscribe(ours, "complaints.queue")
    await subscribe(theirs, "complaints.queue")
    await subscribe(board, "complaints.board")

    await db(lambda: RoutingRuleFactory(name="parking", keywords="주차", department=department, priority=10))
    case = await db(lambda: file_case(personas["citizen"]))
    assert case.department_id == department.pk

    assert (await ours.receive_json_from(timeout=5))["topic"] == "complaints.queue"
    assert (await board.receive_json_from(timeout=5))["topic"] == "complaints.board"
    assert await pushes(theirs, 0.8) == []
    for ws in (ours, theirs, board):
        await ws.disconnect()


@socket_test
async def test_approving_an_alert_and_its_all_clear_reach_every_open_page():
    from civicportal.notifications import alerts

    author = await db(lambda: alert_author())
    approver = await db(lambda: alert_approver())
    alert = await db(lambda: make_alert(author))
    ws = await live()
    await subscribe(ws, "alerts")

    await db(lambda: alerts.alert_submit(alert=alert, by=author))
    assert await pushes(ws, 0.5) == []  # waiting for approval is no news for the public
    await db(lambda: alerts.alert_approve(alert=alert, by=approver))
    assert (await ws.receive_json_from(timeout=5))["topic"] == "alerts"
    await pushes(ws, 1.0)  # the fan-out's own news (eager in tests)

    all_clear = await db(lambda: make_alert(author, msg_type="Cancel", references=alert, urgency="Past"))
    await db(lambda: alerts.alert_submit(alert=all_clear, by=author))
    await db(lambda: alerts.alert_approve(alert=all_clear, by=approver))
    assert (await ws.receive_json_from(timeout=5))["topic"] == "alerts"
    await ws.disconnect()


@socket_test
async def test_cancelling_an_alert_being_sent_reaches_every_open_page():
    from civicportal.notifications import alerts
    from civicportal.notifications.models import EmergencyAlert

    author = await db(lambda: alert_author())
    alert = await db(lambda: make_alert(author))
    await db(lambda: EmergencyAlert.objects.filter(pk=alert.pk).update(status="sending"))
    ws = await live()
    await subscribe(ws, "alerts")
    await db(lambda: alerts.alert_cancel(alert=EmergencyAlert.objects.get(pk=alert.pk), by=author))
    assert (await ws.receive_json_from(timeout=5)) == {"type": "changed", "topic": "alerts", "version": ANY_INT}
    await ws.disconnect()


class _AnyInt:
    def __eq__(self, other):
        return isinstance(other, int) and other > 0


ANY_INT = _AnyInt()


@socket_test
async def test_unsubscribed_topics_are_quiet(personas):
    poll = await db(lambda: PollFactory(results_visible_while_open=True))
    ws = await live(headers=personas["officer"]._live_headers)
    await subscribe(ws, f"poll.{poll.pk}")
    await ws.send_json_to({"type": "unsubscribe", "topics": [f"poll.{poll.pk}"]})
    assert await ws.receive_json_from() == {"type": "unsubscribed", "topics": [f"poll.{poll.pk}"]}
    option = await db(lambda: poll.options.first())
    await db(lambda: vote(poll, personas["citizen"], option))
    assert await pushes(ws, 0.8) == []
    await ws.disconnect()


def test_the_banner_endpoint_answers_the_banner_and_the_bell(client, citizen):
    client.force_login(citizen)
    response = client.get("/alerts/banner/")
    assert response.status_code == 200
    assert b'id="alert-banner"' in response.content and b'class="bell"' in response.content
    assert "no-cache" in response["Cache-Control"]
    assert django_settings.REALTIME_COALESCE_SECONDS == 0.3
