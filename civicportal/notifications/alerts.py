"""Emergency alerts: write, submit, approve (four eyes), cancel, update. The fan-out is in fanout.py."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicportal import limits
from civicportal.accounts.models import District
from civicportal.accounts.permissions import require
from civicportal.errors import Conflict, DomainError, NotAllowed, NotFound
from civicportal.notifications import alert_selectors, live
from civicportal.notifications import alert_vocabulary as vocabulary
from civicportal.notifications.models import (
    ALERT_LANGUAGES,
    AlertDelivery,
    AlertEvent,
    AlertText,
    AreaKind,
    Certainty,
    EmergencyAlert,
    MsgType,
    Severity,
    Urgency,
)
from civicportal.notifications.models import Category as AlertCategory

OFFERED_LANGUAGES = {code for code, _label in ALERT_LANGUAGES}
SOCIAL = "social"
OFFERED_CHANNELS = {"in_app", "sms", "push", "email", SOCIAL}
S = EmergencyAlert.Status


def new_identifier() -> str:
    """A CAP identifier: unique, no spaces, commas or restricted characters."""
    return f"KR-SEOUL-{timezone.localdate():%Y%m%d}-{uuid.uuid4().hex[:12]}"


def _record(alert, actor, from_status, to_status, note=""):
    AlertEvent.objects.create(alert=alert, actor=actor, from_status=from_status, to_status=to_status, note=note)


def _validate(*, texts, area_kind, districts, circle, channels, onset, expires, msg_type, references, vocab):
    if "ko" not in texts or not (texts["ko"].get("headline") or "").strip():
        raise DomainError(_("A Korean headline is required."), field="headline_ko")
    for language in texts:
        if language not in OFFERED_LANGUAGES:
            raise DomainError(_("Language %(code)s is not offered.") % {"code": language}, field="language")
        for name in ("headline", "event", "description", "instruction"):
            text = (texts[language].get(name) or "").strip()
            limits.check_field(AlertText, name, text, field=f"{name}_{language}")
    for field, (value, choices) in vocab.items():
        if value not in choices.values:
            raise DomainError(_("Choose a valid %(field)s.") % {"field": field}, field=field)
    if msg_type not in MsgType.values:
        raise DomainError(_("Choose a valid message type."), field="msg_type")
    if msg_type != MsgType.ALERT and references is None:
        raise DomainError(_("An update or cancel message must refer to the original alert."), field="references")
    if not channels or set(channels) - OFFERED_CHANNELS:
        raise DomainError(_("Choose at least one valid channel."), field="channels")
    if onset is None or expires is None:
        raise DomainError(_("Give a start and an expiry."), field="expires")
    if expires <= onset:
        raise DomainError(_("The expiry must be after the start."), field="expires")
    if expires <= timezone.now():
        raise DomainError(_("The expiry is in the past: an alert must be in force when it goes out."), field="expires")
    if references is not None:
        return  # an update goes to the original's recipients: no area of its own is needed
    if area_kind == AreaKind.DISTRICTS:
        if not districts:
            raise DomainError(_("Choose at least one district."), field="districts")
    elif area_kind == AreaKind.CIRCLE:
        lat, lon, radius = circle
        if lat is None or lon is None or radius is None:
            raise DomainError(_("Give the centre and the radius of the circle."), field="radius_km")
        if Decimal(str(radius)) <= 0:
            raise DomainError(_("The radius must be greater than zero."), field="radius_km")
        if not (-90 <= Decimal(str(lat)) <= 90 and -180 <= Decimal(str(lon)) <= 180):
            raise DomainError(_("The centre is not a valid position."), field="circle_lat")
    elif area_kind != AreaKind.CITY:
        raise DomainError(_("Choose the area of the alert."), field="area_kind")


@transaction.atomic
def alert_create(
    *,
    author,
    event: str,
    category: str,
    severity: str,
    urgency: str,
    certainty: str,
    texts: dict,
    area_kind: str = "",
    districts=(),
    circle_lat=None,
    circle_lon=None,
    radius_km=None,
    channels=("in_app",),
    onset=None,
    expires=None,
    msg_type: str = MsgType.ALERT,
    references: EmergencyAlert | None = None,
) -> EmergencyAlert:
    """Write a draft alert. ``texts`` is {language: {"headline", "description", "instruction"}};
    Korean is required. Raises DomainError (nothing written) on bad input."""
    require(author, "notifications.write_alert", message=_("You may not write emergency alerts."))
    texts = {lang: t for lang, t in texts.items() if (t.get("headline") or "").strip() or lang == "ko"}
    channels = list(dict.fromkeys(channels))
    if references is not None:
        if references.status not in (S.SENDING, S.SENT, S.CANCELLED) or references.approved_at is None:
            raise DomainError(_("Only an alert that went out can be updated or cancelled."), field="references")
        references = references.root()
        # The same area as the original (it goes to the original's recipients anyway).
        area_kind = references.area_kind
        circle_lat, circle_lon, radius_km = references.circle_lat, references.circle_lon, references.radius_km
    _validate(
        texts=texts,
        area_kind=area_kind,
        districts=districts,
        circle=(circle_lat, circle_lon, radius_km),
        channels=channels,
        onset=onset,
        expires=expires,
        msg_type=msg_type,
        references=references,
        vocab={
            "category": (category, AlertCategory),
            "severity": (severity, Severity),
            "urgency": (urgency, Urgency),
            "certainty": (certainty, Certainty),
        },
    )
    if not (event or "").strip():
        raise DomainError(_("Name the event."), field="event")
    limits.check_field(EmergencyAlert, "event", event.strip())
    alert = EmergencyAlert.objects.create(
        identifier=new_identifier(),
        msg_type=msg_type,
        references=references,
        event=event.strip(),
        category=category,
        severity=severity,
        urgency=urgency,
        certainty=certainty,
        area_kind=area_kind,
        circle_lat=circle_lat if area_kind == AreaKind.CIRCLE else None,
        circle_lon=circle_lon if area_kind == AreaKind.CIRCLE else None,
        radius_km=radius_km if area_kind == AreaKind.CIRCLE else None,
        channels=channels,
        onset=onset,
        expires=expires,
        author=author,
    )
    if references is not None:
        alert.districts.set(references.districts.all())
    elif area_kind == AreaKind.DISTRICTS:
        alert.districts.set(District.objects.filter(pk__in=[getattr(d, "pk", d) for d in districts]))
    AlertText.objects.bulk_create(
        [
            AlertText(
                alert=alert,
                language=language,
                headline=t["headline"].strip(),
                event=(t.get("event") or "").strip(),
                description=(t.get("description") or "").strip(),
                instruction=(t.get("instruction") or "").strip(),
            )
            for language, t in texts.items()
        ]
    )
    _record(alert, author, "", S.DRAFT, msg_type)
    return alert


def may_send_immediately(user) -> bool:
    return user.has_perm("notifications.send_immediately")


@transaction.atomic
def alert_submit(*, alert: EmergencyAlert, by, immediately: bool = False) -> EmergencyAlert:
    """Ask for approval; with ``immediately`` an author holding the "immediate" right approves it at once."""
    require(by, "notifications.submit_alert", alert, message=_("Only the author may submit this alert."))
    updated = EmergencyAlert.objects.filter(pk=alert.pk, status=S.DRAFT).update(status=S.PENDING_APPROVAL)
    if not updated:
        raise Conflict(_("This alert is not a draft."))
    alert.status = S.PENDING_APPROVAL
    _record(alert, by, S.DRAFT, S.PENDING_APPROVAL)
    if immediately:
        if not may_send_immediately(by):
            raise NotAllowed(_("You do not have the right to send alerts without approval."))
        return alert_approve(alert=alert, by=by)
    return alert


@transaction.atomic
def alert_approve(*, alert: EmergencyAlert, by) -> EmergencyAlert:
    """Approve and start the fan-out. Four eyes: the approver is not the author, unless the
    author holds the "immediate" right. Approving twice does nothing more: the status moves
    pending_approval -> sending in one conditional UPDATE, and only that caller queues the fan-out."""
    require(
        by,
        "notifications.approve_alert",
        alert,
        message=_("A second authorised person must approve this alert (four eyes)."),
    )
    now = timezone.now()
    if alert.expires <= now:
        raise DomainError(_("This alert has already expired."), field="expires")
    updated = EmergencyAlert.objects.filter(pk=alert.pk, status=S.PENDING_APPROVAL).update(
        status=S.SENDING, approver=by, approved_at=now, sending_started_at=now
    )
    alert.refresh_from_db()
    if not updated:
        if alert.status in (S.SENDING, S.SENT) and alert.approver_id:
            return alert  # already approved: a second click changes nothing
        raise Conflict(_("This alert is not waiting for approval."))
    _record(alert, by, S.PENDING_APPROVAL, S.APPROVED)
    _record(alert, by, S.APPROVED, S.SENDING)
    alert_id = alert.pk
    transaction.on_commit(lambda: _queue_fanout(alert_id))
    return alert


def _queue_fanout(alert_id):
    from civicportal.notifications.tasks_alerts import fan_out_alert

    alert_selectors.forget_current_now()  # it is in force (or all-cleared) from now on every page
    live.alerts_changed(now=True)  # open pages fetch their banner again (the list is dropped above)
    live.alert_progress_changed(alert_id, now=True)
    fan_out_alert.delay(alert_id)


def _queue_recount(alert_id):
    from civicportal.notifications.tasks_alerts import recount_alert

    recount_alert.delay(alert_id)


@transaction.atomic
def alert_cancel(*, alert: EmergencyAlert, by, note: str = "") -> EmergencyAlert:
    """Stop an alert: whatever has not been sent is not sent (rows queued -> cancelled)."""
    require(by, "notifications.cancel_alert", alert, message=_("You may not cancel this alert."))
    limits.check_field(AlertEvent, "note", (note or "").strip())
    before = alert.status
    updated = EmergencyAlert.objects.filter(
        pk=alert.pk, status__in=[S.DRAFT, S.PENDING_APPROVAL, S.APPROVED, S.SENDING]
    ).update(status=S.CANCELLED, cancelled_at=timezone.now())
    if not updated:
        raise Conflict(_("This alert can no longer be cancelled."))
    stopped = AlertDelivery.objects.filter(alert=alert, status=AlertDelivery.Status.QUEUED).update(
        status=AlertDelivery.Status.CANCELLED
    )
    if stopped:
        alert_id = alert.pk
        transaction.on_commit(lambda: _queue_recount(alert_id))
    alert.refresh_from_db()
    _record(alert, by, before, S.CANCELLED, note or _("%(n)d unsent deliveries stopped.") % {"n": stopped})
    if alert.approved_at is not None:
        _publish_withdrawal(alert, by)
    alert_selectors.forget_current()
    live.alerts_changed()
    live.alert_progress_changed(alert.pk)
    return alert


def _publish_withdrawal(alert: EmergencyAlert, by) -> EmergencyAlert:
    """Publish the CAP Cancel of an alert that had gone public: a message of its own, with
    ``references`` to the alert (a published CAP message never changes). It is sent to no one
    (what was still queued is stopped); feeds and aggregators learn of it."""
    now = timezone.now()
    withdrawal = EmergencyAlert.objects.create(
        identifier=new_identifier(),
        msg_type=MsgType.CANCEL,
        references=alert,
        withdrawal=True,
        event=alert.event,
        category=alert.category,
        severity=alert.severity,
        urgency=alert.urgency,
        certainty=alert.certainty,
        area_kind=alert.area_kind,
        circle_lat=alert.circle_lat,
        circle_lon=alert.circle_lon,
        radius_km=alert.radius_km,
        channels=[],
        onset=now,
        expires=max(alert.expires, now + timedelta(hours=1)),
        status=S.SENT,
        author=by,
        approver=by,
        approved_at=now,
        sending_started_at=now,
        sent_at=now,
    )
    withdrawal.districts.set(alert.districts.all())
    AlertText.objects.bulk_create(
        [
            AlertText(
                alert=withdrawal,
                language=text.language,
                headline=vocabulary.WITHDRAWN_HEADLINE[text.language].format(headline=text.headline)[:160],
                event=text.event,
                description=vocabulary.WITHDRAWN_DESCRIPTION[text.language],
            )
            for text in alert.texts.all()
        ]
    )
    _record(withdrawal, by, "", S.SENT, _("Cancel message of %(id)s published.") % {"id": alert.identifier})
    return withdrawal


def get_alert_for_officer(user, pk=None, *, identifier=None) -> EmergencyAlert:
    """The gatekeeper for officer pages: alert authors, approvers, monitors and admins."""
    if not user.has_perm("notifications.view_alert_progress"):
        raise NotFound(_("No such alert."))
    lookup = {"pk": pk} if identifier is None else {"identifier": identifier}
    try:
        return EmergencyAlert.objects.select_related("author", "approver", "references").get(**lookup)
    except (EmergencyAlert.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such alert."))


def get_public_alert(identifier) -> EmergencyAlert:
    try:
        return EmergencyAlert.objects.published().prefetch_related("texts", "districts").get(identifier=identifier)
    except EmergencyAlert.DoesNotExist:
        raise NotFound(_("No such alert."))


def alert_mark_read(*, user, alert: EmergencyAlert) -> int:
    """Mark ``alert`` read in ``user``'s inbox (its in-app delivery); returns how many rows changed.

    Like a notification: reading someone else's alert changes nothing, and reading twice keeps
    the first time."""
    if user is None or not user.is_authenticated:
        return 0
    return AlertDelivery.objects.filter(alert=alert, user=user, channel="in_app", read_at__isnull=True).update(
        read_at=timezone.now()
    )
