"""``notify()``: the one way every program tells people things."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from civicportal.notifications.backends import DeliveryError, get_backend
from civicportal.notifications.models import Channel, Delivery, Notification

DELIVERY_BATCH = 500


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

    profiles = {p.user_id: p for p in CitizenProfile.objects.filter(user__in=[u.pk for u in users])}
    notifications, plans = [], []
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
    with transaction.atomic():
        created = Notification.objects.bulk_create(notifications)
        deliveries = [
            Delivery(notification=n, channel=channel)
            for n, outside in zip(created, plans, strict=True)
            for channel in outside
        ]
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        if deliveries:
            notification_ids = [n.pk for n in created]
            transaction.on_commit(lambda: _queue_deliveries(notification_ids))
    return created


def _queue_deliveries(notification_ids):
    from civicportal.notifications.tasks import deliver_notifications

    for start in range(0, len(notification_ids), DELIVERY_BATCH):
        deliver_notifications.delay(notification_ids[start : start + DELIVERY_BATCH])


def _address(delivery: Delivery) -> str:
    user = delivery.notification.recipient
    if delivery.channel == Channel.EMAIL:
        return user.email
    profile = getattr(user, "profile", None)
    if delivery.channel == Channel.SMS:
        return profile.mobile if profile else ""
    return f"user:{user.pk}"


def deliver(delivery_id: int) -> str:
    """Send one queued delivery. Claims it with a conditional UPDATE so that a task
    that runs twice sends once. Returns the final status."""
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SENDING
    )
    if not claimed:
        return "already-claimed"
    delivery = Delivery.objects.select_related("notification__recipient__profile").get(pk=delivery_id)
    note = delivery.notification
    to = _address(delivery)
    try:
        if not to:
            raise DeliveryError("no address for this channel", permanent=True)
        if delivery.channel == Channel.EMAIL:
            text = f"{note.body}\n\n{settings.SITE_URL}{note.link}" if note.link else note.body
            send_mail(note.title, text, settings.DEFAULT_FROM_EMAIL, [to])
        else:
            get_backend(delivery.channel).send(to=to, title=note.title, body=note.body, link=note.link)
    except Exception as exc:  # noqa: BLE001 - record every failure on the row
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.FAILED, attempts=delivery.attempts + 1, last_error=str(exc)[:2000]
        )
        return Delivery.Status.FAILED
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENT, attempts=delivery.attempts + 1, sent_at=timezone.now()
    )
    return Delivery.Status.SENT


def mark_read(*, user, notification_id=None) -> int:
    """Mark one (or all) of ``user``'s notifications read; returns how many changed."""
    qs = Notification.objects.inbox_of(user).unread()
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
