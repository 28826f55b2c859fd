"""The emergency-alert fan-out: targeted citizens -> key-range chunks -> delivery rows -> senders.

Exactly once per citizen and channel, whatever happens to the workers:

* rows: each chunk task lets the database build its rows with one
  ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` per channel; the unique
  constraint (alert, user, channel) makes a repeated chunk a no-op;
* sends: a sender claims a batch with a conditional UPDATE (queued -> sending) and
  marks it sent after the backend took it. Only the claimant sends. Rows left in
  ``sending`` by a killed worker are recovered after a lease: the backend is asked
  which idempotency keys it already delivered (or trusted to drop duplicates);
* the alert: approval moves it pending_approval -> sending once; chunks are stored
  (AlertChunk) so a repeated fan-out task re-queues the same ranges, and the periodic
  sweep re-queues chunks whose task was lost.

The SQL is plain and runs on PostgreSQL and SQLite (>= 3.35: UPDATE ... RETURNING,
INSERT ... SELECT ... ON CONFLICT DO NOTHING).
"""

import logging
import math
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicportal.accounts.models import CitizenProfile, User
from civicportal.errors import Conflict
from civicportal.notifications.backends import DeliveryError, get_backend, get_social_backend
from civicportal.notifications.models import (
    AlertBroadcast,
    AlertChunk,
    AlertDelivery,
    AlertEvent,
    AreaKind,
    Channel,
    EmergencyAlert,
    SocialChannelAccount,
)
from civicportal.notifications.services import backoff, max_attempts

logger = logging.getLogger(__name__)
S = EmergencyAlert.Status
D = AlertDelivery.Status
PERSON_CHANNELS = ("in_app", "sms", "push", "email")
CHANNEL_LABELS = {**dict(Channel.choices), "social": _("Social media accounts")}


def chunk_size() -> int:
    return getattr(settings, "ALERT_CHUNK_SIZE", 10_000)


def send_batch_size() -> int:
    return getattr(settings, "ALERT_SEND_BATCH", 2_000)


def lease() -> timedelta:
    """How long a claimed (sending) row belongs to its worker before it counts as abandoned."""
    return timedelta(seconds=getattr(settings, "ALERT_SEND_LEASE_SECONDS", 300))


def _tables():
    return {
        "profile": CitizenProfile._meta.db_table,
        "user": User._meta.db_table,
        "delivery": AlertDelivery._meta.db_table,
        "alert": EmergencyAlert._meta.db_table,
        "districts": EmergencyAlert.districts.through._meta.db_table,
    }


def _target_sql(alert: EmergencyAlert) -> tuple[str, list]:
    """SQL (FROM ... WHERE) of the targeted profiles ``p`` joined to their users ``u``.

    Updates and cancels go to the original alert's recipients, whoever they are now."""
    t = _tables()
    base = f"FROM {t['profile']} p JOIN {t['user']} u ON u.id = p.user_id WHERE u.is_active = %s"
    params: list = [True]
    if alert.references_id:
        root = alert.root()
        base += f" AND p.user_id IN (SELECT d.user_id FROM {t['delivery']} d WHERE d.alert_id = %s)"  # noqa: S608
        params.append(root.pk)
    elif alert.area_kind == AreaKind.DISTRICTS:
        districts = t["districts"]
        base += f" AND p.district_id IN (SELECT ad.district_id FROM {districts} ad"  # noqa: S608
        base += " WHERE ad.emergencyalert_id = %s)"
        params.append(alert.pk)
    elif alert.area_kind == AreaKind.CIRCLE:
        # Equirectangular distance: exact enough at city scale, plain arithmetic on both databases.
        lat0, lon0, radius = float(alert.circle_lat), float(alert.circle_lon), float(alert.radius_km)
        kx = 111.320 * math.cos(math.radians(lat0))
        ky = 110.574
        base += (
            " AND p.location_consent = %s AND p.home_lat IS NOT NULL AND p.home_lon IS NOT NULL"
            " AND ((p.home_lon - %s) * %s) * ((p.home_lon - %s) * %s)"
            " + ((p.home_lat - %s) * %s) * ((p.home_lat - %s) * %s) <= %s"
        )
        params += [True, lon0, kx, lon0, kx, lat0, ky, lat0, ky, radius * radius]
    return base, params


