"""What 120 Dasan does. Every door (pages, API, admin, demo) calls these functions.

Each raises a ``DomainError`` (or ``NotAllowed``/``Conflict``) before writing anything
when a rule refuses; each change of a contact appends a ``ContactEvent``."""

from datetime import datetime

import phonenumbers
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter import case_link
from callcenter.models import (
    MESSAGE_MAX_CHARS,
    ArticleSuggestion,
    Contact,
    ContactEvent,
    ContactImage,
    KnowledgeArticle,
)
from callcenter.search import article_nouns
from callcenter.uploads import clean_image
from civicportal import limits
from civicportal.accounts import permissions
from civicportal.errors import Conflict, DomainError, NotFound
from civicportal.files import files_with_their_rows
from civicportal.notifications.services import notify, notify_phone

MAX_IMAGES = 5
SURVEY_SALT = "callcenter.survey"
SURVEY_LINK_MAX_AGE = 60 * 60 * 24 * 14  # a survey link sent by text works for two weeks


def normalise_phone(raw: str) -> str:
    """Any valid Korean (or international) phone number in E.164; '' for empty input."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, "KR")
    except phonenumbers.NumberParseException as exc:
        raise DomainError(_("Enter a valid phone number."), field="caller_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise DomainError(_("Enter a valid phone number."), field="caller_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _citizen_with_phone(phone):
    """The one citizen whose profile has ``phone``; None when nobody or several do."""
    from civicportal.accounts.models import User

    matches = list(User.objects.filter(profile__mobile=phone)[:2])
    return matches[0] if len(matches) == 1 else None


def get_contact_for_user(user, pk) -> Contact:
    """The one gatekeeper: the contact if ``user`` may see it, else NotFound (existence is not revealed)."""
    try:
        contact = Contact.objects.select_related(
            "caller", "counsellor", "topic", "transferred_to", "callback_claimed_by"
        ).get(pk=pk)
    except (Contact.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such contact.")) from None
    if not user.has_perm("callcenter.view_contact", contact):
        raise NotFound(_("No such contact."))
    return contact


def _check_fields(*, channel, language, message_text, started_at, ended_at):
    if not channel:
        raise DomainError(_("Choose the channel of the contact."), field="channel", code="channel_required")
    if channel not in Contact.Channel.values:
        raise DomainError(_("Unknown channel."), field="channel", code="channel_unknown")
    if language not in Contact.Language.values:
        raise DomainError(
            _(
                "The centre does not offer counselling in this language (Korean, English, Chinese, Japanese, "
                "Vietnamese, Mongolian)."
            ),
            field="language",
            code="language_not_offered",
        )
    if len(message_text or "") > MESSAGE_MAX_CHARS:
        raise DomainError(
            _("A text message may have at most %(max)d characters (this one has %(n)d).")
            % {"max": MESSAGE_MAX_CHARS, "n": len(message_text)},
            field="message_text",
            code="text_too_long",
        )
    if ended_at is not None and started_at is not None and ended_at < started_at:
        raise DomainError(_("The end time is before the start time."), field="ended_at", code="ends_before_start")


def _check_outcome(outcome, transferred_to):
    if outcome and outcome not in Contact.Outcome.values:
        raise DomainError(_("Unknown outcome."), field="outcome")
    if outcome == Contact.Outcome.TRANSFERRED and transferred_to is None:
        raise DomainError(_("Choose the department the contact was transferred to."), field="transferred_to")
    if outcome == Contact.Outcome.CASE:
        raise DomainError(_("Use “turn into a case” to file an Eung-Dap-So case."), field="outcome")


def _event(contact, kind, actor, note="", **data):
    return ContactEvent.objects.create(contact=contact, kind=kind, actor=actor, note=note, data=data)


def _record_sms_consent(contact, by, sms_consent):
    """Store the caller's answer to "may we text you at this number?" when it was asked now
    (None: not asked now, the recorded answer stands). Call inside the transaction."""
    if sms_consent is None or sms_consent == contact.sms_consent:
        return
    if sms_consent not in (True, False):
        raise DomainError(_("Record the caller's answer as yes or no."), field="sms_consent")
    if not contact.caller_phone:
        raise DomainError(
            _("Record the caller's phone number with their consent to text messages."), field="sms_consent"
        )
    contact.sms_consent, contact.sms_consent_at = sms_consent, timezone.now()
    Contact.objects.filter(pk=contact.pk).update(sms_consent=sms_consent, sms_consent_at=contact.sms_consent_at)
    _event(contact, ContactEvent.Kind.SMS_CONSENT, by, consent=sms_consent)


def _sms_refusal_reason(contact) -> tuple[str, str]:
    if not contact.caller_phone:
        return "no_phone", _("No phone number was recorded for the caller.")
    if contact.sms_consent is False:
        return "refused", _("The caller did not agree to text messages.")
    return "not_asked", _("The caller was not asked whether they agree to text messages.")


def _tell_caller(contact, *, by, kind, title, body, link, purpose) -> bool:
    """Tell the caller: through their account's channels when they have one, else by a text
    to the number they called from, only under their recorded consent. When no message can
    go, the contact's history says why (the counsellor sees it). Call inside the transaction."""
    if contact.caller is not None:
        notify([contact.caller], kind=kind, title=title, body=body, link=link)
        return True
    if contact.may_be_texted:
        notify_phone(phone=contact.caller_phone, kind=kind, title=title, body=body, link=link)
        _event(contact, ContactEvent.Kind.SMS_SENT, by, purpose=purpose)
        return True
    reason, note = _sms_refusal_reason(contact)
    _event(contact, ContactEvent.Kind.SMS_NOT_SENT, by, note, purpose=purpose, reason=reason)
    return False


