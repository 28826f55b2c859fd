"""The live counselling socket: join, ack, dedup, catch-up, strangers, tokens, typing, read,
limits, accept race, grace sweep (protocol: docs/realtime.md)."""

import asyncio
import datetime as dt

import pytest
from django.utils import timezone

from callcenter.chat import services
from callcenter.chat.models import Conversation, Message
from callcenter.models import Contact
from tests.callcenter.chat_helpers import next_of, queue_socket_as, socket_as, start
from tests.sockets import ORIGIN, connect, db, socket_test

pytestmark = pytest.mark.django_db(transaction=True)


async def accepted(counsellor, citizen=None, **kwargs):
    conversation, token = await db(lambda: start(citizen, name="" if citizen else "홍길동", **kwargs))
    await db(lambda: services.conversation_accept(conversation=conversation, counsellor=counsellor))
    return conversation, token


@socket_test
async def test_citizen_joins_and_sees_the_waiting_state(citizen):
    conversation, token = await db(lambda: start(citizen))
    assert token == ""
    ws, joined = await socket_as(citizen, conversation.pk)
    assert joined["role"] == "citizen"
    state = joined["conversation"]
    assert state["status"] == "waiting" and state["queue_position"] == 1 and state["kind"] == "text"
    assert state["expected_wait_seconds"] is None  # nobody was accepted recently: no estimate
    assert joined["messages"] == [] and joined["read"] == {"citizen": 0, "counsellor": 0}
    await ws.disconnect()


@socket_test
async def test_a_message_is_stored_before_the_ack_and_reaches_both_sides(citizen, counsellor):
    conversation, _ = await accepted(counsellor, citizen)
    citizen_ws, _ = await socket_as(citizen, conversation.pk)
    counsellor_ws, joined = await socket_as(counsellor, conversation.pk)
    assert joined["role"] == "counsellor" and joined["notes"] == []
    await citizen_ws.send_json_to({"type": "message", "client_id": "c-1", "text": "주차 문의입니다 <b>"})
    seen_by_counsellor = await next_of(counsellor_ws, "message")
    first, second = await citizen_ws.receive_json_from(), await citizen_ws.receive_json_from()
    ack = first if first["type"] == "ack" else second
    assert ack == {"type": "ack", "client_id": "c-1", "seq": 1}
    assert seen_by_counsellor["seq"] == 1 and seen_by_counsellor["from"] == "citizen"
    assert seen_by_counsellor["text"] == "주차 문의입니다 <b>" and seen_by_counsellor["author"] == "김시민"
    stored = await db(lambda: list(Message.objects.values_list("seq", "client_id", "sender")))
    assert stored == [(1, "c-1", "citizen")]
    # The first question of the citizen is the contact's question.
    assert await db(lambda: Contact.objects.get().question) == "주차 문의입니다 <b>"
    await citizen_ws.disconnect()
    await counsellor_ws.disconnect()


@socket_test
async def test_a_retried_client_id_is_acknowledged_with_the_first_seq_and_stored_once(citizen, counsellor):
    conversation, _ = await accepted(counsellor, citizen)
    ws, _ = await socket_as(citizen, conversation.pk)
    for _attempt in range(2):
        await ws.send_json_to({"type": "message", "client_id": "same", "text": "한 번만"})
        ack = await next_of(ws, "ack")
        assert ack["seq"] == 1
    await ws.send_json_to({"type": "message", "client_id": "other", "text": "두 번째"})
    assert (await next_of(ws, "ack"))["seq"] == 2
    assert await db(lambda: Message.objects.count()) == 2
    await ws.disconnect()


@socket_test
async def test_join_after_catches_up_without_loss_or_duplicate(citizen, counsellor):
    conversation, _ = await accepted(counsellor, citizen)
    for n in range(1, 5):
        await db(
            lambda n=n: services.message_post(
                conversation=conversation, role="counsellor", user=counsellor, client_id=f"k{n}", text=f"답변 {n}"
            )
        )
    ws, joined = await socket_as(citizen, conversation.pk, after=2)
    assert [m["seq"] for m in joined["messages"]] == [3, 4]
    assert [m["text"] for m in joined["messages"]] == ["답변 3", "답변 4"]
    await ws.disconnect()