_CONSENT = {
    "in_app": "",  # an emergency alert always reaches the portal inbox
    "sms": " AND p.consent_sms = %s AND p.mobile <> ''",
    "push": " AND p.consent_push = %s",
    "email": " AND p.consent_email = %s AND u.email <> ''",
}


def targeted_user_ids_query(alert):
    base, params = _target_sql(alert)
    return f"SELECT p.user_id {base}", params


def targeted_count(alert) -> int:
    base, params = _target_sql(alert)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {base}", params)
        return cursor.fetchone()[0]


def key_ranges(alert, size=None) -> list[tuple[int, int]]:
    """Split the targeted citizens into ranges of about ``size`` user ids (by rank, so a
    sparse district target still gives full chunks)."""
    size = size or chunk_size()
    base, params = _target_sql(alert)
    sql = (
        "SELECT MIN(user_id), MAX(user_id) FROM ("  # noqa: S608 - table names come from model metadata
        f" SELECT p.user_id AS user_id, (ROW_NUMBER() OVER (ORDER BY p.user_id) - 1) / %s AS bucket {base}"
        ") ranked GROUP BY bucket ORDER BY bucket"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [size, *params])
        return [(lo, hi) for lo, hi in cursor.fetchall()]


def start(alert_id: int) -> list[int]:
    """Split an approved alert into chunks (once) and return the ids of the chunks still to do.

    Raises Conflict for an alert that is not being sent (cancelled, draft...): nothing is sent."""
    with transaction.atomic():
        alert = EmergencyAlert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None:
            return []
        if alert.status != S.SENDING:
            raise Conflict(f"alert {alert.identifier} is {alert.status}, not sending")
        if not alert.chunks.exists():
            ranges = key_ranges(alert)
            AlertChunk.objects.bulk_create(
                [AlertChunk(alert=alert, first_user_id=lo, last_user_id=hi) for lo, hi in ranges],
                ignore_conflicts=True,
            )
            EmergencyAlert.objects.filter(pk=alert.pk).update(targeted_count=targeted_count(alert))
            AlertEvent.objects.create(alert=alert, note=f"fan-out: {len(ranges)} chunks")
            if "social" in alert.channels:
                AlertBroadcast.objects.bulk_create(
                    [
                        AlertBroadcast(alert=alert, account=account)
                        for account in SocialChannelAccount.objects.filter(is_active=True, relays_alerts=True)
                    ],
                    ignore_conflicts=True,
                )
        pending = list(alert.chunks.filter(done_at__isnull=True).values_list("pk", flat=True))
    if not pending:
        finish_if_done(alert_id)
    return pending


def _language_case(alert) -> tuple[str, list]:
    offered = sorted(alert.texts.values_list("language", flat=True))
    placeholders = ", ".join(["%s"] * len(offered))
    return f"CASE WHEN p.preferred_language IN ({placeholders}) THEN p.preferred_language ELSE %s END", [
        *offered,
        "ko",
    ]


# A cancelled alert stops every claim at once; a sent alert still sends its due retries.
_STILL_SENDING = "EXISTS (SELECT 1 FROM {alert} a WHERE a.id = %s AND a.status IN ('sending', 'sent'))"


