"""The emergency-alert fan-out: targeted citizens -> key-range chunks -> delivery rows -> senders.

Exactly once per citizen and channel, whatever happens to the workers:

* rows: each chunk task lets the database build its rows with one
  ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` per channel, in one transaction; the
  unique constraint (alert, user, channel) makes a repeated chunk a no-op. In-app rows are
  delivered by being written; rows of the outside channels are written already claimed
  (``sending`` under the inserting task's ``claim_token``), so no two tasks hold one row;
* sends: the claimant hands its rows to the backend in batches, each batch followed by one
  UPDATE over the batch's key range (rows of its own claim only) that marks it sent. Rows
  left ``sending`` by a killed task are taken over once its lease has run out
  (``ALERT_SEND_LEASE_SECONDS``); the backend is asked which idempotency keys it already
  delivered (or trusted to drop repeats), and only the others are sent again;
* the alert: approval moves it pending_approval -> sending once; chunks are stored
  (AlertChunk) so a repeated fan-out task re-queues the same ranges, and the periodic
  sweep re-queues chunks whose task was lost and chunks with work due (``retry_at``).

The SQL is plain and runs on PostgreSQL and SQLite (>= 3.35: INSERT ... SELECT ... ON
CONFLICT DO NOTHING). docs/notifications.md explains the at-least-once window at the
backend boundary and the choices made for speed.
"""

import logging
import math
import secrets
from dataclasses import dataclass, field
from datetime import UTC, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicportal.accounts.models import CitizenProfile, User
from civicportal.errors import Conflict
from civicportal.notifications import live
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


def key_ranges(alert, size=None) -> list[tuple[int, int, int]]:
    """Split the targeted citizens into ranges of about ``size`` user ids (by rank, so a
    sparse district target still gives full chunks): (first user id, last user id, citizens)."""
    size = size or chunk_size()
    base, params = _target_sql(alert)
    sql = (
        "SELECT MIN(user_id), MAX(user_id), COUNT(*) FROM ("  # noqa: S608 - table names come from model metadata
        f" SELECT p.user_id AS user_id, (ROW_NUMBER() OVER (ORDER BY p.user_id) - 1) / %s AS bucket {base}"
        ") ranked GROUP BY bucket ORDER BY bucket"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [size, *params])
        return [(lo, hi, n) for lo, hi, n in cursor.fetchall()]


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
                [AlertChunk(alert=alert, first_user_id=lo, last_user_id=hi) for lo, hi, _n in ranges],
                ignore_conflicts=True,
            )
            EmergencyAlert.objects.filter(pk=alert.pk).update(targeted_count=sum(n for _lo, _hi, n in ranges))
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
        finish_if_done(alert_id, split=True)
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


def new_claim_token() -> int:
    """A token naming one task run's claim on delivery rows (random: no coordination needed)."""
    return secrets.randbits(62) + 1


def _outside(alert) -> list[str]:
    return [c for c in alert.channels if c in PERSON_CHANNELS and c != "in_app"]


@dataclass
class Inserted:
    """What one insert_rows call wrote: ``fresh`` when the chunk's key range was empty before
    (then these are all of the chunk's rows), rows per channel, and the claimed rows of the
    outside channels as (user_id, language, attempts, address), in user order."""

    fresh: bool
    counts: dict = field(default_factory=dict)
    claimed: dict = field(default_factory=dict)


