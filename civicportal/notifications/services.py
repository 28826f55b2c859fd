"""``notify()``: the one way every program tells people things."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicportal.errors import DomainError, NotFound
from civicportal.notifications.backends import DeliveryError, get_backend
from civicportal.notifications.models import Channel, Delivery, Notification

DELIVERY_BATCH = 500


def max_attempts() -> int:
    return getattr(settings, "NOTIFICATION_MAX_ATTEMPTS", 5)


def lease() -> timedelta:
    """How long a claimed delivery is held: longer than a gateway may take to answer."""
    return timedelta(seconds=getattr(settings, "DELIVERY_LEASE_SECONDS", 120))


def backoff(attempts: int) -> timedelta:
    """Exponential back-off after the ``attempts``-th failed try: 30 s, 1 min, 2 min, 4 min..., at most 1 h."""
    base = getattr(settings, "NOTIFICATION_RETRY_BASE_SECONDS", 30)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def quiet_hours_end(profile, now: datetime) -> datetime | None:
    """When ``now`` falls in the profile's quiet hours (Seoul time), the moment they end; else None.

    A window may cross midnight (22:00-07:00). Equal start and end means no quiet hours."""
    start, end = getattr(profile, "quiet_hours_start", None), getattr(profile, "quiet_hours_end", None)
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(now)
    clock = local.time()
    if start < end:
        inside = start <= clock < end
    else:
        inside = clock >= start or clock < end
    if not inside:
        return None
    end_day = local.date() if clock < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(end_day, end), timezone.get_current_timezone())


def _channels_for(user, urgent: bool) -> tuple[bool, list[str]]:
    """(shown in inbox, outside channels) for ``user`` under their consents."""
    profile = getattr(user, "profile", None)
    if profile is None:
        # No profile (e.g. a bare staff account): the inbox and email if there is one.
        return True, ([Channel.EMAIL] if user.email else [])
    channels = profile.consented_channels()
    in_inbox = urgent or "in_app" in channels
    outside = [c for c in channels if c != "in_app"]
    return in_inbox, outside


def notify(recipients: Iterable, kind: str, title: str, body: str = "", link: str = "", urgent: bool = False):
    """Record a notification for each recipient and queue its delivery after commit.

    Consents decide the channels: the inbox when the citizen accepts in-app messages
    (urgent ones always), email / SMS / push when they consented and have an address.
    Returns the created notifications. Safe inside a transaction: nothing is sent
    unless it commits."""
    users = [r for r in recipients if r is not None and getattr(r, "is_active", True)]
    if not users:
        return []
    from civicportal.accounts.models import CitizenProfile

    # Profiles the caller already loaded (``select_related("citizen__profile")``) are not asked again.
    cached = {u.pk: u._state.fields_cache["profile"] for u in users if "profile" in u._state.fields_cache}
    profiles = {pk: profile for pk, profile in cached.items() if profile is not None}
    missing = [u.pk for u in users if u.pk not in cached]
    if missing:
        profiles.update({p.user_id: p for p in CitizenProfile.objects.filter(user__in=missing)})
    notifications, plans, not_before = [], [], []
    now = timezone.now()
    for user in users:
        if user.pk in profiles:
            user.profile = profiles[user.pk]
        in_inbox, outside = _channels_for(user, urgent)
        notifications.append(
            Notification(
                recipient=user, kind=kind, title=title[:200], body=body, link=link, urgent=urgent, in_inbox=in_inbox
            )
        )
        plans.append(outside)
        # Quiet hours hold back non-urgent messages until they end; urgent ones ignore them.
        not_before.append(None if urgent else quiet_hours_end(profiles.get(user.pk), now))
    # No savepoint of its own: the two inserts stand or fall with the caller's transaction.
    with transaction.atomic(savepoint=False):
        created = Notification.objects.bulk_create(notifications)
        deliveries = [
            Delivery(notification=n, channel=channel, next_attempt_at=held)
            for n, outside, held in zip(created, plans, not_before, strict=True)
            for channel in outside
        ]
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        if deliveries:
            notification_ids = [n.pk for n in created]
            transaction.on_commit(lambda: _queue_deliveries(notification_ids))
    return created


def notify_phone(*, phone: str, kind: str, title: str, body: str = "", link: str = "") -> Notification:
    """Text a person who has no account (e.g. a 120 caller) at ``phone`` (E.164).

    The caller of this function has checked the person's recorded consent to be texted:
    the number and the consent live where they were given (the 120 contact record). The
    notification and its one SMS delivery are recorded like any other, sent after commit,
    claimed once, retried with back-off by the same sweep, visible in admin."""
    phone = (phone or "").strip()
    if not phone.startswith("+") or not phone[1:].isdigit():
        raise DomainError(_("A text message needs a phone number in international form."), field="phone")
    with transaction.atomic():
        notification = Notification.objects.create(
            recipient=None, phone=phone, kind=kind, title=title[:200], body=body, link=link, in_inbox=False
        )
        Delivery.objects.create(notification=notification, channel=Channel.SMS)
        notification_ids = [notification.pk]
        transaction.on_commit(lambda: _queue_deliveries(notification_ids))
    return notification


def _queue_deliveries(notification_ids):
    from civicportal.notifications.tasks import deliver_notifications

    for start in range(0, len(notification_ids), DELIVERY_BATCH):
        deliver_notifications.delay(notification_ids[start : start + DELIVERY_BATCH])


def _address(delivery: Delivery) -> str:
    user = delivery.notification.recipient
    if user is None:  # a bare number: text messages only
        return delivery.notification.phone if delivery.channel == Channel.SMS else ""
    if delivery.channel == Channel.EMAIL:
        return user.email
    profile = getattr(user, "profile", None)
    if delivery.channel == Channel.SMS:
        return profile.mobile if profile else ""
    return f"user:{user.pk}"


def _due(now):
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def deliver(delivery_id: int) -> str:
    """Send one queued, due delivery. Claims it with a conditional UPDATE (queued -> sending)
    so that a task that runs twice sends once. A temporary failure goes back to the queue
    with exponential back-off (``next_attempt_at``, picked up by the sweep); a permanent one,
    or too many attempts, ends as failed (visible and retryable in admin).
    Returns the resulting status."""
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery_id)
        .filter((Q(status=Delivery.Status.QUEUED) & _due(now)) | Q(status=Delivery.Status.SENDING, lease_until__lt=now))
        .update(status=Delivery.Status.SENDING, attempts=F("attempts") + 1, lease_until=now + lease())
    )
    if not claimed:
        return "not-claimed"
    delivery = Delivery.objects.select_related("notification__recipient__profile").get(pk=delivery_id)
    note = delivery.notification
    to = _address(delivery)
    try:
        if not to:
            raise DeliveryError("no address for this channel", permanent=True)
        get_backend(delivery.channel).send(
            to=to, title=note.title, body=note.body, link=note.link, idempotency_key=f"delivery-{delivery.pk}"
        )
    except Exception as exc:  # noqa: BLE001 - record every failure on the row
        permanent = getattr(exc, "permanent", not isinstance(exc, DeliveryError | OSError))
        if permanent or delivery.attempts >= max_attempts():
            Delivery.objects.filter(pk=delivery_id).update(
                status=Delivery.Status.FAILED, last_error=str(exc)[:2000], next_attempt_at=None, lease_until=None
            )
            return Delivery.Status.FAILED
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.QUEUED,
            last_error=str(exc)[:2000],
            next_attempt_at=timezone.now() + backoff(delivery.attempts),
            lease_until=None,
        )
        return Delivery.Status.QUEUED
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None, lease_until=None
    )
    return Delivery.Status.SENT


def due_delivery_ids(now=None, limit=5000) -> list[int]:
    """Deliveries whose time has come: queued ones after quiet hours, after back-off, or whose
    queueing task was lost (queued more than a minute ago with no date); and claimed ones whose
    lease ran out (the worker that claimed them died before it could record the answer)."""
    now = now or timezone.now()
    stale = now - timedelta(minutes=1)
    queued = (
        Delivery.objects.filter(status=Delivery.Status.QUEUED)
        .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=stale))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    abandoned = (
        Delivery.objects.filter(status=Delivery.Status.SENDING, lease_until__lt=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sorted({*queued, *abandoned})[:limit]


def retry_deliveries(*, queryset) -> int:
    """Put failed deliveries back in the queue now (the admin action); returns how many."""
    ids = list(queryset.filter(status=Delivery.Status.FAILED).values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids, status=Delivery.Status.FAILED).update(
        status=Delivery.Status.QUEUED, next_attempt_at=None, attempts=0
    )
    if ids:
        from civicportal.notifications.tasks import deliver_delivery_ids

        transaction.on_commit(lambda: deliver_delivery_ids.delay(ids))
    return len(ids)


def mark_read(*, user, notification_id=None) -> int:
    """Mark one (or all) of ``user``'s notifications read; returns how many changed. "All"
    includes the emergency alerts in the inbox (their in-app deliveries).

    Another user's notification (or none) is NotFound, as for any object not one's own."""
    from civicportal.notifications.models import AlertDelivery

    qs = Notification.objects.inbox_of(user)
    now = timezone.now()
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
        if not qs.exists():
            raise NotFound(_("No such notification."))
        return qs.unread().update(read_at=now)
    alerts_read = AlertDelivery.objects.filter(user=user, channel=Channel.IN_APP, read_at__isnull=True).update(
        read_at=now
    )
    return qs.unread().update(read_at=now) + alerts_read