def insert_rows(alert, chunk) -> int:
    """Build the chunk's delivery rows in the database; conflicts (a re-run) are ignored.

    The inbox is the database, so an in-app row is delivered by being written: it is
    inserted as sent (only while the alert is not cancelled). Other channels start queued."""
    t = _tables()
    base, params = _target_sql(alert)
    language_sql, language_params = _language_case(alert)
    inserted = 0
    now = timezone.now()
    with connection.cursor() as cursor:
        for channel in alert.channels:
            if channel not in PERSON_CHANNELS:
                continue
            consent = _CONSENT[channel]
            in_app = channel == "in_app"
            sql = (
                f"INSERT INTO {t['delivery']}"
                " (alert_id, user_id, channel, status, language, attempts, last_error, created_at, sent_at)"
                f" SELECT %s, p.user_id, %s, %s, {language_sql}, %s, '', %s, %s {base}"
                f" AND p.user_id >= %s AND p.user_id <= %s{consent}"
                f" AND {_STILL_SENDING.format(alert=t['alert'])}"
                " ON CONFLICT (alert_id, user_id, channel) DO NOTHING"
            )
            args = [
                alert.pk,
                channel,
                D.SENT if in_app else D.QUEUED,
                *language_params,
                1 if in_app else 0,
                now,
                now if in_app else None,
                *params,
                chunk.first_user_id,
                chunk.last_user_id,
            ]
            if consent:
                args.append(True)
            args.append(alert.pk)
            cursor.execute(sql, args)
            inserted += max(cursor.rowcount, 0)
    return inserted


def deliver_in_app(alert, chunk) -> int:
    """The inbox is the database: claiming the rows (queued -> sent) is the delivery."""
    t = _tables()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {t['delivery']} SET status = %s, sent_at = %s, attempts = attempts + 1"  # noqa: S608
            " WHERE alert_id = %s AND channel = %s AND status = %s AND user_id >= %s AND user_id <= %s"
            f" AND {_STILL_SENDING.format(alert=t['alert'])}",
            [D.SENT, now, alert.pk, "in_app", D.QUEUED, chunk.first_user_id, chunk.last_user_id, alert.pk],
        )
        return cursor.rowcount


_ADDRESS_SQL = {"sms": "p.mobile", "email": "u.email", "push": "''"}


def _claim(alert, channel, first, last, limit) -> list[tuple]:
    """Claim up to ``limit`` due queued rows (queued -> sending) and return
    (id, user_id, language, attempts, address) for each, in one statement.

    ``status = queued`` is repeated in the outer WHERE: PostgreSQL re-checks it on a row a
    concurrent claimant just changed, so two workers never claim the same row."""
    t = _tables()
    d = t["delivery"]
    now = timezone.now()
    # PostgreSQL returns the address from the joined tables; SQLite's RETURNING cannot
    # name a joined table, so there the addresses are a second query.
    joined = connection.vendor == "postgresql"
    address = f", {_ADDRESS_SQL[channel]}" if joined else ""
    join = f" FROM {t['profile']} p, {t['user']} u" if joined else ""
    join_on = f"p.user_id = {d}.user_id AND u.id = {d}.user_id AND" if joined else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {d} SET status = %s, claimed_at = %s, attempts = {d}.attempts + 1{join}"  # noqa: S608
            f" WHERE {join_on} {d}.id IN (SELECT id FROM {d} WHERE alert_id = %s AND channel = %s"
            " AND status = %s AND user_id >= %s AND user_id <= %s"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= %s) ORDER BY id LIMIT %s)"
            f" AND {d}.status = %s AND {_STILL_SENDING.format(alert=t['alert'])}"
            f" RETURNING {d}.id, {d}.user_id, {d}.language, {d}.attempts{address}",
            [D.SENDING, now, alert.pk, channel, D.QUEUED, first, last, now, limit, D.QUEUED, alert.pk],
        )
        rows = cursor.fetchall()
    return rows if joined else _with_addresses(channel, rows)


def _with_addresses(channel, rows) -> list[tuple]:
    """(id, user_id, language, attempts) rows -> the same with the address, for recovered rows."""
    ids = [r[1] for r in rows]
    if channel == "sms":
        found = dict(CitizenProfile.objects.filter(user_id__in=ids).values_list("user_id", "mobile"))
    elif channel == "email":
        found = dict(User.objects.filter(pk__in=ids).values_list("pk", "email"))
    else:
        found = {}
    return [(*r, found.get(r[1], "")) for r in rows]