def insert_rows(alert, chunk, claim_token=None) -> Inserted:
    """Build the chunk's delivery rows in the database, in one transaction; a re-run inserts nothing.

    The inbox is the database, so an in-app row is delivered by being written: it is
    inserted as sent. Rows of the outside channels are inserted already claimed by the task
    that will send them (``sending`` under ``claim_token``, first attempt, with the address
    they go to), and RETURNING hands them straight to the sender: a row is written twice in
    all (inserted, marked sent) and never waits in ``queued``. Nothing is inserted once the
    alert is cancelled.

    The first run of a chunk finds its key range empty and inserts plainly; a run that finds
    rows there (a re-run) inserts with ON CONFLICT DO NOTHING. Two runs racing on an empty
    range both insert plainly: the unique constraint makes the later one fail, and it then
    inserts nothing (ON CONFLICT costs about a third of the insert: it is kept for re-runs)."""
    t = _tables()
    claim_token = claim_token or new_claim_token()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {t['delivery']} WHERE alert_id = %s AND user_id >= %s AND user_id <= %s LIMIT 1",  # noqa: S608
            [alert.pk, chunk.first_user_id, chunk.last_user_id],
        )
        rerun = cursor.fetchone() is not None
    if not rerun:
        try:
            return _insert(alert, chunk, claim_token, fresh=True)
        except IntegrityError:
            pass
    return _insert(alert, chunk, claim_token, fresh=False)


def _insert(alert, chunk, claim_token, fresh) -> Inserted:
    t = _tables()
    base, params = _target_sql(alert)
    language_sql, language_params = _language_case(alert)
    result = Inserted(fresh=fresh)
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        for channel in alert.channels:
            if channel not in PERSON_CHANNELS:
                continue
            consent = _CONSENT[channel]
            in_app = channel == "in_app"
            address = "''" if in_app else _ADDRESS_SQL[channel]
            sql = (
                f"INSERT INTO {t['delivery']}"
                " (alert_id, user_id, channel, status, language, attempts, last_error, created_at, sent_at,"
                " claimed_at, claim_token, address)"
                f" SELECT %s, p.user_id, %s, %s, {language_sql}, 1, '', %s, %s, %s, %s, {address} {base}"
                # The range on both sides of the join: the planner walks two key ranges
                # instead of hashing the whole user table for every chunk.
                f" AND p.user_id >= %s AND p.user_id <= %s AND u.id >= %s AND u.id <= %s{consent}"
                f" AND {_STILL_SENDING.format(alert=t['alert'])}"
            )
            if not fresh:
                sql += " ON CONFLICT (alert_id, user_id, channel) DO NOTHING"
            if not in_app:
                sql += " RETURNING user_id, language, attempts, address"
            args = [
                alert.pk,
                channel,
                D.SENT if in_app else D.SENDING,
                *language_params,
                now,
                now if in_app else None,
                None if in_app else now,
                None if in_app else claim_token,
                *params,
                chunk.first_user_id,
                chunk.last_user_id,
                chunk.first_user_id,
                chunk.last_user_id,
            ]
            if consent:
                args.append(True)
            args.append(alert.pk)
            cursor.execute(sql, args)
            if in_app:
                result.counts[channel] = max(cursor.rowcount, 0)
            else:
                rows = sorted(cursor.fetchall())
                result.counts[channel] = len(rows)
                result.claimed[channel] = rows
    return result


_ADDRESS_SQL = {"sms": "p.mobile", "email": "u.email", "push": "''"}


def _claimed_rows(alert, channel, first, last, claim_token) -> list[tuple]:
    """(user_id, language, attempts, address) of the rows in [first, last] that ``claim_token``
    holds on ``channel``, in user order: the unique index walks exactly this key range. The
    address is the one stored at insert (rows older than that column: the profile's now)."""
    t = _tables()
    d = t["delivery"]
    join = f" LEFT JOIN {t['profile']} p ON p.user_id = d.user_id"
    if channel == "email":
        join += f" LEFT JOIN {t['user']} u ON u.id = d.user_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.user_id, d.language, d.attempts, COALESCE(NULLIF(d.address, ''), {_ADDRESS_SQL[channel]}, '')"  # noqa: S608
            f" FROM {d} d{join}"
            " WHERE d.alert_id = %s AND d.user_id >= %s AND d.user_id <= %s AND d.channel = %s"
            " AND d.claim_token = %s AND d.status = %s ORDER BY d.user_id",
            [alert.pk, first, last, channel, claim_token, D.SENDING],
        )
        return cursor.fetchall()