def _attach_images(contact, images):
    images = list(images or [])
    if len(images) > MAX_IMAGES:
        raise DomainError(_("At most %(n)d images per contact.") % {"n": MAX_IMAGES}, field="images")
    return [clean_image(upload) for upload in images]


def contact_log(
    *,
    counsellor,
    channel: str,
    language: str = Contact.Language.KOREAN,
    caller=None,
    caller_phone: str = "",
    topic=None,
    question: str = "",
    answer: str = "",
    message_text: str = "",
    images=(),
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    outcome: str = "",
    transferred_to=None,
    callback_due_at: datetime | None = None,
    sms_consent: bool | None = None,
) -> Contact:
    """Log a contact as it happens. With an ``outcome`` it is closed at once (``ended_at``
    defaults to now); without, it stays open for the counsellor to close. ``sms_consent`` is
    the caller's answer, when asked, to being texted at ``caller_phone``."""
    permissions.require(counsellor, "callcenter.log_contact", message=_("Only counsellors log contacts."))
    started_at = started_at or timezone.now()
    _check_fields(
        channel=channel, language=language, message_text=message_text, started_at=started_at, ended_at=ended_at
    )
    _check_outcome(outcome, transferred_to)
    limits.check_model_fields(Contact, {"question": question or "", "answer": answer or ""})
    phone = normalise_phone(caller_phone)
    if sms_consent is not None and not phone:
        raise DomainError(
            _("Record the caller's phone number with their consent to text messages."), field="caller_phone"
        )
    if caller is None and phone:
        caller = _citizen_with_phone(phone)
    if outcome and ended_at is None:
        ended_at = max(timezone.now(), started_at)
    if images and channel != Contact.Channel.SMS_MMS:
        raise DomainError(_("Images belong to SMS/MMS contacts."), field="images")
    cleaned = _attach_images(contact=None, images=images) if images else []
    with files_with_their_rows() as keep, transaction.atomic():
        contact = Contact(
            channel=channel,
            language=language,
            caller=caller,
            caller_phone=phone,
            counsellor=counsellor,
            topic=topic,
            question=question,
            answer=answer,
            message_text=message_text,
            started_at=started_at,
            ended_at=ended_at,
        )
        contact.compute_duration()
        contact.save()
        for upload in cleaned:
            keep(ContactImage.objects.create(contact=contact, image=upload).image)
        _event(contact, ContactEvent.Kind.LOGGED, counsellor)
        _record_sms_consent(contact, counsellor, sms_consent)
        if outcome:
            _close(
                contact, by=counsellor, outcome=outcome, transferred_to=transferred_to, callback_due_at=callback_due_at
            )
    return contact