def _messages(alert, channel, rows, texts):
    link = f"/alerts/{alert.identifier}/"
    bodies = {lang: "\n".join(x for x in (t.description, t.instruction) if x) for lang, t in texts.items()}
    messages = []
    for delivery_id, user_id, language, attempts, address in rows:
        text = texts.get(language) or texts["ko"]
        body = bodies.get(language) or bodies["ko"]
        messages.append(
            {
                "to": address if channel != "push" else f"user:{user_id}",
                "title": text.headline,
                "body": body,
                "link": link,
                "idempotency_key": f"alert-{alert.pk}-{user_id}-{channel}",
                "_id": delivery_id,
                "_attempts": attempts,
            }
        )
    return messages


def _settle(messages, failures):
    """Record the outcome of a sent batch: sent, back to the queue (temporary), or failed."""
    now = timezone.now()
    sent_ids = [m["_id"] for m in messages if m["idempotency_key"] not in failures]
    AlertDelivery.objects.filter(pk__in=sent_ids, status=D.SENDING).update(status=D.SENT, sent_at=now)
    for m in messages:
        exc = failures.get(m["idempotency_key"])
        if exc is None:
            continue
        if getattr(exc, "permanent", False) or m["_attempts"] >= max_attempts():
            AlertDelivery.objects.filter(pk=m["_id"]).update(status=D.FAILED, last_error=str(exc)[:2000])
        else:
            AlertDelivery.objects.filter(pk=m["_id"]).update(
                status=D.QUEUED, last_error=str(exc)[:2000], next_attempt_at=now + backoff(m["_attempts"])
            )


def _send(backend, messages):
    plain = [{k: v for k, v in m.items() if not k.startswith("_")} for m in messages]
    no_address = {m["idempotency_key"]: DeliveryError("no address", permanent=True) for m in plain if not m["to"]}
    plain = [m for m in plain if m["to"]]
    try:
        failures = backend.send_many(plain) if plain else {}
    except DeliveryError as exc:
        failures = {m["idempotency_key"]: exc for m in plain}
    return {**no_address, **failures}


def recover_abandoned(alert, channel, first, last, texts) -> int:
    """Rows a killed worker left in ``sending``: finish them without sending twice."""
    cutoff = timezone.now() - lease()
    rows = list(
        AlertDelivery.objects.filter(
            alert=alert,
            channel=channel,
            status=D.SENDING,
            claimed_at__lt=cutoff,
            user_id__gte=first,
            user_id__lte=last,
        ).values_list("pk", "user_id", "language", "attempts")
    )
    if not rows:
        return 0
    backend = get_backend(channel)
    messages = _messages(alert, channel, _with_addresses(channel, rows), texts)
    known = backend.already_sent([m["idempotency_key"] for m in messages])
    done = [m for m in messages if known is not None and m["idempotency_key"] in known]
    _settle(done, {})
    rest = [m for m in messages if m not in done]
    # Re-take the rows under our own claim, then send with the same idempotency keys.
    retaken = AlertDelivery.objects.filter(pk__in=[m["_id"] for m in rest], status=D.SENDING, claimed_at__lt=cutoff)
    retaken.update(claimed_at=timezone.now())
    _settle(rest, _send(backend, rest))
    logger.warning("alert %s: recovered %d abandoned %s deliveries", alert.pk, len(rows), channel)
    return len(rows)


def deliver_channel(alert, chunk, channel, texts) -> int:
    """Send every queued row of this chunk on ``channel``, batch by batch."""
    recover_abandoned(alert, channel, chunk.first_user_id, chunk.last_user_id, texts)
    backend = get_backend(channel)
    total = 0
    while True:
        rows = _claim(alert, channel, chunk.first_user_id, chunk.last_user_id, send_batch_size())
        if not rows:
            return total
        messages = _messages(alert, channel, rows, texts)
        _settle(messages, _send(backend, messages))
        total += len(rows)