def _claim_due(alert, channel, first, last, claim_token) -> list[tuple]:
    """Claim the due queued rows of [first, last] (retries after back-off) under ``claim_token``.

    ``status = queued`` is repeated in the outer WHERE: PostgreSQL re-checks it on a row a
    concurrent claimant just changed, so two workers never claim the same row."""
    t = _tables()
    d = t["delivery"]
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {d} SET status = %s, claimed_at = %s, claim_token = %s, attempts = attempts + 1"  # noqa: S608
            f" WHERE id IN (SELECT id FROM {d} WHERE alert_id = %s AND user_id >= %s AND user_id <= %s"
            " AND channel = %s AND status = %s AND (next_attempt_at IS NULL OR next_attempt_at <= %s))"
            f" AND status = %s AND {_STILL_SENDING.format(alert=t['alert'])}",
            [D.SENDING, now, claim_token, alert.pk, first, last, channel, D.QUEUED, now, D.QUEUED, alert.pk],
        )
        if cursor.rowcount <= 0:
            return []
    return _claimed_rows(alert, channel, first, last, claim_token)


def _idempotency_key(alert, user_id, channel) -> str:
    return f"alert-{alert.pk}-{user_id}-{channel}"


def alert_messages(alert, texts) -> dict:
    """{language: {"title", "body", "link"}}: the message of each offered language, made once."""
    link = f"/alerts/{alert.identifier}/"
    return {
        language: {
            "title": text.headline,
            "body": "\n".join(x for x in (text.description, text.instruction) if x),
            "link": link,
        }
        for language, text in texts.items()
    }


def _send(alert, channel, backend, messages, rows) -> dict:
    """Hand ``rows`` to the backend; returns {user_id: DeliveryError} of those that failed."""
    recipients, failures = [], {}
    for user_id, language, _attempts, address in rows:
        if channel == "push":
            address = f"user:{user_id}"
        if not address:
            failures[user_id] = DeliveryError("no address", permanent=True)
            continue
        recipients.append(
            (_idempotency_key(alert, user_id, channel), address, language if language in messages else "ko")
        )
    if recipients:
        try:
            by_key = backend.send_same(messages, recipients)
        except DeliveryError as exc:
            by_key = {key: exc for key, _to, _language in recipients}
        if by_key:
            user_of = {_idempotency_key(alert, r[0], channel): r[0] for r in rows}
            failures.update({user_of[key]: exc for key, exc in by_key.items()})
    return failures


def _mark(alert, channel, claim_token, user_ids, status, now):
    """Settle claimed rows by user id (a few: failures, rows the backend already had)."""
    fields = {"status": status, "claim_token": None}
    if status == D.SENT:
        fields["sent_at"] = now
    for start in range(0, len(user_ids), 500):
        AlertDelivery.objects.filter(
            alert=alert, channel=channel, claim_token=claim_token, user_id__in=user_ids[start : start + 500]
        ).update(**fields)


def _settle_failures(alert, channel, claim_token, rows, failures, now):
    """Failed rows leave the claim: queued again with back-off (temporary) or failed."""
    attempts = {r[0]: r[2] for r in rows}
    for user_id, exc in failures.items():
        permanent = getattr(exc, "permanent", False) or attempts[user_id] >= max_attempts()
        AlertDelivery.objects.filter(
            alert=alert, channel=channel, user_id=user_id, claim_token=claim_token, status=D.SENDING
        ).update(
            status=D.FAILED if permanent else D.QUEUED,
            claim_token=None,
            last_error=str(exc)[:2000],
            next_attempt_at=None if permanent else now + backoff(attempts[user_id]),
        )


def _alert_still_sending(alert) -> bool:
    return EmergencyAlert.objects.filter(pk=alert.pk, status__in=[S.SENDING, S.SENT]).exists()