def _close(contact, *, by, outcome, transferred_to=None, callback_due_at=None, note=""):
    now = timezone.now()
    if contact.ended_at is None:
        contact.ended_at = max(now, contact.started_at)
    contact.compute_duration()
    contact.outcome = outcome
    contact.transferred_to = transferred_to if outcome == Contact.Outcome.TRANSFERRED else None
    if outcome == Contact.Outcome.CALLBACK:
        contact.callback_due_at = callback_due_at or now + timezone.timedelta(hours=2)
    contact.status = Contact.Status.CLOSED
    contact.closed_at = now
    contact.save()
    _event(
        contact,
        ContactEvent.Kind.CLOSED,
        by,
        note,
        outcome=outcome,
        transferred_to=contact.transferred_to_id,
    )
    if outcome == Contact.Outcome.CALLBACK and (contact.caller_id or contact.caller_phone):
        _tell_caller(
            contact,
            by=by,
            kind="callcenter.callback",
            title=_("120 Dasan will call you back"),
            body=_("A counsellor will call you back by %(when)s.")
            % {"when": timezone.localtime(contact.callback_due_at).strftime("%Y-%m-%d %H:%M")},
            link="",
            purpose="callback",
        )


def _lock_open_own(contact, by):
    """Reload ``contact`` under a row lock and check that ``by`` may still change it."""
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if locked.status == Contact.Status.CLOSED:
        raise Conflict(
            _("This contact is closed and cannot be edited; add a correction instead."), code="contact_closed"
        )
    permissions.require(
        by, "callcenter.change_contact", locked, message=_("This contact belongs to another counsellor.")
    )
    return locked


def contact_update(*, contact, by, topic=None, question=None, answer=None, language=None) -> Contact:
    """Edit an open contact (only its own counsellor). A closed contact is never edited."""
    if contact.status == Contact.Status.CLOSED:
        raise Conflict(
            _("This contact is closed and cannot be edited; add a correction instead."), code="contact_closed"
        )
    permissions.require(
        by, "callcenter.change_contact", contact, message=_("This contact belongs to another counsellor.")
    )
    if language is not None and language not in Contact.Language.values:
        raise DomainError(_("The centre does not offer counselling in this language."), field="language")
    limits.check_model_fields(Contact, {"question": question or "", "answer": answer or ""})
    with transaction.atomic():
        locked = _lock_open_own(contact, by)
        changes = {}
        for name, value in (("topic", topic), ("question", question), ("answer", answer), ("language", language)):
            if value is not None and getattr(locked, name) != value:
                old = getattr(locked, f"{name}_id" if name == "topic" else name)
                setattr(locked, name, value)
                changes[name] = [old, getattr(locked, f"{name}_id" if name == "topic" else name)]
        if changes:
            locked.save()
            _event(locked, ContactEvent.Kind.UPDATED, by, changes=changes)
    return locked


def contact_close(
    *, contact, by, outcome: str, ended_at=None, answer=None, transferred_to=None, callback_due_at=None
) -> Contact:
    """Close an open contact with its outcome (own counsellor only)."""
    if contact.status == Contact.Status.CLOSED:
        raise Conflict(_("This contact is already closed."), code="contact_closed")
    permissions.require(
        by, "callcenter.change_contact", contact, message=_("This contact belongs to another counsellor.")
    )
    if not outcome:
        raise DomainError(_("Choose the outcome."), field="outcome")
    _check_outcome(outcome, transferred_to)
    if ended_at is not None and ended_at < contact.started_at:
        raise DomainError(_("The end time is before the start time."), field="ended_at", code="ends_before_start")
    with transaction.atomic():
        locked = _lock_open_own(contact, by)
        if ended_at is not None:
            locked.ended_at = ended_at
        if answer is not None:
            locked.answer = answer
        _close(locked, by=by, outcome=outcome, transferred_to=transferred_to, callback_due_at=callback_due_at)
    return locked


CORRECTABLE = ("topic", "question", "answer", "language", "caller_phone")