@socket_test
async def test_reconnect_after_a_drop_delivers_a_message_exactly_once(citizen, counsellor):
    conversation, _ = await accepted(counsellor, citizen)
    citizen_ws, _ = await socket_as(citizen, conversation.pk)
    counsellor_ws, _ = await socket_as(counsellor, conversation.pk)
    await counsellor_ws.send_json_to({"type": "message", "client_id": "a", "text": "첫째"})
    assert (await next_of(citizen_ws, "message"))["seq"] == 1
    await citizen_ws.disconnect()  # the citizen's connection drops
    await counsellor_ws.send_json_to({"type": "message", "client_id": "b", "text": "끊긴 동안"})
    await next_of(counsellor_ws, "ack")
    citizen_ws, joined = await socket_as(citizen, conversation.pk, after=1)
    assert [(m["seq"], m["text"]) for m in joined["messages"]] == [(2, "끊긴 동안")]
    assert await citizen_ws.receive_nothing(timeout=0.3)
    await citizen_ws.disconnect()
    await counsellor_ws.disconnect()


@socket_test
async def test_strangers_are_closed_with_4403(citizen, other_citizen, officer):
    conversation, _ = await db(lambda: start(citizen))
    for stranger in (other_citizen, officer, None):
        ws, _ = await socket_as(stranger, conversation.pk, expect_join=False)
        assert (await ws.receive_output(timeout=3)) == {"type": "websocket.close", "code": 4403}


@socket_test
async def test_an_unknown_conversation_is_closed_with_4404(citizen):
    ws, _ = await socket_as(citizen, "00000000-0000-4000-8000-000000000000", expect_join=False)
    assert (await ws.receive_output(timeout=3)) == {"type": "websocket.close", "code": 4404}


@socket_test
async def test_an_anonymous_conversation_is_joined_with_its_token_only():
    conversation, token = await db(lambda: start(None, name="익명 시민"))
    assert len(token) >= 40
    stored = await db(lambda: Conversation.objects.get().token_hash)
    assert token not in stored and len(stored) == 64
    ws, joined = await socket_as(None, conversation.pk, token=token)
    assert joined["role"] == "citizen"
    await ws.disconnect()
    wrong, _ = await socket_as(None, conversation.pk, token=token[:-2] + "xx", expect_join=False)
    assert (await wrong.receive_output(timeout=3))["code"] == 4403


@socket_test
async def test_typing_goes_to_the_other_side_only_and_is_not_stored(citizen, counsellor):
    conversation, _ = await accepted(counsellor, citizen)
    citizen_ws, _ = await socket_as(citizen, conversation.pk)
    counsellor_ws, _ = await socket_as(counsellor, conversation.pk)
    await citizen_ws.send_json_to({"type": "typing", "on": True})
    assert await counsellor_ws.receive_json_from() == {"type": "typing", "from": "citizen", "on": True}
    assert await citizen_ws.receive_nothing(timeout=0.3)
    assert await db(lambda: Message.objects.count()) == 0
    await citizen_ws.disconnect()
    await counsellor_ws.disconnect()


@socket_test
async def test_read_is_stored_and_told_to_the_other_side(citizen, counsellor):
    conversation, _ = await accepted(counsellor, citizen)
    await db(
        lambda: services.message_post(
            conversation=conversation, role="counsellor", user=counsellor, client_id="x", text="안녕하세요"
        )
    )
    citizen_ws, _ = await socket_as(citizen, conversation.pk)
    counsellor_ws, _ = await socket_as(counsellor, conversation.pk)
    await citizen_ws.send_json_to({"type": "read", "seq": 99})  # past the last message: stored as 1
    assert await next_of(counsellor_ws, "read") == {"type": "read", "from": "citizen", "seq": 1}
    assert await db(lambda: Conversation.objects.get().citizen_read_seq) == 1
    await citizen_ws.disconnect()
    await counsellor_ws.disconnect()


@socket_test
async def test_signal_is_relayed_only_in_video_conversations(citizen, counsellor):
    text_conversation, _ = await accepted(counsellor, citizen)
    ws, _ = await socket_as(citizen, text_conversation.pk)
    await ws.send_json_to({"type": "signal", "data": {"sdp": "x"}})
    assert (await ws.receive_json_from())["code"] == "bad_message"
    await ws.disconnect()
    video, _ = await accepted(counsellor, citizen, kind="video")
    citizen_ws, _ = await socket_as(citizen, video.pk)
    counsellor_ws, _ = await socket_as(counsellor, video.pk)
    await counsellor_ws.send_json_to({"type": "signal", "data": {"type": "offer", "sdp": "v=0"}})
    assert await citizen_ws.receive_json_from() == {
        "type": "signal",
        "from": "counsellor",
        "data": {"type": "offer", "sdp": "v=0"},
    }
    assert await counsellor_ws.receive_nothing(timeout=0.3)
    await citizen_ws.disconnect()
    await counsellor_ws.disconnect()


