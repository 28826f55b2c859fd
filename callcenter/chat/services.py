"""What 120 live counselling does. Pages, API, sockets, admin, tasks and demo call these.

A conversation is a 120 contact: starting one logs the contact; accepting, transferring and
ending it change the contact too, each with a ``ContactEvent``. Every change is pushed to the
conversation's sockets (and the counsellors' queue) once it is committed.
"""

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.chat import selectors
from callcenter.chat.models import (
    CHANNEL_OF_KIND,
    Conversation,
    Kind,
    Message,
    Note,
    Queue,
    queue_for,
)
from callcenter.models import Contact, ContactEvent, KnowledgeArticle, Topic
from callcenter.services import normalise_phone
from callcenter.uploads import clean_image
from civicportal import limits
from civicportal.accounts import permissions
from civicportal.errors import Conflict, DomainError, NotAllowed, NotFound
from civicportal.realtime.publish import publish

QUEUE_GROUP = "callcenter.queue"
WAITING_GROUP = "callcenter.queue.citizens"
NAME_MAX = 100
CLIENT_ID_MAX = 64
WORK = "callcenter_chat.work_conversations"


def grace_seconds() -> int:
    return getattr(settings, "CALLCENTER_CHAT_GRACE_SECONDS", 60)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(conversation, token) -> bool:
    if not token or not isinstance(token, str) or not conversation.token_hash:
        return False
    return hmac.compare_digest(hash_token(token), conversation.token_hash)


def _event(contact, by, what, **data):
    ContactEvent.objects.create(contact=contact, kind=ContactEvent.Kind.UPDATED, actor=by, data={"chat": what, **data})


def _queue_changed():
    """The counsellors' queues and the waiting citizens' positions are read again."""
    publish(QUEUE_GROUP, "queue_changed")
    publish(WAITING_GROUP, "queue_changed")


def _push_status(conversation):
    publish(conversation.group, "status", **selectors.status_payload(conversation))


# --- Starting ---------------------------------------------------------------------------------


def conversation_start(
    *,
    citizen=None,
    kind: str,
    language: str,
    topic: Topic | None,
    name: str = "",
    phone: str = "",
    sms_consent: bool | None = None,
    now=None,
) -> tuple[Conversation, str]:
    """Start a conversation (signed in, or anonymous with a name) and log its 120 contact.

    Returns the conversation and, for an anonymous citizen, the token that binds it (shown
    once: only its hash is stored); "" for a signed-in citizen."""
    now = now or timezone.now()
    if citizen is not None and not getattr(citizen, "is_authenticated", False):
        citizen = None
    if kind not in Kind.values:
        raise DomainError(_("Choose text chat, video or sign-language counselling."), field="kind", code="bad_kind")
    if language not in Contact.Language.values:
        raise DomainError(
            _(
                "The centre does not offer counselling in this language (Korean, English, Chinese, Japanese, "
                "Vietnamese, Mongolian)."
            ),
            field="language",
            code="language_not_offered",
        )
    if topic is None or not topic.is_active:
        raise DomainError(_("Choose the topic first."), field="topic", code="topic_required")
    name = (name or "").strip()
    if citizen is None and not name:
        raise DomainError(_("Tell us your name."), field="name", code="name_required")
    limits.check_length(name, NAME_MAX, field="name")
    phone = normalise_phone(phone)
    if phone and sms_consent is not True:
        raise DomainError(
            _("Leave your phone number only if you agree that 120 may text you at it."),
            field="sms_consent",
            code="consent_required",
        )
    if kind == Kind.SIGN_LANGUAGE and not selectors.interpreters_on_duty(now):
        raise Conflict(
            _("Sign-language interpreters are not on duty now. Leave a message and the centre will answer."),
            code="interpreters_off_duty",
        )
    if citizen is not None and not phone:
        profile = getattr(citizen, "profile", None)
        phone = getattr(profile, "mobile", "") or ""
    token = "" if citizen is not None else secrets.token_urlsafe(32)
    with transaction.atomic():
        contact = Contact.objects.create(
            channel=CHANNEL_OF_KIND[kind],
            language=language,
            caller=citizen,
            caller_phone=phone,
            sms_consent=True if sms_consent and phone else None,
            sms_consent_at=now if sms_consent and phone else None,
            topic=topic,
            started_at=now,
        )
        ContactEvent.objects.create(
            contact=contact, kind=ContactEvent.Kind.LOGGED, actor=citizen, data={"channel": contact.channel}
        )
        conversation = Conversation.objects.create(
            contact=contact,
            kind=kind,
            language=language,
            queue=queue_for(kind=kind, language=language),
            citizen=citizen,
            citizen_name=name if citizen is None else citizen.get_full_name(),
            token_hash=hash_token(token) if token else "",
            queued_at=now,
        )
        _queue_changed()
    return conversation, token