def contact_correct(*, contact, by, note: str, corrections: dict | None = None) -> ContactEvent:
    """Correct a closed contact: a new event with the note and the corrected values; the
    original record stays as it was logged."""
    permissions.require(by, "callcenter.correct_contact", contact, message=_("Only counsellors correct contacts."))
    if contact.status != Contact.Status.CLOSED:
        raise Conflict(_("Edit an open contact directly; corrections are for closed ones."), code="contact_open")
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say what is corrected and why."), field="note")
    limits.check_field(ContactEvent, "note", note)
    corrections = {k: v for k, v in (corrections or {}).items() if v not in (None, "")}
    limits.check_model_fields(Contact, {k: v for k, v in corrections.items() if k in ("question", "answer")})
    unknown = set(corrections) - set(CORRECTABLE)
    if unknown:
        raise DomainError(_("These fields cannot be corrected: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "language" in corrections and corrections["language"] not in Contact.Language.values:
        raise DomainError(_("The centre does not offer counselling in this language."), field="language")
    if "caller_phone" in corrections:
        corrections["caller_phone"] = normalise_phone(corrections["caller_phone"])
    if "topic" in corrections:
        corrections["topic"] = getattr(corrections["topic"], "pk", corrections["topic"])
    return _event(contact, ContactEvent.Kind.CORRECTED, by, note, corrections=corrections)


def contact_turn_into_case(
    *,
    contact,
    by,
    title: str,
    text: str = "",
    kind: str = "complaint",
    location_text: str = "",
    lat=None,
    lon=None,
    text_is_public: bool = False,
    sms_consent: bool | None = None,
) -> Contact:
    """File an Eung-Dap-So case from ``contact`` (channel "120", the caller as citizen), link both
    ways, close the contact with outcome "case" and give the caller the tracking number and
    access code: to their account, or by text to their number when they agreed to it (asked
    now: ``sms_consent``, or recorded before). ``text_is_public`` is the caller's answer to
    publishing the title and text (default no). The place and position the caller gave, if
    any, go to the case (its district is derived there). The code is on the returned
    contact as ``case_access_code`` for the counsellor to read out."""
    permissions.require(by, "callcenter.handle_contact", contact, message=_("Only counsellors file cases."))
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the case a title."), field="title")
    with transaction.atomic():
        locked = Contact.objects.select_for_update().get(pk=contact.pk)
        if locked.case_tracking_number:
            raise Conflict(
                _("This contact is already case %(n)s.") % {"n": locked.case_tracking_number}, code="already_case"
            )
        if locked.status == Contact.Status.OPEN and locked.counsellor_id not in (None, by.pk):
            raise DomainError(_("This contact is being handled by another counsellor."), code="not_yours")
        _record_sms_consent(locked, by, sms_consent)
        body = (text or "").strip() or "\n\n".join(p for p in (locked.question, locked.message_text) if p)
        case = case_link.file_case_from_contact(
            contact=locked,
            counsellor=by,
            title=title,
            text=body,
            kind=kind,
            location_text=location_text,
            lat=lat,
            lon=lon,
            text_is_public=text_is_public,
        )
        locked.case_tracking_number = str(case.tracking_number)
        locked.case_id = case.pk
        if locked.status == Contact.Status.OPEN:
            if locked.counsellor_id is None:
                locked.counsellor = by
            _close(locked, by=by, outcome=Contact.Outcome.CASE)
        else:
            locked.save(update_fields=["case_tracking_number", "case_id"])
        _event(locked, ContactEvent.Kind.CASE_CREATED, by, tracking_number=locked.case_tracking_number, case_id=case.pk)
        code = getattr(case, "access_code_display", "")
        _tell_caller(
            locked,
            by=by,
            kind="callcenter.case_filed",
            title=_("Your 120 contact is now case %(n)s") % {"n": locked.case_tracking_number},
            body=_("Follow it with the tracking number %(n)s and the access code %(code)s.")
            % {"n": locked.case_tracking_number, "code": code},
            link=(
                reverse("callcenter:contact_detail", args=[locked.pk])
                if locked.caller is not None
                else f"{case_link.track_path()}?number={locked.case_tracking_number}"
            ),
            purpose="case_filed",
        )
    locked.case_access_code = code
    return locked


def web_message_submit(*, citizen, text: str, language: str = Contact.Language.KOREAN, topic=None) -> Contact:
    """A citizen's message from the portal: an open contact waiting for a counsellor."""
    permissions.require(citizen, "callcenter.send_web_message", message=_("Log in to send a message."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write your message."), field="message_text")
    now = timezone.now()
    _check_fields(
        channel=Contact.Channel.WEB_MESSAGE, language=language, message_text=text, started_at=now, ended_at=None
    )
    profile = getattr(citizen, "profile", None)
    with transaction.atomic():
        contact = Contact.objects.create(
            channel=Contact.Channel.WEB_MESSAGE,
            language=language,
            caller=citizen,
            caller_phone=getattr(profile, "mobile", "") or "",
            topic=topic,
            question=text[:MESSAGE_MAX_CHARS],
            message_text=text,
            started_at=now,
        )
        _event(contact, ContactEvent.Kind.LOGGED, citizen, channel="web_message")
    return contact


def web_message_answer(*, contact, by, answer: str, topic=None) -> Contact:
    """A counsellor answers a waiting web message; the citizen is told."""
    permissions.require(by, "callcenter.handle_contact", contact, message=_("Only counsellors answer messages."))
    answer = (answer or "").strip()
    if not answer:
        raise DomainError(_("Write the answer."), field="answer")
    limits.check_field(Contact, "answer", answer)
    with transaction.atomic():
        locked = Contact.objects.select_for_update().get(pk=contact.pk)
        if locked.status == Contact.Status.CLOSED:
            raise Conflict(_("This message has already been answered."), code="contact_closed")
        if locked.counsellor_id not in (None, by.pk):
            raise DomainError(_("This message is being handled by another counsellor."), code="not_yours")
        locked.counsellor = by
        locked.answer = answer
        if topic is not None:
            locked.topic = topic
        _close(locked, by=by, outcome=Contact.Outcome.ANSWERED)
        # A message left without an account (from a live chat) is answered by text, under the
        # consent recorded with the number.
        _tell_caller(
            locked,
            by=by,
            kind="callcenter.answered",
            title=_("120 Dasan answered your message"),
            body=answer[:500],
            link=reverse("callcenter:contact_detail", args=[locked.pk]) if locked.caller_id else "",
            purpose="answer",
        )
    return locked


def callback_claim(*, contact, by) -> Contact:
    """Claim a pending callback. A conditional UPDATE, so two counsellors never both get it."""
    permissions.require(by, "callcenter.handle_contact", contact, message=_("Only counsellors claim callbacks."))
    if contact.outcome != Contact.Outcome.CALLBACK:
        raise Conflict(_("This contact does not need a callback."), code="no_callback")
    now = timezone.now()
    with transaction.atomic():
        claimed = Contact.objects.filter(
            pk=contact.pk,
            outcome=Contact.Outcome.CALLBACK,
            callback_claimed_by__isnull=True,
            callback_done_at__isnull=True,
        ).update(callback_claimed_by=by, callback_claimed_at=now)
        if not claimed:
            raise Conflict(_("Another counsellor already claimed this callback."), code="already_claimed")
        contact.refresh_from_db()
        _event(contact, ContactEvent.Kind.CALLBACK_CLAIMED, by)
    return contact


def callback_complete(*, contact, by, note: str = "") -> Contact:
    permissions.require(by, "callcenter.handle_contact", contact, message=_("Only counsellors complete callbacks."))
    limits.check_field(ContactEvent, "note", (note or "").strip())
    with transaction.atomic():
        done = Contact.objects.filter(pk=contact.pk, callback_claimed_by=by, callback_done_at__isnull=True).update(
            callback_done_at=timezone.now()
        )
        if not done:
            raise Conflict(_("Claim the callback first (or it is already done)."), code="not_claimed")
        contact.refresh_from_db()
        _event(contact, ContactEvent.Kind.CALLBACK_DONE, by, note)
    return contact


def survey_send(*, contact, by) -> Contact:
    """Ask the caller (through their notification channels, e.g. SMS) how satisfied they were."""
    permissions.require(by, "callcenter.handle_contact", contact, message=_("Only counsellors send surveys."))
    if contact.status != Contact.Status.CLOSED:
        raise Conflict(_("Send the survey after the contact is closed."), code="contact_open")
    if contact.caller is None and not contact.may_be_texted:
        _code, reason = _sms_refusal_reason(contact)
        raise DomainError(
            _("The survey cannot be sent: the caller has no portal account, and %(reason)s")
            % {"reason": reason[:1].lower() + reason[1:]},
            code="no_consent",
        )
    with transaction.atomic():
        sent = Contact.objects.filter(pk=contact.pk, survey_sent_at__isnull=True).update(survey_sent_at=timezone.now())
        if not sent:
            raise Conflict(_("The survey was already sent."), code="already_sent")
        contact.refresh_from_db()
        link = (
            reverse("callcenter:survey", args=[contact.pk])
            if contact.caller is not None
            else reverse("callcenter:survey_by_link", args=[survey_token(contact)])
        )
        _tell_caller(
            contact,
            by=by,
            kind="callcenter.survey",
            title=_("How did 120 Dasan do?"),
            body=_("Rate your contact from 1 (poor) to 5 (excellent)."),
            link=link,
            purpose="survey",
        )
        _event(contact, ContactEvent.Kind.SURVEY_SENT, by)
    return contact


def survey_token(contact) -> str:
    """The signed link that lets a caller without an account answer the survey of this contact."""
    return signing.dumps(contact.pk, salt=SURVEY_SALT, compress=True)


def contact_for_survey_token(token) -> Contact:
    """The contact of a survey link sent by text; NotFound for a forged or expired link."""
    try:
        pk = signing.loads(token, salt=SURVEY_SALT, max_age=SURVEY_LINK_MAX_AGE)
    except signing.BadSignature:
        raise NotFound(_("This survey link is not valid or has expired.")) from None
    contact = Contact.objects.filter(pk=pk, caller__isnull=True, survey_sent_at__isnull=False).first()
    if contact is None:
        raise NotFound(_("This survey link is not valid or has expired."))
    return contact


def survey_answer_by_link(*, token, score, comment: str = "") -> Contact:
    """A caller without an account answers from the link in the text message (once)."""
    contact = contact_for_survey_token(token)
    return _store_survey_answer(contact, actor=None, score=score, comment=comment)


def survey_answer(*, contact, citizen, score, comment: str = "") -> Contact:
    """Store the caller's satisfaction (once)."""
    permissions.require(citizen, "callcenter.answer_survey", contact, message=_("Only the caller answers the survey."))
    return _store_survey_answer(contact, actor=citizen, score=score, comment=comment)


def _store_survey_answer(contact, *, actor, score, comment) -> Contact:
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise DomainError(_("Choose a score from 1 to 5."), field="satisfaction")
    if contact.survey_sent_at is None:
        raise Conflict(_("No survey was sent for this contact."), code="no_survey")
    comment = limits.check_field(Contact, "satisfaction_comment", (comment or "").strip(), field="comment")
    with transaction.atomic():
        stored = Contact.objects.filter(pk=contact.pk, satisfaction__isnull=True).update(
            satisfaction=score, satisfaction_comment=comment
        )
        if not stored:
            raise Conflict(_("You already answered this survey."), code="already_answered")
        contact.refresh_from_db()
        _event(contact, ContactEvent.Kind.SURVEY_ANSWERED, actor, satisfaction=score)
    return contact


# --- Knowledge base ---------------------------------------------------------------------------


def article_save(*, by, article=None, **fields) -> KnowledgeArticle:
    """Create or change an article (lead counsellors, administrators)."""
    permissions.require(by, "callcenter.manage_knowledge_base", message=_("Only lead counsellors edit articles."))
    article = article or KnowledgeArticle()
    limits.check_model_fields(KnowledgeArticle, fields)
    for name, value in fields.items():
        setattr(article, name, value)
    if not (article.question or "").strip() or not (article.answer or "").strip():
        raise DomainError(_("An article needs a question and an answer."), field="question")
    article.search_nouns = article_nouns(article)
    article.save()
    return article


def article_suggest(
    *, article, by, question: str, answer: str, keywords: str = "", reason: str = ""
) -> ArticleSuggestion:
    permissions.require(by, "callcenter.suggest_article_edit", message=_("Only counsellors suggest edits."))
    if not (question or "").strip() or not (answer or "").strip():
        raise DomainError(_("A suggestion needs a question and an answer."), field="answer")
    limits.check_model_fields(
        ArticleSuggestion, {"question": question, "answer": answer, "keywords": keywords or "", "reason": reason or ""}
    )
    return ArticleSuggestion.objects.create(
        article=article,
        suggested_by=by,
        question=question.strip(),
        answer=answer.strip(),
        keywords=(keywords or "").strip(),
        reason=(reason or "").strip(),
    )


def suggestion_decide(*, suggestion, by, approve: bool, note: str = "") -> ArticleSuggestion:
    """Approve (the article takes the proposed text) or reject a pending suggestion."""
    permissions.require(by, "callcenter.manage_knowledge_base", message=_("Only lead counsellors decide suggestions."))
    limits.check_field(ArticleSuggestion, "decision_note", (note or "").strip(), field="note")
    with transaction.atomic():
        locked = ArticleSuggestion.objects.select_for_update().select_related("article").get(pk=suggestion.pk)
        if locked.status != ArticleSuggestion.Status.PENDING:
            raise Conflict(_("This suggestion was already decided."), code="already_decided")
        locked.status = ArticleSuggestion.Status.APPROVED if approve else ArticleSuggestion.Status.REJECTED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.decision_note = (note or "").strip()
        locked.save()
        if approve:
            article = locked.article
            article.question, article.answer = locked.question, locked.answer
            if locked.keywords:
                article.keywords = locked.keywords
            article.search_nouns = article_nouns(article)
            article.save()
    return locked