@socket_test
async def test_too_long_and_too_many_messages_are_refused_and_nothing_is_stored(settings, citizen, counsellor):
    settings.REALTIME_RATE = 3
    conversation, _ = await accepted(counsellor, citizen)
    ws, _ = await socket_as(citizen, conversation.pk)  # the join was message 1 of 3
    await ws.send_json_to({"type": "message", "client_id": "long", "text": "가" * 1001})
    error = await ws.receive_json_from()
    assert error["code"] == "too_long" and "1,000" in error["message"]
    await ws.send_json_to({"type": "message", "client_id": "n", "text": "하나"})
    await next_of(ws, "ack")
    await ws.send_json_to({"type": "message", "client_id": "m", "text": "둘"})
    assert (await next_of(ws, "error"))["code"] == "rate_limited"
    assert await db(lambda: list(Message.objects.values_list("client_id", flat=True))) == ["n"]
    await ws.disconnect()


@socket_test
async def test_a_counsellor_answers_only_once_they_have_accepted(citizen, counsellor):
    conversation, _ = await db(lambda: start(citizen))
    ws, _ = await socket_as(counsellor, conversation.pk)
    await ws.send_json_to({"type": "message", "client_id": "early", "text": "안녕하세요"})
    assert (await ws.receive_json_from())["code"] == "not_yours"
    assert await db(lambda: Message.objects.count()) == 0
    await ws.disconnect()


@socket_test
async def test_notes_reach_counsellors_only(citizen, counsellor):
    conversation, _ = await accepted(counsellor, citizen)
    citizen_ws, _ = await socket_as(citizen, conversation.pk)
    counsellor_ws, _ = await socket_as(counsellor, conversation.pk)
    await citizen_ws.send_json_to({"type": "note", "text": "엿보기"})
    assert (await citizen_ws.receive_json_from())["code"] == "forbidden"
    await counsellor_ws.send_json_to({"type": "note", "text": "재방문 민원인"})
    note = await next_of(counsellor_ws, "note")
    assert note["text"] == "재방문 민원인"
    assert await citizen_ws.receive_nothing(timeout=0.3)
    await citizen_ws.disconnect()
    await counsellor_ws.disconnect()


@socket_test
async def test_end_tells_both_sides_and_sets_the_contacts_end(citizen, counsellor):
    conversation, _ = await accepted(counsellor, citizen)
    citizen_ws, _ = await socket_as(citizen, conversation.pk)
    counsellor_ws, _ = await socket_as(counsellor, conversation.pk)
    await citizen_ws.send_json_to({"type": "end"})
    assert (await next_of(counsellor_ws, "status"))["status"] == "ended"
    assert (await next_of(citizen_ws, "status"))["status"] == "ended"
    contact = await db(lambda: Contact.objects.get())
    assert contact.ended_at is not None and contact.counsellor_id == counsellor.pk and contact.status == "open"
    await citizen_ws.send_json_to({"type": "message", "client_id": "late", "text": "늦음"})
    assert (await citizen_ws.receive_json_from())["code"] == "ended"
    await citizen_ws.disconnect()
    await counsellor_ws.disconnect()


@socket_test
async def test_two_counsellors_accepting_at_once_one_wins(citizen, counsellor, other_counsellor):
    conversation, _ = await db(lambda: start(citizen))
    first, ok1, _ = await queue_socket_as(counsellor)
    second, ok2, _ = await queue_socket_as(other_counsellor)
    assert ok1 and ok2
    snapshot = await first.receive_json_from()
    assert [row["id"] for row in snapshot["waiting"]] == [str(conversation.pk)]
    await second.receive_json_from()
    await asyncio.gather(
        first.send_json_to({"type": "accept", "id": str(conversation.pk)}),
        second.send_json_to({"type": "accept", "id": str(conversation.pk)}),
    )
    answers = []
    for ws in (first, second):
        for _ in range(4):
            message = await ws.receive_json_from(timeout=3)
            if message["type"] in ("accepted", "error"):
                answers.append(message)
                break
    assert sorted(a["type"] for a in answers) == ["accepted", "error"]
    assert [a["code"] for a in answers if a["type"] == "error"] == ["already_taken"]
    winner = await db(lambda: Conversation.objects.get().counsellor_id)
    assert winner in (counsellor.pk, other_counsellor.pk)
    assert await db(lambda: Contact.objects.get().counsellor_id) == winner
    await first.disconnect()
    await second.disconnect()