def send_claimed(alert, channel, rows, claim_token, messages) -> int:
    """Send rows held by ``claim_token`` (in user order), batch by batch.

    After the backend took a batch, one UPDATE over the batch's key range marks it sent
    (only rows of this claim: a retry claimed by another task in the same range is not
    touched). A batch is the whole at-least-once window: a worker killed after the backend
    took it and before the UPDATE leaves its rows ``sending``, and recovery asks the backend
    (see recover_abandoned). Before each batch the alert is read again, so a cancel stops
    what has not been handed over yet."""
    if not rows:
        return 0
    t = _tables()
    backend = get_backend(channel)
    size = send_batch_size()
    sent = 0
    for start in range(0, len(rows), size):
        batch = rows[start : start + size]
        if not _alert_still_sending(alert):
            _mark(alert, channel, claim_token, [r[0] for r in rows[start:]], D.CANCELLED, timezone.now())
            break
        failures = _send(alert, channel, backend, messages, batch)
        now = timezone.now()
        with transaction.atomic():
            if failures:
                _settle_failures(alert, channel, claim_token, batch, failures, now)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {t['delivery']} SET status = %s, sent_at = %s, claim_token = NULL"  # noqa: S608
                    " WHERE alert_id = %s AND user_id >= %s AND user_id <= %s AND channel = %s"
                    " AND claim_token = %s AND status = %s",
                    [D.SENT, now, alert.pk, batch[0][0], batch[-1][0], channel, claim_token, D.SENDING],
                )
                sent += max(cursor.rowcount, 0)
    return sent


def recover_abandoned(alert, channel, first, last, messages) -> int:
    """Rows a dead task left ``sending`` after its lease ran out: finish them without sending twice.

    The rows are first taken over under a new claim (one conditional UPDATE: of two
    recovering tasks, one gets each row). Then the backend says which of them it already
    delivered (the console backend reads its outbox; a gateway that cannot tell is trusted to
    drop repeats of an idempotency key); those are marked sent, the rest are sent again with
    the same keys, or cancelled if the alert was cancelled meanwhile."""
    t = _tables()
    claim_token = new_claim_token()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {t['delivery']} SET claim_token = %s, claimed_at = %s"  # noqa: S608
            " WHERE alert_id = %s AND user_id >= %s AND user_id <= %s AND channel = %s"
            " AND status = %s AND claimed_at < %s",
            [claim_token, now, alert.pk, first, last, channel, D.SENDING, now - lease()],
        )
        if cursor.rowcount <= 0:
            return 0
    rows = _claimed_rows(alert, channel, first, last, claim_token)
    backend = get_backend(channel)
    known = backend.already_sent([_idempotency_key(alert, r[0], channel) for r in rows]) or set()
    done = [r[0] for r in rows if _idempotency_key(alert, r[0], channel) in known]
    _mark(alert, channel, claim_token, done, D.SENT, now)
    rest = [r for r in rows if _idempotency_key(alert, r[0], channel) not in known]
    if _alert_still_sending(alert):
        send_claimed(alert, channel, rest, claim_token, messages)
    else:
        _mark(alert, channel, claim_token, [r[0] for r in rest], D.CANCELLED, now)
    logger.warning("alert %s: recovered %d abandoned %s deliveries", alert.pk, len(rows), channel)
    return len(rows)


def deliver_channel(alert, chunk, channel, messages, claimed=None, claim_token=None, fresh=False) -> int:
    """Finish the chunk on ``channel``: abandoned claims, the rows this run inserted under
    ``claim_token`` (``claimed``), due retries. Returns how many were marked sent.

    ``fresh``: this run inserted every row of the chunk, so there is nothing abandoned or
    queued to look for."""
    first, last = chunk.first_user_id, chunk.last_user_id
    if not fresh:
        recover_abandoned(alert, channel, first, last, messages)
    sent = send_claimed(alert, channel, claimed or [], claim_token, messages)
    if not fresh:
        token = new_claim_token()
        sent += send_claimed(alert, channel, _claim_due(alert, channel, first, last, token), token, messages)
    return sent