def run_chunk(chunk_id: int) -> int:
    """Do one chunk: insert its rows, hand them to the senders, mark it done. Safe to run twice."""
    chunk = AlertChunk.objects.select_related("alert").filter(pk=chunk_id).first()
    if chunk is None:
        return 0
    alert = chunk.alert
    if alert.status != S.SENDING:
        AlertChunk.objects.filter(pk=chunk.pk, done_at__isnull=True).update(done_at=timezone.now())
        return 0
    AlertChunk.objects.filter(pk=chunk.pk).update(started_at=timezone.now())
    insert_rows(alert, chunk)
    texts = {t.language: t for t in alert.texts.all()}
    sent = 0
    for channel in alert.channels:
        if channel == "in_app":
            sent += deliver_in_app(alert, chunk)
        elif channel in PERSON_CHANNELS:
            sent += deliver_channel(alert, chunk, channel, texts)
    AlertChunk.objects.filter(pk=chunk.pk, done_at__isnull=True).update(done_at=timezone.now())
    finish_if_done(alert.pk)
    return sent


def broadcast_social(alert_id: int) -> int:
    """Post the alert once on every social account (claim queued -> sending first)."""
    alert = EmergencyAlert.objects.filter(pk=alert_id, status__in=[S.SENDING, S.SENT]).first()
    if alert is None:
        return 0
    text = alert.text_for("ko")
    now = timezone.now()
    done = 0
    due = AlertBroadcast.objects.filter(alert=alert, status=D.QUEUED).exclude(next_attempt_at__gt=now)
    for broadcast in due.select_related("account"):
        if not AlertBroadcast.objects.filter(pk=broadcast.pk, status=D.QUEUED).update(status=D.SENDING):
            continue
        attempts = broadcast.attempts + 1
        try:
            get_social_backend(broadcast.account).send(
                to=broadcast.account.handle or broadcast.account.name,
                title=text.headline,
                body=text.instruction or text.description,
                link=f"{settings.SITE_URL}/alerts/{alert.identifier}/",
                idempotency_key=f"alert-{alert.pk}-social-{broadcast.account_id}",
            )
        except Exception as exc:  # noqa: BLE001 - recorded on the row
            permanent = getattr(exc, "permanent", True) or attempts >= max_attempts()
            AlertBroadcast.objects.filter(pk=broadcast.pk).update(
                status=D.FAILED if permanent else D.QUEUED,
                attempts=attempts,
                last_error=str(exc)[:2000],
                next_attempt_at=None if permanent else now + backoff(attempts),
            )
            continue
        AlertBroadcast.objects.filter(pk=broadcast.pk).update(status=D.SENT, attempts=attempts, sent_at=timezone.now())
        done += 1
    return done


def finish_if_done(alert_id: int) -> bool:
    """sending -> sent once every chunk is done (retries of failed rows continue in the sweep)."""
    if AlertChunk.objects.filter(alert_id=alert_id, done_at__isnull=True).exists():
        return False
    if (
        not AlertChunk.objects.filter(alert_id=alert_id).exists()
        and not EmergencyAlert.objects.filter(pk=alert_id, targeted_count=0).exists()
    ):
        return False
    finished = EmergencyAlert.objects.filter(pk=alert_id, status=S.SENDING).update(
        status=S.SENT, sent_at=timezone.now()
    )
    if finished:
        AlertEvent.objects.create(alert_id=alert_id, from_status=S.SENDING, to_status=S.SENT)
    return bool(finished)


def stale_chunk_ids(now=None) -> list[int]:
    """Chunks of alerts still sending whose task seems lost (queued or started long ago)."""
    now = now or timezone.now()
    cutoff = now - lease()
    return list(
        AlertChunk.objects.filter(alert__status=S.SENDING, done_at__isnull=True, queued_at__lt=cutoff)
        .exclude(started_at__gte=cutoff)
        .values_list("pk", flat=True)
    )