@socket_test
async def test_the_queue_is_for_the_centres_counsellors_only(citizen, officer):
    _, connected, code = await queue_socket_as(citizen)
    assert not connected and code == 4403
    _, connected, code = await queue_socket_as(officer)
    assert not connected and code == 4403
    _, connected, code = await connect("/ws/callcenter/queue/", headers=[ORIGIN])
    assert not connected and code == 4401


@socket_test
async def test_the_queue_is_pushed_when_a_citizen_starts(counsellor, citizen):
    ws, connected, _ = await queue_socket_as(counsellor)
    assert (await ws.receive_json_from())["waiting"] == []
    conversation, _ = await db(lambda: start(citizen, language="en"))
    snapshot = await ws.receive_json_from(timeout=3)
    assert [(r["id"], r["queue"], r["can_take"]) for r in snapshot["waiting"]] == [
        (str(conversation.pk), "foreign", False)  # a Korean-only counsellor cannot take English
    ]
    assert snapshot["counts"]["foreign"] == 1
    await ws.disconnect()


@socket_test
async def test_a_disconnected_counsellor_keeps_the_conversation_for_the_grace_period(settings, citizen, counsellor):
    settings.CALLCENTER_CHAT_GRACE_SECONDS = 60
    conversation, _ = await accepted(counsellor, citizen)
    ws, _ = await socket_as(counsellor, conversation.pk)
    await ws.disconnect()
    await asyncio.sleep(0.2)
    grace_until = await db(lambda: Conversation.objects.get().grace_until)
    assert grace_until is not None
    # Within the grace period the sweep leaves it; the counsellor returns and the deadline goes.
    assert await db(lambda: services.grace_sweep(now=grace_until - dt.timedelta(seconds=1))) == 0
    ws, _ = await socket_as(counsellor, conversation.pk)
    assert await db(lambda: Conversation.objects.get().grace_until) is None
    await ws.disconnect()
    await asyncio.sleep(0.2)
    # Not back in time: it returns to the queue, once, whatever how often the sweep runs.
    later = timezone.now() + dt.timedelta(seconds=61)
    assert await db(lambda: services.grace_sweep(now=later)) == 1
    assert await db(lambda: services.grace_sweep(now=later)) == 0
    back = await db(lambda: Conversation.objects.select_related("contact").get())
    assert back.status == "waiting" and back.counsellor_id is None and back.contact.counsellor_id is None


@socket_test
async def test_a_citizen_waiting_hears_the_position_when_the_queue_moves(citizen, other_citizen, counsellor):
    first, _ = await db(lambda: start(other_citizen))
    mine, _ = await db(lambda: start(citizen))
    ws, joined = await socket_as(citizen, mine.pk)
    assert joined["conversation"]["queue_position"] == 2
    await db(lambda: services.conversation_accept(conversation=first, counsellor=counsellor))
    status = await next_of(ws, "status")
    assert status["status"] == "waiting" and status["queue_position"] == 1
    assert status["expected_wait_seconds"] is not None  # one wait was measured now
    await ws.disconnect()


@socket_test
async def test_a_counsellor_with_another_socket_open_keeps_their_conversations(citizen, counsellor):
    conversation, _ = await accepted(counsellor, citizen)
    queue_ws, connected, _ = await queue_socket_as(counsellor)
    assert connected
    await queue_ws.receive_json_from()
    chat_ws, _ = await socket_as(counsellor, conversation.pk)
    await chat_ws.disconnect()  # back from the conversation to the live queue page
    for _ in range(30):
        await asyncio.sleep(0.1)
        if await db(lambda: Conversation.objects.get().grace_until) is None:
            break
    assert await db(lambda: Conversation.objects.get().grace_until) is None
    assert await db(lambda: services.grace_sweep(now=timezone.now() + dt.timedelta(minutes=5))) == 0
    await queue_ws.disconnect()  # the last socket: now the grace period runs
    await asyncio.sleep(0.2)
    assert await db(lambda: Conversation.objects.get().grace_until) is not None
