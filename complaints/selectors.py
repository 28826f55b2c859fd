"""What Eung-Dap-So reads: the gatekeeper, the queue, the board, the report, similar cases."""

import hmac
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDay, TruncMonth
from django.utils import timezone

from civicportal import similarity
from civicportal.accounts import permissions
from civicportal.accounts.business_calendar import SEOUL
from civicportal.audit.services import Read, record_personal_data_reads
from civicportal.errors import NotFound
from complaints.models import (
    ACCESS_CODE_LENGTH,
    OPEN_STATUSES,
    Case,
    FaqEntry,
    PublishedExample,
    Rating,
    normalise_access_code,
)
from complaints.search import nouns_list, search

CASE_RELATED = ("department", "officer", "district", "category", "citizen")


def get_case_for_user(user, tracking_number, perm="complaints.view_case") -> Case:
    """The one gatekeeper: the case if ``user`` holds ``perm`` on it, else 404 (never 403,
    so guessing tracking numbers or ids tells nothing)."""
    case = Case.objects.select_related(*CASE_RELATED).filter(tracking_number=str(tracking_number)[:12]).first()
    if case is None or not permissions.can(user, perm, case):
        raise NotFound("No such case.")
    return case


# Compared with what was typed when no case has the number, so that a missing case and a
# wrong code take the same time. No stored code can equal it (it has a lowercase letter).
_NO_CODE = "x" * ACCESS_CODE_LENGTH


def get_case_by_access_code(tracking_number, access_code) -> Case:
    """The case with this tracking number if ``access_code`` is its code, else NotFound, the
    same for a wrong code as for a missing case (same error, the same one-column query, one
    constant-time comparison either way). For anyone, signed in or not: the caller shows only what
    ``tracked_case_fields`` gives."""
    number = str(tracking_number or "").strip()[:12]
    # Only the code is read first: a found row and a missing one cost the same small query;
    # the case itself is loaded once the code matched.
    row = Case.objects.filter(tracking_number=number).values_list("pk", "access_code").first() if number else None
    pk, stored = row if row is not None else (None, "")
    matches = hmac.compare_digest(normalise_access_code(access_code).encode(), (stored or _NO_CODE).encode())
    if pk is None or not matches:
        raise NotFound("No case matches this tracking number and access code.")
    return Case.objects.select_related("department", "district", "category").get(pk=pk)


def tracked_case_fields(case) -> dict:
    """What the holder of the tracking number and access code sees: the public fields, and
    the handling department, the deadline and the answer. Never the citizen, the officer,
    the exact position, the internal notes."""
    fields = case.public_fields()
    fields.update(department=case.department, answer=case.answer if case.answered_at else "")
    return fields


def case_reads_record(*, cases, by, what, request=None) -> int:
    """Log that ``by`` saw the citizens' personal data on ``cases``; ``what`` names the
    fields and the door. Not logged: a citizen reading their own case, and a report whose
    reporter is hidden from the officer (no identity was shown). One INSERT for a page."""
    reads = [
        Read(case.citizen_id, case, f"case {case.tracking_number}: {what}")
        for case in cases
        if case.citizen_id is not None and not case.anonymous_reporter
    ]
    return record_personal_data_reads(actor=by, reads=reads, request=request)


def cases_of_citizen(user):
    return Case.objects.filter(citizen=user).select_related("department", "category").order_by("-filed_at")


QUEUE_SORTS = {
    "due": ("due_at", "pk"),
    "-due": ("-due_at", "-pk"),
    "filed": ("filed_at", "pk"),
    "-filed": ("-filed_at", "-pk"),
}


def queue_for(
    user, *, status="open", kind="", channel="", district="", overdue=False, assigned="", sort="due", now=None
):
    """An officer's department queue, filtered; a fixed number of queries whatever its size."""
    now = now or timezone.now()
    qs = Case.objects.filter(department_id__in=permissions.department_ids(user)).select_related(
        "department", "officer", "district", "category"
    )
    if status == "open" or not status:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status != "all":
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if channel:
        qs = qs.filter(channel=channel)
    if district:
        qs = qs.filter(district__code=district)
    if overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    if assigned == "me":
        qs = qs.filter(officer=user)
    elif assigned == "none":
        qs = qs.filter(officer__isnull=True)
    return qs.order_by(*QUEUE_SORTS.get(sort, QUEUE_SORTS["due"]))


def similar_open_cases(case, limit=5):
    """Open cases of the last N days near the same place (or in the same district when no
    position) whose title and text are alike (``civicportal.similarity``, threshold
    "complaints"): candidates for a duplicate link, most alike first. The database picks the
    candidates (place and time); the score is worked out in Python, on every database alike."""
    window = timezone.now() - timedelta(days=getattr(settings, "COMPLAINTS_DUPLICATE_WINDOW_DAYS", 14))
    qs = Case.objects.open().filter(filed_at__gte=window, duplicate_of__isnull=True).exclude(pk=case.pk)
    if case.lat is not None and case.lon is not None:
        box = Decimal("0.003")  # about 300 m
        qs = qs.filter(lat__range=(case.lat - box, case.lat + box), lon__range=(case.lon - box, case.lon + box))
    elif case.district_id:
        qs = qs.filter(district_id=case.district_id)
    else:
        return []
    rows = {
        other.pk: other
        for other in qs.only("pk", "tracking_number", "title", "text", "nouns", "filed_at", "status").order_by(
            "-filed_at"
        )[:_DUPLICATE_CANDIDATES]
    }
    candidates = [similarity.Candidate(pk, _similarity_text(other), other.nouns or None) for pk, other in rows.items()]
    found = similarity.most_similar(
        _similarity_text(case), candidates, use="complaints", limit=limit, nouns=case.nouns or None
    )
    for pk, value in found:
        rows[pk].similarity = value
    return [rows[pk] for pk, _value in found]