def recount(chunks) -> None:
    """Store each chunk's delivery counts and when it next has work (see AlertChunk)."""
    t = _tables()
    now = timezone.now()
    for chunk in chunks:
        counts: dict = {}
        due = []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT channel, status, COUNT(*), MIN(next_attempt_at), MIN(claimed_at) FROM {t['delivery']}"  # noqa: S608
                " WHERE alert_id = %s AND user_id >= %s AND user_id <= %s GROUP BY channel, status",
                [chunk.alert_id, chunk.first_user_id, chunk.last_user_id],
            )
            for channel, status, n, next_attempt, claimed in cursor.fetchall():
                counts.setdefault(channel, {})[status] = n
                if status == D.QUEUED:
                    due.append(_aware(next_attempt) or now)
                elif status == D.SENDING:
                    due.append((_aware(claimed) or now) + lease())
        AlertChunk.objects.filter(pk=chunk.pk).update(counts=counts, retry_at=min(due) if due else None)


def _aware(value):
    """SQLite returns aggregates of datetimes as text."""
    if value is None or not isinstance(value, str):
        return value
    from django.utils.dateparse import parse_datetime

    parsed = parse_datetime(value)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


def run_chunk(chunk_id: int) -> int:
    """Do one chunk: insert its rows, send them, mark it done. Safe to run twice, or after a kill."""
    chunk = AlertChunk.objects.select_related("alert").filter(pk=chunk_id).first()
    if chunk is None:
        return 0
    alert = chunk.alert
    if alert.status != S.SENDING:
        if alert.status == S.CANCELLED:
            _finish_abandoned(alert, chunk)
        AlertChunk.objects.filter(pk=chunk.pk, done_at__isnull=True).update(done_at=timezone.now())
        recount([chunk])
        return 0
    AlertChunk.objects.filter(pk=chunk.pk).update(started_at=timezone.now())
    claim_token = new_claim_token()
    inserted = insert_rows(alert, chunk, claim_token)
    messages = alert_messages(alert, {t.language: t for t in alert.texts.all()})
    sent, clean = 0, inserted.fresh
    for channel in _outside(alert):
        claimed = inserted.claimed.get(channel, [])
        n = deliver_channel(alert, chunk, channel, messages, claimed, claim_token, fresh=inserted.fresh)
        sent += n
        clean = clean and n == len(claimed)
    if clean:
        # This run wrote every row of the chunk and sent all of them: the counts are known.
        counts = {channel: {D.SENT: n} for channel, n in inserted.counts.items() if n}
        AlertChunk.objects.filter(pk=chunk.pk).update(counts=counts, retry_at=None, done_at=timezone.now())
    else:
        AlertChunk.objects.filter(pk=chunk.pk, done_at__isnull=True).update(done_at=timezone.now())
        recount([chunk])
    finish_if_done(alert.pk)
    live.alert_progress_changed(alert.pk, now=True)
    return sent


def _finish_abandoned(alert, chunk):
    messages = alert_messages(alert, {t.language: t for t in alert.texts.all()})
    for channel in _outside(alert):
        recover_abandoned(alert, channel, chunk.first_user_id, chunk.last_user_id, messages)


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


def finish_if_done(alert_id: int, *, split: bool = False) -> bool:
    """sending -> sent once every chunk is done (retries of failed rows continue in the sweep).

    An alert without chunks is finished only by ``start()`` having split it (``split``: nobody
    was targeted); otherwise its fan-out has not run yet and the sweep queues it again."""
    if AlertChunk.objects.filter(alert_id=alert_id, done_at__isnull=True).exists():
        return False
    if not split and not AlertChunk.objects.filter(alert_id=alert_id).exists():
        return False
    finished = EmergencyAlert.objects.filter(pk=alert_id, status=S.SENDING).update(
        status=S.SENT, sent_at=timezone.now()
    )
    if finished:
        AlertEvent.objects.create(alert_id=alert_id, from_status=S.SENDING, to_status=S.SENT)
        live.alerts_changed(now=True)  # the in-app deliveries are in the inboxes: bells count them now
    return bool(finished)


