"""What 120 Dasan reads: statistics of every contact (none omitted, none counted twice).

A contact belongs to the Seoul day and hour of its ``started_at``. Each dimension (hour,
channel, language, topic, outcome) partitions the day's contacts: every contact has exactly
one key per dimension (an empty key for "no topic" / "still open"), so each dimension sums
to the total. Finished days are read from ``DailySummary``; days without a summary (today,
or a day the beat task has not reached) are computed from the raw rows."""

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractHour
from django.utils import timezone
from django.utils.translation import gettext

from callcenter.models import Contact, DailySummary, Topic
from civicportal.audit.services import Read, record_personal_data_reads

SEOUL = ZoneInfo("Asia/Seoul")
D = DailySummary.Dimension
DIMENSION_FIELDS = {
    D.CHANNEL: "channel",
    D.LANGUAGE: "language",
    D.TOPIC: "topic_id",
    D.OUTCOME: "outcome",
}
MEASURES = (
    "contacts",
    "timed_contacts",
    "handled_seconds",
    "answered_on_spot",
    "satisfaction_sum",
    "satisfaction_count",
)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=SEOUL)
    return start, start + dt.timedelta(days=1)


def _aggregates():
    return {
        "contacts": Count("id"),
        "timed_contacts": Count("duration_seconds"),
        "handled_seconds": Sum("duration_seconds"),
        "answered_on_spot": Count("id", filter=Q(outcome=Contact.Outcome.ANSWERED)),
        "satisfaction_sum": Sum("satisfaction"),
        "satisfaction_count": Count("satisfaction"),
    }


def _row(day, dimension, key, values):
    return {"day": day, "dimension": dimension, "key": "" if key is None else str(key)} | {
        m: int(values.get(m) or 0) for m in MEASURES
    }


def compute_day_rows(day: dt.date) -> list[dict]:
    """The summary rows of one Seoul day, straight from the contacts."""
    start, end = day_bounds(day)
    qs = Contact.objects.filter(started_at__gte=start, started_at__lt=end).order_by()
    rows = [_row(day, D.TOTAL, "", qs.aggregate(**_aggregates()))]
    hours = qs.annotate(hour=ExtractHour("started_at", tzinfo=SEOUL)).values("hour").annotate(**_aggregates())
    rows += [_row(day, D.HOUR, f"{v['hour']:02d}", v) for v in hours]
    for dimension, field in DIMENSION_FIELDS.items():
        grouped = qs.values(key=F(field)).annotate(**_aggregates())
        rows += [_row(day, dimension, v["key"], v) for v in grouped]
    return rows


def daily_summary_recompute(day: dt.date) -> int:
    """Replace the summary rows of ``day``: running it twice gives the same rows. Returns the count."""
    rows = compute_day_rows(day)
    now = timezone.now()
    with transaction.atomic():
        DailySummary.objects.filter(day=day).delete()
        DailySummary.objects.bulk_create([DailySummary(computed_at=now, **row) for row in rows])
    return len(rows)


