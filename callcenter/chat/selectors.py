"""What 120 live counselling reads: message shapes of the socket protocol (docs/realtime.md),
queue positions and honest expected waits, the counsellors' queue."""

import datetime as dt
import statistics

from django.urls import reverse
from django.utils import timezone

from callcenter.chat.models import Conversation, CounsellorSeat, InterpreterHours, Message, Queue

# Expected waits are the median of the last waits of the same queue in this window.
RECENT_WAITS = 20
RECENT_WINDOW = dt.timedelta(hours=24)


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None


def counsellor_label(user) -> str | None:
    return user.get_full_name() if user is not None else None


def message_payload(message: Message, conversation: Conversation) -> dict:
    if message.sender == Message.Sender.CITIZEN:
        author = conversation.citizen_name
    else:
        author = counsellor_label(message.author)
    return {
        "type": "message",
        "seq": message.seq,
        "client_id": message.client_id,
        "from": message.sender,
        "author": author,
        "text": message.text,
        "image": (
            reverse("callcenter_chat:image", kwargs={"pk": conversation.pk, "seq": message.seq})
            if message.image
            else None
        ),
        "article": message.article_id,
        "sent_at": _iso(message.sent_at),
    }


def note_payload(note) -> dict:
    return {
        "type": "note",
        "id": note.pk,
        "author": counsellor_label(note.author),
        "text": note.text,
        "at": _iso(note.created_at),
    }


def interpreters_on_duty(now=None) -> bool:
    local = timezone.localtime(now or timezone.now())
    return InterpreterHours.objects.filter(
        weekday=local.weekday(), starts__lte=local.time(), ends__gt=local.time()
    ).exists()


def interpreter_hours():
    return list(InterpreterHours.objects.all())


def queue_position(conversation) -> int | None:
    if conversation.status != Conversation.Status.WAITING:
        return None
    return (
        Conversation.objects.waiting()
        .filter(queue=conversation.queue, queued_at__lte=conversation.queued_at)
        .exclude(queued_at=conversation.queued_at, pk__gt=conversation.pk)
        .count()
    )


def recent_wait_seconds(queue: str, now=None) -> float | None:
    """The median of the last waits (queued → accepted) of ``queue``; None when nobody was
    accepted there recently (then the page says it cannot estimate)."""
    now = now or timezone.now()
    rows = (
        Conversation.objects.filter(queue=queue, accepted_at__isnull=False, accepted_at__gte=now - RECENT_WINDOW)
        .order_by("-accepted_at")
        .values_list("queued_at", "accepted_at")[:RECENT_WAITS]
    )
    waits = [max(0.0, (accepted - queued).total_seconds()) for queued, accepted in rows]
    return statistics.median(waits) if waits else None


def expected_wait_seconds(conversation, position=None) -> int | None:
    """Position × the recent median wait of its queue; None when it cannot be estimated."""
    position = queue_position(conversation) if position is None else position
    if position is None:
        return None
    median = recent_wait_seconds(conversation.queue)
    if median is None:
        return None
    return int(round(median * position))


def conversation_state(conversation) -> dict:
    position = queue_position(conversation)
    return {
        "id": str(conversation.pk),
        "kind": conversation.kind,
        "language": conversation.language,
        "status": conversation.status,
        "topic": conversation.contact.topic.name if conversation.contact.topic_id else "",
        "queue_position": position,
        "expected_wait_seconds": expected_wait_seconds(conversation, position),
        "counsellor": counsellor_label(conversation.counsellor),
        "contact": conversation.contact_id,
    }


def status_payload(conversation) -> dict:
    state = conversation_state(conversation)
    return {
        "status": state["status"],
        "queue_position": state["queue_position"],
        "expected_wait_seconds": state["expected_wait_seconds"],
        "counsellor": state["counsellor"],
    }


def messages_after(conversation, after: int = 0, limit: int | None = None):
    rows = Message.objects.filter(conversation=conversation, seq__gt=max(0, after)).select_related("author")
    if limit:
        rows = rows[:limit]
    return [message_payload(message, conversation) for message in rows]


def joined_payload(conversation, *, role: str, after: int = 0) -> dict:
    payload = {
        "type": "joined",
        "role": role,
        "conversation": conversation_state(conversation),
        "messages": messages_after(conversation, after),
        "read": {"citizen": conversation.citizen_read_seq, "counsellor": conversation.counsellor_read_seq},
    }
    if role == Message.Sender.COUNSELLOR:
        payload["notes"] = [note_payload(note) for note in conversation.notes.select_related("author")]
    return payload


def seat_of(user) -> CounsellorSeat:
    """The counsellor's seat, or the defaults (Korean, three at once) when none is set."""
    seat = CounsellorSeat.objects.filter(counsellor=user).first()
    return seat or CounsellorSeat(counsellor=user)


def queue_snapshot(user, now=None) -> dict:
    """What the console's live queue shows ``user``: waiting conversations by queue (those the
    counsellor can take first), and their own active ones."""
    now = now or timezone.now()
    seat = seat_of(user)
    waiting = []
    for conversation in Conversation.objects.waiting().select_related("contact__topic").order_by("queued_at"):
        waiting.append(
            {
                "id": str(conversation.pk),
                "kind": conversation.kind,
                "language": conversation.language,
                "queue": conversation.queue,
                "topic": conversation.contact.topic.name if conversation.contact.topic_id else "",
                "waiting_seconds": int((now - conversation.queued_at).total_seconds()),
                "can_take": seat.serves(conversation.queue, conversation.language),
            }
        )
    mine = [
        {
            "id": str(conversation.pk),
            "kind": conversation.kind,
            "language": conversation.language,
            "topic": conversation.contact.topic.name if conversation.contact.topic_id else "",
            "citizen": conversation.citizen_name,
            "unread": max(0, conversation.last_seq - conversation.counsellor_read_seq),
            "grace_until": _iso(conversation.grace_until),
        }
        for conversation in Conversation.objects.of_counsellor(user).select_related("contact__topic")
    ]
    return {
        "type": "queue",
        "waiting": waiting,
        "counts": {queue: sum(1 for row in waiting if row["queue"] == queue) for queue in Queue.values},
        "mine": mine,
        "capacity": seat.capacity,
    }