# The most recent open cases nearby that are compared; a busy corner has a few dozen.
_DUPLICATE_CANDIDATES = 500


def _similarity_text(case) -> str:
    return f"{case.title}\n{case.text}"


def public_examples(query=""):
    return search(PublishedExample.objects.filter(is_published=True).select_related("category"), query)


def faq_entries(query=""):
    return search(
        FaqEntry.objects.filter(is_published=True).select_related("category"), query, text_fields=("question",)
    )


def query_words(query):
    return nouns_list(query)


# --- monitoring board and report -------------------------------------------------------------


def _duration_avg(qs):
    value = qs.aggregate(avg=Avg(ExpressionWrapper(F("answered_at") - F("filed_at"), output_field=DurationField())))[
        "avg"
    ]
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value
    return timedelta(microseconds=float(value))


def start_of_today(now=None):
    local = timezone.localtime(now or timezone.now(), SEOUL)
    return datetime.combine(local.date(), time.min, tzinfo=SEOUL)


def board_cases(*, period="", department="", district="", kind="", channel="", overdue=False, now=None):
    """The cases a figure of the monitoring board counts, with the same rule as the figure:
    ``period="today"`` for the day's filings (by kind or channel), otherwise the open cases
    (of a department or district; ``overdue`` past their deadline)."""
    now = now or timezone.now()
    qs = Case.objects.select_related("department", "district", "category")
    if period == "today":
        qs = qs.filter(filed_at__gte=start_of_today(now))
    else:
        qs = qs.filter(status__in=OPEN_STATUSES)
        if overdue:
            qs = qs.filter(due_at__lt=now)
    if department:
        qs = qs.filter(department__code=department)
    if district:
        qs = qs.filter(district__code=district)
    if kind:
        qs = qs.filter(kind=kind)
    if channel:
        qs = qs.filter(channel=channel)
    return qs.order_by("due_at" if period != "today" else "-filed_at", "pk")


def board(now=None) -> dict:
    now = now or timezone.now()
    today = start_of_today(now)
    todays = Case.objects.filter(filed_at__gte=today)
    month_ago = now - timedelta(days=30)
    by_department = (
        Case.objects.filter(status__in=OPEN_STATUSES)
        .values("department__code", "department__name_ko", "department__name_en")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
        .order_by("-overdue", "-open")
    )
    by_district = (
        Case.objects.filter(status__in=OPEN_STATUSES, district__isnull=False)
        .values("district__code", "district__name_ko", "district__name_en")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
        .order_by("district__code")
    )
    latest = list(
        Case.objects.select_related("department", "district", "category")
        .only(
            "tracking_number",
            "kind",
            "channel",
            "status",
            "filed_at",
            "department__name_ko",
            "department__name_en",
            "district__name_ko",
            "district__name_en",
            "category__name_ko",
            "category__name_en",
        )
        .order_by("-filed_at")[:10]
    )
    return {
        "now": now,
        "today_by_channel": list(todays.values("channel").annotate(n=Count("pk")).order_by("-n")),
        "today_by_kind": list(todays.values("kind").annotate(n=Count("pk")).order_by("-n")),
        "today_total": todays.count(),
        "by_department": list(by_department),
        "by_district": list(by_district),
        "avg_processing": _duration_avg(Case.objects.filter(answered_at__gte=month_ago)),
        "satisfaction": Rating.objects.filter(rated_at__gte=month_ago).aggregate(avg=Avg("score"), n=Count("pk")),
        "latest": latest,
    }


def report(year: int, month: int | None = None) -> dict:
    """The citizens' voice report for a year or a month."""
    start = datetime(year, month or 1, 1, tzinfo=SEOUL)
    if month:
        end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=SEOUL)
    else:
        end = datetime(year + 1, 1, 1, tzinfo=SEOUL)
    cases = Case.objects.filter(filed_at__gte=start, filed_at__lt=end)
    trunc = TruncDay if month else TruncMonth
    series = [
        {"period": row["period"], "n": row["n"]}
        for row in cases.annotate(period=trunc("filed_at", tzinfo=SEOUL))
        .values("period")
        .annotate(n=Count("pk"))
        .order_by("period")
    ]
    return {
        "start": start,
        "end": end,
        "total": cases.count(),
        "series": series,
        "by_kind": list(cases.values("kind").annotate(n=Count("pk")).order_by("-n")),
        "by_channel": list(cases.values("channel").annotate(n=Count("pk")).order_by("-n")),
        "top_categories": list(
            cases.filter(category__isnull=False)
            .values("category__code", "category__name_ko", "category__name_en")
            .annotate(n=Count("pk"))
            .order_by("-n")[:10]
        ),
        "avg_processing": _duration_avg(cases.filter(answered_at__isnull=False)),
        "satisfaction": Rating.objects.filter(case__in=cases).aggregate(avg=Avg("score"), n=Count("pk")),
    }