def _rows_for(date_from: dt.date, date_to: dt.date, use_summaries=True) -> list[dict]:
    today = timezone.localdate()
    days = [date_from + dt.timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    rows, summarised = [], set()
    if use_summaries:
        stored = DailySummary.objects.filter(day__gte=date_from, day__lte=date_to, day__lt=today).values(
            "day", "dimension", "key", *MEASURES
        )
        for row in stored:
            rows.append(row)
            summarised.add(row["day"])
    for day in days:
        if day not in summarised:
            rows += compute_day_rows(day)
    return rows


def statistics(date_from: dt.date, date_to: dt.date, *, use_summaries=True) -> dict:
    """Every number of the statistics page and API for the Seoul days ``date_from``..``date_to``."""
    if date_to < date_from:
        date_from, date_to = date_to, date_from
    rows = _rows_for(date_from, date_to, use_summaries)
    totals = dict.fromkeys(MEASURES, 0)
    by = {dim: defaultdict(int) for dim in (D.HOUR, D.CHANNEL, D.LANGUAGE, D.TOPIC, D.OUTCOME)}
    by_day = defaultdict(int)
    for row in rows:
        if row["dimension"] == D.TOTAL:
            for m in MEASURES:
                totals[m] += row[m]
            by_day[row["day"]] += row["contacts"]
        else:
            by[row["dimension"]][row["key"]] += row["contacts"]
    topic_names = {str(t.pk): t.path for t in Topic.objects.filter(pk__in=[k for k in by[D.TOPIC] if k])}
    n = totals["contacts"]
    days = [date_from + dt.timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    return {
        "date_from": date_from,
        "date_to": date_to,
        "contacts": n,
        "avg_handling_seconds": round(totals["handled_seconds"] / totals["timed_contacts"], 1)
        if totals["timed_contacts"]
        else None,
        "answered_on_spot": totals["answered_on_spot"],
        "answered_on_spot_share": round(totals["answered_on_spot"] / n, 4) if n else None,
        "satisfaction_average": round(totals["satisfaction_sum"] / totals["satisfaction_count"], 2)
        if totals["satisfaction_count"]
        else None,
        "satisfaction_count": totals["satisfaction_count"],
        "foreign_language": sum(v for k, v in by[D.LANGUAGE].items() if k != Contact.Language.KOREAN),
        "sign_language": by[D.CHANNEL].get(Contact.Channel.SIGN_LANGUAGE, 0),
        "by_day": [{"key": d.isoformat(), "label": d.isoformat(), "contacts": by_day.get(d, 0)} for d in days],
        "by_hour": [
            {"key": f"{h:02d}", "label": f"{h:02d}", "contacts": by[D.HOUR].get(f"{h:02d}", 0)} for h in range(24)
        ],
        "by_channel": _labelled(by[D.CHANNEL], dict(Contact.Channel.choices)),
        "by_language": _labelled(by[D.LANGUAGE], dict(Contact.Language.choices)),
        "by_topic": _labelled(by[D.TOPIC], topic_names, empty_label=gettext("(no topic)")),
        "by_outcome": _labelled(by[D.OUTCOME], dict(Contact.Outcome.choices), empty_label=gettext("(still open)")),
    }


def _labelled(counts, labels, empty_label=""):
    out = []
    for key, label in labels.items():
        if key in counts:
            out.append({"key": key, "label": str(label), "contacts": counts[key]})
    for key, value in sorted(counts.items()):
        if key not in labels:
            out.append({"key": key, "label": empty_label if key == "" else key, "contacts": value})
    return out


def find_callers(phone_e164: str):
    """Citizens whose profile has this phone number, and this number's recent contacts."""
    from civicportal.accounts.models import User

    if not phone_e164:
        return [], []
    users = list(User.objects.filter(profile__mobile=phone_e164).select_related("profile")[:5])
    recent = list(
        Contact.objects.filter(caller_phone=phone_e164)
        .select_related("topic", "counsellor")
        .order_by("-started_at")[:5]
    )
    return users, recent


def contact_reads_record(*, contacts, by, what, request=None) -> int:
    """Log that ``by`` saw the caller's name or phone on ``contacts`` (``what``: the door).
    The caller reading their own contact is not logged; a contact with neither an account
    nor a phone holds no one's personal data. One INSERT for any number of contacts."""
    reads = [
        Read(contact.caller_id, contact, f"contact {contact.pk}: {what}")
        for contact in contacts
        if contact.caller_id is not None or contact.caller_phone
    ]
    return record_personal_data_reads(actor=by, reads=reads, request=request)


def caller_lookup_record(*, users, by, request=None) -> int:
    """Log a counsellor's search by phone that found these citizens (one INSERT)."""
    reads = [Read(user, user, "caller lookup by phone: name") for user in users]
    return record_personal_data_reads(actor=by, reads=reads, request=request)