# --- Who may join -----------------------------------------------------------------------------


def get_conversation(conversation_id) -> Conversation:
    try:
        return Conversation.objects.select_related("contact", "counsellor", "citizen", "contact__topic").get(
            pk=conversation_id
        )
    except (Conversation.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound(_("No such conversation.")) from None


def role_in(conversation, *, user, tokens=()) -> str | None:
    """ "citizen", "counsellor" or None: the one gatekeeper of a conversation. The citizen is the
    account that started it, or whoever holds its token; a counsellor is one of the centre's."""
    if conversation.citizen_id is not None and getattr(user, "pk", None) == conversation.citizen_id:
        return Message.Sender.CITIZEN
    if any(token_matches(conversation, token) for token in tokens if token):
        return Message.Sender.CITIZEN
    if user is not None and user.has_perm(WORK):
        return Message.Sender.COUNSELLOR
    return None


def conversation_for(*, conversation_id, user, tokens=()) -> tuple[Conversation, str]:
    """The conversation and the reader's role, or NotFound: someone else's conversation is as
    good as missing (its existence is not revealed)."""
    conversation = get_conversation(conversation_id)
    role = role_in(conversation, user=user, tokens=tokens)
    if role is None:
        raise NotFound(_("No such conversation."))
    return conversation, role


# --- Messages ---------------------------------------------------------------------------------


def _check_sender(conversation, role, user):
    if conversation.status == Conversation.Status.ENDED:
        raise Conflict(_("This conversation has ended."), code="ended")
    if role == Message.Sender.COUNSELLOR and conversation.counsellor_id != getattr(user, "pk", None):
        raise NotAllowed(_("Accept the conversation before you answer it."), code="not_yours")


def message_post(
    *, conversation, role: str, user=None, client_id, text: str = "", image=None, article=None
) -> tuple[Message, bool]:
    """Store a message (before anything acknowledges it) and push it to the conversation.
    A ``client_id`` already stored returns the first message and False: a retry is never a
    duplicate."""
    if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > CLIENT_ID_MAX:
        raise DomainError(_("A message needs a client id (at most 64 characters)."), field="client_id")
    if not isinstance(text, str):
        raise DomainError(_("Write the message as text."), field="text")
    text = text.strip()
    limits.check_length(text, limits.SMS_TEXT, field="text", label=_("Message"))
    if not text and image is None:
        raise DomainError(_("Write a message."), field="text", code="empty")
    cleaned = clean_image(image) if image is not None else None
    stored = {"role": role, "user": user, "client_id": client_id, "text": text, "image": cleaned, "article": article}
    for _attempt in range(2):
        try:
            message = _message_store(conversation, **stored)
        except IntegrityError:
            # A retry of a stored message (the same client id): the number it took went back
            # with the rollback, and the first message answers.
            message = None
        if message is None:
            existing = Message.objects.filter(conversation=conversation, client_id=client_id).first()
            if existing is not None:
                return existing, False
            # Ended, or not this counsellor's (raised here); else it changed meanwhile: again.
            _check_sender(get_conversation(conversation.pk), role, user)
            continue
        conversation.last_seq = message.seq
        if role == Message.Sender.CITIZEN and text and not conversation.contact.question:
            # The citizen's first words are the contact's question (one row, once).
            question = text[: limits.CONTACT_TEXT]
            Contact.objects.filter(pk=conversation.contact_id, question="").update(question=question)
            conversation.contact.question = question
        # Pushed once committed (at once outside an outer transaction, else when it commits).
        publish(conversation.group, "message", message=selectors.message_payload(message, conversation))
        return message, True
    raise Conflict(_("This conversation has ended."), code="ended")


def _message_store(conversation, *, role, user, client_id, text, image, article) -> Message | None:
    """One short transaction: the next number (a conditional UPDATE that locks the conversation)
    and the INSERT. None if the conversation has ended or is not this counsellor's."""
    with transaction.atomic():
        counsellor_id = getattr(user, "pk", None) if role == Message.Sender.COUNSELLOR else None
        if role == Message.Sender.COUNSELLOR and counsellor_id is None:
            return None
        seq = Conversation.objects.take_seq(conversation.pk, counsellor_id=counsellor_id)
        if seq is None:
            return None
        return Message.objects.create(
            conversation=conversation,
            seq=seq,
            client_id=client_id,
            sender=role,
            author=user if getattr(user, "is_authenticated", False) else None,
            text=text,
            image=image,
            article_id=getattr(article, "pk", None),
        )


def message_post_article(*, conversation, user, client_id, article) -> Message:
    """Answer with a knowledge-base article in one step: its question and answer as the message."""
    if not isinstance(article, KnowledgeArticle) or not article.published:
        raise NotFound(_("No such article."))
    text = f"{article.question}\n\n{article.answer}"[: limits.SMS_TEXT]
    message, _created = message_post(
        conversation=conversation,
        role=Message.Sender.COUNSELLOR,
        user=user,
        client_id=client_id,
        text=text,
        article=article,
    )
    return message


def read_mark(*, conversation, role: str, seq) -> int:
    """This side has read up to ``seq`` (never backwards); returns the stored position."""
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise DomainError(_("A read position is a message number."), field="seq")
    field = "citizen_read_seq" if role == Message.Sender.CITIZEN else "counsellor_read_seq"
    with transaction.atomic():
        # Never backwards, and never past the last message.
        Conversation.objects.filter(pk=conversation.pk).update(
            **{field: Greatest(F(field), Least(Value(seq), F("last_seq")))}
        )
        stored = Conversation.objects.values_list(field, flat=True).get(pk=conversation.pk)
        publish(conversation.group, "read", **{"from": role, "seq": stored})
    return stored


def note_add(*, conversation, by, text: str) -> Note:
    """An internal note of the centre: counsellors see it, the citizen never does."""
    permissions.require(by, WORK, message=_("Only the centre's counsellors add notes."))
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise DomainError(_("Write the note."), field="text", code="empty")
    limits.check_field(Note, "text", text)
    with transaction.atomic():
        note = Note.objects.create(conversation=conversation, author=by, text=text)
        publish(conversation.staff_group, "note", note=selectors.note_payload(note))
    return note


# --- Counsellors: accept, transfer, end ---------------------------------------------------------


def _lock_counsellor(user):
    """Serialise one counsellor's accepts, so that two at once cannot both pass the capacity check."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _check_can_take(counsellor, conversation):
    seat = selectors.seat_of(counsellor)
    if not seat.serves(conversation.queue, conversation.language):
        raise Conflict(_("This conversation needs a skill the counsellor does not have."), code="no_skill")
    if Conversation.objects.of_counsellor(counsellor).count() >= seat.capacity:
        raise Conflict(
            _("At capacity: %(n)d conversations at once. End one first.") % {"n": seat.capacity}, code="at_capacity"
        )


def conversation_accept(*, conversation, counsellor, now=None) -> Conversation:
    """Take a waiting conversation. A conditional UPDATE: of two counsellors accepting at once,
    one gets it and the other a Conflict."""
    permissions.require(counsellor, WORK, message=_("Only the centre's counsellors accept conversations."))
    now = now or timezone.now()
    with transaction.atomic():
        _lock_counsellor(counsellor)
        _check_can_take(counsellor, conversation)
        taken = Conversation.objects.filter(pk=conversation.pk, status=Conversation.Status.WAITING).update(
            status=Conversation.Status.ACTIVE, counsellor=counsellor, accepted_at=now, grace_until=None
        )
        if not taken:
            raise Conflict(_("Another counsellor has already taken this conversation."), code="already_taken")
        Contact.objects.filter(pk=conversation.contact_id).update(counsellor=counsellor)
        conversation = get_conversation(conversation.pk)
        _event(conversation.contact, counsellor, "accepted")
        _push_status(conversation)
        _queue_changed()
    return conversation


def conversation_transfer(*, conversation, by, to_counsellor=None, to_queue: str = "") -> Conversation:
    """Hand an active conversation to a colleague (who must have room and the skill) or back to
    a skill queue, where it keeps its place."""
    permissions.require(by, WORK, message=_("Only the centre's counsellors transfer conversations."))
    if (to_counsellor is None) == (not to_queue):
        raise DomainError(_("Choose a colleague or a queue."), field="to", code="choose_target")
    if to_queue and to_queue not in Queue.values:
        raise DomainError(_("Unknown queue."), field="to_queue")
    if to_counsellor is not None and not to_counsellor.has_perm(WORK):
        raise DomainError(_("Transfer to one of the centre's counsellors."), field="to_counsellor")
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if locked.status != Conversation.Status.ACTIVE or (
            locked.counsellor_id != by.pk and not by.has_perm("callcenter_chat.manage_seats")
        ):
            raise Conflict(_("Only the counsellor of an active conversation transfers it."), code="not_yours")
        if to_counsellor is not None:
            if to_counsellor.pk == locked.counsellor_id:
                raise DomainError(_("The conversation is already with this counsellor."), field="to_counsellor")
            _lock_counsellor(to_counsellor)
            _check_can_take(to_counsellor, locked)
            Conversation.objects.filter(pk=locked.pk).update(counsellor=to_counsellor, grace_until=None)
            Contact.objects.filter(pk=locked.contact_id).update(counsellor=to_counsellor)
            _event(locked.contact, by, "transferred", to_counsellor=to_counsellor.pk)
        else:
            Conversation.objects.filter(pk=locked.pk).update(
                status=Conversation.Status.WAITING, counsellor=None, grace_until=None, queue=to_queue
            )
            Contact.objects.filter(pk=locked.contact_id).update(counsellor=None)
            _event(locked.contact, by, "returned_to_queue", queue=to_queue)
        conversation = get_conversation(locked.pk)
        _push_status(conversation)
        _queue_changed()
    return conversation


def conversation_end(*, conversation, role: str, user=None, now=None) -> Conversation:
    """Either side ends the conversation; the contact's end time is set, and the counsellor then
    closes the contact with its outcome as any other contact. Ending twice changes nothing."""
    now = now or timezone.now()
    if role == Message.Sender.COUNSELLOR and conversation.counsellor_id not in (None, getattr(user, "pk", None)):
        if not user.has_perm("callcenter_chat.manage_seats"):
            raise NotAllowed(_("Only the conversation's counsellor ends it."), code="not_yours")
    with transaction.atomic():
        ended = (
            Conversation.objects.filter(pk=conversation.pk)
            .exclude(status=Conversation.Status.ENDED)
            .update(status=Conversation.Status.ENDED, ended_at=now, grace_until=None)
        )
        conversation = get_conversation(conversation.pk)
        if ended:
            contact = conversation.contact
            contact.ended_at = max(now, contact.started_at)
            contact.compute_duration()
            Contact.objects.filter(pk=contact.pk).update(
                ended_at=contact.ended_at, duration_seconds=contact.duration_seconds
            )
            _event(contact, user if getattr(user, "is_authenticated", False) else None, "ended", side=role)
            _push_status(conversation)
            _queue_changed()
    return conversation


# --- A counsellor's dropped connection --------------------------------------------------------


def presence_group(counsellor) -> str:
    """Every open socket of one counsellor (conversations and the queue) is in this group."""
    return f"callcenter.counsellor.{counsellor.pk}"


def counsellor_left(*, counsellor, now=None) -> int:
    """One of the counsellor's sockets closed: each of their active conversations starts its
    grace period. Any other socket of theirs still open answers at once with ``counsellor_back``
    (the consumers tell each other through ``presence_group``), so only a counsellor with no
    socket left loses their conversations, and only once the grace period is over."""
    now = now or timezone.now()
    return _update_in_order(
        Conversation.objects.of_counsellor(counsellor), grace_until=now + dt.timedelta(seconds=grace_seconds())
    )


def counsellor_back(*, counsellor) -> int:
    """The counsellor has a socket open: none of their conversations is on its way back to the queue."""
    return _update_in_order(
        Conversation.objects.of_counsellor(counsellor).filter(grace_until__isnull=False), grace_until=None
    )


def _update_in_order(conversations, **values) -> int:
    """Update several conversations, locking them in the order of their ids: a counsellor's 20
    sockets closing at once ran the same UPDATE side by side, each locking the rows in its own
    order, and PostgreSQL broke the resulting deadlocks (bench/realtime_chat.py)."""
    with transaction.atomic():
        ids = list(conversations.order_by("pk").select_for_update().values_list("pk", flat=True))
        return Conversation.objects.filter(pk__in=ids).update(**values) if ids else 0


def grace_sweep(*, now=None) -> int:
    """Conversations whose counsellor did not come back in time return to their queue (keeping
    their place). Idempotent: each is claimed by a conditional UPDATE."""
    now = now or timezone.now()
    returned = 0
    for conversation in Conversation.objects.grace_expired(now).select_related("contact"):
        with transaction.atomic():
            claimed = Conversation.objects.filter(
                pk=conversation.pk,
                status=Conversation.Status.ACTIVE,
                counsellor_id=conversation.counsellor_id,
                grace_until__lte=now,
            ).update(status=Conversation.Status.WAITING, counsellor=None, grace_until=None)
            if not claimed:
                continue
            Contact.objects.filter(pk=conversation.contact_id).update(counsellor=None)
            _event(conversation.contact, None, "returned_to_queue", reason="grace_expired")
            _push_status(get_conversation(conversation.pk))
            _queue_changed()
            returned += 1
    return returned


# --- Leave a message instead -----------------------------------------------------------------


def message_leave(
    *,
    citizen=None,
    text: str,
    language: str = Contact.Language.KOREAN,
    topic=None,
    name: str = "",
    phone: str = "",
    sms_consent: bool | None = None,
    conversation=None,
    now=None,
) -> Contact:
    """Nobody can answer live (interpreters off duty, or nobody accepted in time): the citizen
    leaves a message, an open web-message contact the centre answers in the existing flow.
    Left from a waiting conversation, that conversation's contact becomes the message (one
    contact, not two) and the conversation ends. An anonymous citizen is answered by text, so
    leaves a phone number with their consent."""
    now = now or timezone.now()
    if citizen is not None and not getattr(citizen, "is_authenticated", False):
        citizen = None
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write your message."), field="message_text", code="empty")
    limits.check_length(text, limits.SMS_TEXT, field="message_text", label=_("Message"))
    phone = normalise_phone(phone)
    if phone and sms_consent is not True:
        raise DomainError(
            _("Leave your phone number only if you agree that 120 may text you at it."),
            field="sms_consent",
            code="consent_required",
        )
    if conversation is None:
        if citizen is not None:
            from callcenter.services import web_message_submit

            return web_message_submit(citizen=citizen, text=text, language=language, topic=topic)
        if not phone:
            raise DomainError(
                _("Leave a phone number so that the centre can answer you by text message."),
                field="phone",
                code="phone_required",
            )
        if language not in Contact.Language.values:
            raise DomainError(_("The centre does not offer counselling in this language."), field="language")
        with transaction.atomic():
            contact = Contact.objects.create(
                channel=Contact.Channel.WEB_MESSAGE,
                language=language,
                caller_phone=phone,
                sms_consent=True,
                sms_consent_at=now,
                topic=topic,
                question=text,
                message_text=text,
                started_at=now,
            )
            ContactEvent.objects.create(
                contact=contact, kind=ContactEvent.Kind.LOGGED, data={"channel": "web_message", "name": name[:100]}
            )
        return contact
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().select_related("contact").get(pk=conversation.pk)
        if locked.status != Conversation.Status.WAITING:
            raise Conflict(_("A counsellor has already answered: carry on in the chat."), code="not_waiting")
        contact = locked.contact
        if contact.caller_id is None and not contact.may_be_texted and not phone:
            raise DomainError(
                _("Leave a phone number so that the centre can answer you by text message."),
                field="phone",
                code="phone_required",
            )
        changes = {"channel": Contact.Channel.WEB_MESSAGE, "message_text": text, "question": text}
        if phone and not contact.may_be_texted:
            changes.update(caller_phone=phone, sms_consent=True, sms_consent_at=now)
        Contact.objects.filter(pk=contact.pk).update(**changes)
        Conversation.objects.filter(pk=locked.pk).update(status=Conversation.Status.ENDED, ended_at=now)
        _event(contact, citizen, "left_a_message", channel_was=contact.channel)
        _push_status(get_conversation(locked.pk))
        _queue_changed()
        contact.refresh_from_db()
    return contact


# --- After the end: the transcript -------------------------------------------------------------

TRANSCRIPT_EMAIL, TRANSCRIPT_SMS = "email", "sms"


def transcript_text(conversation) -> str:
    lines = []
    for message in conversation.messages.select_related("author").order_by("seq"):
        who = conversation.citizen_name if message.sender == Message.Sender.CITIZEN else _("120 counsellor")
        when = timezone.localtime(message.sent_at).strftime("%H:%M")
        body = message.text or _("(image)")
        lines.append(f"[{when}] {who}: {body}")
    return "\n".join(lines)


def transcript_send(*, conversation, role: str, user=None, channel: str) -> str:
    """Send the ended conversation's transcript to the citizen who asks, once: by email to the
    account's address, or by text message under the consents already given (the account's
    text-message consent, or the consent recorded with the phone when the chat started)."""
    from civicportal.notifications.models import Channel, Delivery, Notification
    from civicportal.notifications.services import _queue_deliveries, notify_phone

    if role != Message.Sender.CITIZEN:
        raise NotAllowed(_("The transcript is sent to the citizen who asks for it."))
    if conversation.status != Conversation.Status.ENDED:
        raise Conflict(_("The transcript is sent once the conversation has ended."), code="not_ended")
    if channel not in (TRANSCRIPT_EMAIL, TRANSCRIPT_SMS):
        raise DomainError(_("Choose email or text message."), field="channel")
    contact = conversation.contact
    citizen = conversation.citizen
    title = _("Your 120 Dasan conversation of %(day)s") % {
        "day": timezone.localtime(conversation.contact.started_at).strftime("%Y-%m-%d")
    }
    body = transcript_text(conversation)
    if channel == TRANSCRIPT_EMAIL and (citizen is None or not citizen.email):
        raise DomainError(
            _("Sign in with an account that has an email address to receive the transcript by email."),
            field="channel",
            code="no_email",
        )
    sms_to = ""
    if channel == TRANSCRIPT_SMS:
        profile = getattr(citizen, "profile", None) if citizen is not None else None
        if profile is not None and profile.mobile and "sms" in profile.consented_channels():
            sms_to = profile.mobile
        elif contact.may_be_texted:
            sms_to = contact.caller_phone
        else:
            raise DomainError(
                _("You did not agree to text messages at a phone number, so the transcript cannot be texted."),
                field="channel",
                code="no_consent",
            )
    with transaction.atomic():
        claimed = Conversation.objects.filter(pk=conversation.pk, transcript_sent_to="").update(
            transcript_sent_to=channel
        )
        if not claimed:
            raise Conflict(_("The transcript was already sent."), code="already_sent")
        if channel == TRANSCRIPT_EMAIL:
            notification = Notification.objects.create(
                recipient=citizen, kind="callcenter.transcript", title=title[:200], body=body, in_inbox=True
            )
            Delivery.objects.create(notification=notification, channel=Channel.EMAIL)
            transaction.on_commit(lambda: _queue_deliveries([notification.pk]))
        else:
            # A text message is at most 1,000 characters (LMS): the end of a long transcript is cut.
            notify_phone(phone=sms_to, kind="callcenter.transcript", title=title, body=body[: limits.SMS_TEXT])
            ContactEvent.objects.create(
                contact=contact,
                kind=ContactEvent.Kind.SMS_SENT,
                actor=user if citizen else None,
                data={"purpose": "transcript"},
            )
    return channel


# --- Seats: capacity and skills, set by the head of the centre ---------------------------------


def seat_save(*, by, counsellor, capacity: int, languages, sign_language: bool):
    from callcenter.chat.models import CounsellorSeat

    permissions.require(by, "callcenter_chat.manage_seats", message=_("Only the head of the centre sets seats."))
    if not counsellor.has_perm(WORK):
        raise DomainError(_("Only the centre's counsellors have seats."), field="counsellor")
    if not isinstance(capacity, int) or not 1 <= capacity <= 20:
        raise DomainError(_("A counsellor takes 1 to 20 conversations at once."), field="capacity")
    codes = [code for code in languages if code]
    unknown = set(codes) - set(Contact.Language.values)
    if unknown or not codes:
        raise DomainError(_("Choose at least one of the languages the centre offers."), field="languages")
    seat, _created = CounsellorSeat.objects.update_or_create(
        counsellor=counsellor,
        defaults={"capacity": capacity, "languages": ",".join(codes), "sign_language": bool(sign_language)},
    )
    _queue_changed()
    return seat