def stale_chunk_ids(now=None) -> list[int]:
    """Chunks of alerts still sending whose task seems lost: queued a minute ago and never
    started (the broker lost the message: nothing was claimed, so queueing it again is safe at
    once), or started longer ago than a claim's lease (the worker died)."""
    now = now or timezone.now()
    return list(
        AlertChunk.objects.filter(alert__status=S.SENDING, done_at__isnull=True)
        .filter(Q(started_at__isnull=True, queued_at__lt=now - UNSTARTED_GRACE) | Q(started_at__lt=now - lease()))
        .values_list("pk", flat=True)
    )


# An approved alert whose fan-out task has not split it into chunks after this long lost its
# task (a broker restarted without persistence, a message dropped): the sweep queues it again.
UNSTARTED_GRACE = timedelta(seconds=60)


def unstarted_alert_ids(now=None) -> list[int]:
    """Alerts being sent that have no chunks yet, a minute after they started sending."""
    now = now or timezone.now()
    return list(
        EmergencyAlert.objects.filter(status=S.SENDING, sending_started_at__lt=now - UNSTARTED_GRACE)
        .filter(chunks__isnull=True)
        .values_list("pk", flat=True)
    )


def chunks_with_due_retries(now=None) -> list[int]:
    """Chunks with work due: rows whose back-off has passed, or claims whose lease ran out
    (``AlertChunk.retry_at``, kept by recount: the sweep reads chunks, not deliveries).
    Cancelled alerts are included so that claims a dead task left are settled."""
    now = now or timezone.now()
    return list(
        AlertChunk.objects.filter(
            retry_at__lte=now, alert__status__in=[S.SENDING, S.SENT, S.CANCELLED], alert__expires__gt=now
        ).values_list("pk", flat=True)
    )


def retry_chunk(chunk_id: int) -> int:
    """Send a chunk's due retries (also after the alert is marked sent, until it expires) and
    settle abandoned claims; a cancelled alert's abandoned claims end sent or cancelled."""
    chunk = AlertChunk.objects.select_related("alert").filter(pk=chunk_id).first()
    if chunk is None or chunk.alert.status not in (S.SENDING, S.SENT, S.CANCELLED):
        return 0
    alert = chunk.alert
    sent = 0
    if alert.status == S.CANCELLED:
        _finish_abandoned(alert, chunk)
    else:
        messages = alert_messages(alert, {t.language: t for t in alert.texts.all()})
        for channel in _outside(alert):
            sent += deliver_channel(alert, chunk, channel, messages)
    recount([chunk])
    return sent


def progress(alert) -> dict:
    """Targeted, delivered, failed per channel, and time so far.

    The figures are the sums of the chunks' counters (a chunk counts once it is done), not a
    COUNT over the deliveries, which a city-wide alert has two million of; an alert without
    chunks (nobody targeted, or demo data) is counted directly."""
    counts: dict = {}
    chunk_rows = list(alert.chunks.values_list("counts", "done_at"))
    if chunk_rows:
        for by_channel, _done_at in chunk_rows:
            for channel, by_status in by_channel.items():
                for status, n in by_status.items():
                    c = counts.setdefault(channel, {s: 0 for s in D.values})
                    c[status] = c.get(status, 0) + n
    else:
        for channel, status, n in _grouped(alert):
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
    chunks = len(chunk_rows)
    chunks_done = sum(1 for _counts, done_at in chunk_rows if done_at)
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