def chunks_with_due_retries(now=None) -> list[int]:
    """Chunks holding rows whose back-off has passed, or claims abandoned longer than the lease."""
    from django.db.models import Exists, OuterRef, Q

    now = now or timezone.now()
    due = AlertDelivery.objects.filter(
        alert_id=OuterRef("alert_id"),
        user_id__gte=OuterRef("first_user_id"),
        user_id__lte=OuterRef("last_user_id"),
    ).filter(Q(status=D.QUEUED, next_attempt_at__lte=now) | Q(status=D.SENDING, claimed_at__lt=now - lease()))
    return list(
        AlertChunk.objects.filter(alert__status__in=[S.SENDING, S.SENT], alert__expires__gt=now)
        .filter(Exists(due))
        .values_list("pk", flat=True)
    )


def retry_chunk(chunk_id: int) -> int:
    """Send a chunk's due retries (also after the alert is marked sent, until it expires)."""
    chunk = AlertChunk.objects.select_related("alert").filter(pk=chunk_id).first()
    if chunk is None or chunk.alert.status not in (S.SENDING, S.SENT):
        return 0
    alert = chunk.alert
    texts = {t.language: t for t in alert.texts.all()}
    sent = 0
    for channel in alert.channels:
        if channel in PERSON_CHANNELS and channel != "in_app":
            sent += deliver_channel(alert, chunk, channel, texts)
    return sent


def progress(alert) -> dict:
    """Targeted, delivered, failed per channel, and time so far."""
    from django.core.cache import cache

    counts: dict = {}
    grouped = _grouped(alert)
    if alert.status == S.SENDING:
        # A million-citizen alert has two million rows: many officers polling every 2 s share one count.
        grouped = cache.get_or_set(f"alert-progress-{alert.pk}", lambda: list(_grouped(alert)), 2)
    for channel, status, n in grouped:
        counts.setdefault(channel, {s: 0 for s in D.values})[status] = n
    rows = []
    total = processed = 0
    for channel in alert.channels:
        if channel == "social":
            by = dict(_grouped_broadcasts(alert))
            c = {s: by.get(s, 0) for s in D.values}
        else:
            c = counts.get(channel, {s: 0 for s in D.values})
        n = sum(c.values())
        rows.append(
            {
                "channel": channel,
                "label": CHANNEL_LABELS.get(channel, channel),
                "total": n,
                "sent": c[D.SENT],
                "failed": c[D.FAILED],
                "pending": c[D.QUEUED] + c[D.SENDING],
                "cancelled": c[D.CANCELLED],
            }
        )
        total += n
        processed += c[D.SENT] + c[D.FAILED] + c[D.CANCELLED]
    chunks = alert.chunks.count()
    chunks_done = alert.chunks.filter(done_at__isnull=False).count()
    if alert.status in (S.SENT, S.CANCELLED) and processed == total:
        percent = 100
    elif chunks and chunks_done < chunks:
        percent = min(99, int(100 * chunks_done / chunks))
    else:
        percent = int(100 * processed / total) if total else 0
        percent = min(percent, 99) if alert.status == S.SENDING else percent
    started = alert.sending_started_at
    end = alert.sent_at or alert.cancelled_at or timezone.now()
    return {
        "targeted": alert.targeted_count,
        "channels": rows,
        "percent": percent,
        "elapsed": (end - started).total_seconds() if started else 0,
        "chunks": chunks,
        "chunks_done": chunks_done,
        "finished": alert.status in (S.SENT, S.CANCELLED),
    }


def _grouped(alert):
    from django.db.models import Count

    return (
        AlertDelivery.objects.filter(alert=alert)
        .order_by()
        .values_list("channel", "status")
        .annotate(n=Count("id"))
        .values_list("channel", "status", "n")
    )


def _grouped_broadcasts(alert):
    from django.db.models import Count

    return (
        AlertBroadcast.objects.filter(alert=alert)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
