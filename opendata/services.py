"""Open data: rebuilding the published tables from the programs' rows.

``dataset_refresh`` is the one door (the beat task, the admin action and the management of
tests call it). Each rebuild runs in one transaction: readers see the previous rows until it
commits, never a half-built table."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from civicportal.errors import NotFound
from opendata import anonymise
from opendata.datasets import SPECS
from opendata.models import Dataset, OpenCase, OpenContactDay, OpenPollResult, OpenProposal

BATCH = 5000
COPY_BATCH = 20_000
SMALL_CELL = 5  # as the poll breakdowns (polls.services.SMALL_CELL)
HUNDRED_METRES = Decimal("0.001")  # 0.001° is 111 m of latitude, 88 m of longitude in Seoul


def _local_date(moment):
    """The Seoul day (TIME_ZONE) of a moment."""
    return moment.astimezone(timezone.get_default_timezone()).date() if moment else None


def _rounded(value):
    return None if value is None else Decimal(value).quantize(HUNDRED_METRES, rounding=ROUND_HALF_UP)


def _bulk_insert(model, rows):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)


def _insert_tuples(model, columns, rows):
    """Insert tuples (in ``columns`` order): COPY on PostgreSQL (about six times the rows per
    second of bulk_create), bulk_create elsewhere.

    ``rows`` may be read from a server-side cursor of the same connection, which cannot fetch
    while a COPY is open: the rows go in batches, one COPY each."""
    if connection.vendor != "postgresql":
        _bulk_insert(model, (model(**dict(zip(columns, row, strict=True))) for row in rows))
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    batch = []

    def flush():
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in batch:
                copy.write_row(row)
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= COPY_BATCH:
            flush()
    if batch:
        flush()
    with connection.cursor() as cursor:
        # Fresh statistics: the coarsening passes join the table to itself, and a planner that
        # still believes it empty picks nested loops (90 s instead of 1 s at 100,000 rows).
        cursor.execute(f"ANALYZE {table}")


# --- cases ------------------------------------------------------------------------------
def _case_rows():
    from complaints.models import Case, CaseEvent, Rating

    closed = CaseEvent.objects.filter(case=OuterRef("pk"), kind=CaseEvent.Kind.CLOSED).order_by("-at").values("at")
    rating = Rating.objects.filter(case=OuterRef("pk")).order_by("-answer_round").values("score")
    columns = (
        "tracking_number",
        "kind",
        "category__code",
        "category__name_ko",
        "category__name_en",
        "channel",
        "district__code",
        "district__name_ko",
        "district__name_en",
        "dong",
        "department__code",
        "department__name_ko",
        "department__name_en",
        "status",
        "filed_at",
        "answered_at",
        "closed_at",
        "score",
        "lat",
        "lon",
        "text_is_public",
        "title",
        "text",
    )
    cases = (
        Case.objects.public()
        .annotate(closed_at=Subquery(closed[:1]), score=Subquery(rating[:1]))
        .order_by("pk")
        .values_list(*columns)
    )
    for (
        number,
        kind,
        category,
        category_ko,
        category_en,
        channel,
        district,
        district_ko,
        district_en,
        dong,
        department,
        department_ko,
        department_en,
        status,
        filed_at,
        answered_at,
        closed_at,
        score,
        lat,
        lon,
        text_is_public,
        title,
        text,
    ) in cases.iterator(chunk_size=BATCH):
        filed = _local_date(filed_at)
        hours = None
        if answered_at and answered_at >= filed_at:
            hours = int((answered_at - filed_at).total_seconds() // 3600)
        # In CASE_COLUMNS order. Case.objects.public() has left out the reports, never public.
        yield (
            number,
            kind,
            category or "",
            category_ko or "",
            category_en or "",
            channel,
            district or "",
            district_ko or "",
            district_en or "",
            dong,
            department or "",
            department_ko or "",
            department_en or "",
            status,
            filed,
            filed - dt.timedelta(days=filed.weekday()),
            _local_date(answered_at),
            _local_date(closed_at),
            hours,
            score,
            _rounded(lat),
            _rounded(lon),
            title if text_is_public else "",
            text if text_is_public else "",
            "",  # precision: undecided until anonymise.coarsen()
        )


CASE_COLUMNS = (
    "tracking_number",
    "kind",
    "category",
    "category_name_ko",
    "category_name_en",
    "channel",
    "district",
    "district_name_ko",
    "district_name_en",
    "dong",
    "department",
    "department_name_ko",
    "department_name_en",
    "status",
    "filed_date",
    "filed_week",
    "answered_date",
    "closed_date",
    "processing_hours",
    "rating",
    "lat",
    "lon",
    "title",
    "text",
    "precision",
)


def _refresh_cases() -> dict:
    OpenCase.objects.all().delete()
    _insert_tuples(OpenCase, CASE_COLUMNS, _case_rows())
    counts = anonymise.coarsen()
    published = sum(counts[p.value] for p, _fields in anonymise.PASSES)
    coarsened = published - counts[OpenCase.Precision.DONG_DAY.value]
    return {"rows": published, "coarsened": coarsened, "withheld": counts["withheld"]}


# --- 120 contacts -----------------------------------------------------------------------
def _refresh_contacts() -> dict:
    from django.db.models.functions import TruncDate

    from callcenter.models import Contact

    OpenContactDay.objects.all().delete()
    groups = (
        Contact.objects.annotate(day=TruncDate("started_at", tzinfo=timezone.get_default_timezone()))
        .values_list("day", "channel", "language", "topic__code", "topic__name_ko", "topic__name_en")
        .annotate(n=Count("pk"))
        .order_by("day", "channel", "language", "topic__code")
    )
    rows = (
        OpenContactDay(
            day=day,
            channel=channel,
            language=language,
            topic=topic or "",
            topic_name_ko=topic_ko or "",
            topic_name_en=topic_en or "",
            contacts=n,
        )
        for day, channel, language, topic, topic_ko, topic_en, n in groups.iterator(chunk_size=BATCH)
    )
    _bulk_insert(OpenContactDay, rows)
    return {"rows": OpenContactDay.objects.count(), "coarsened": 0, "withheld": 0}


# --- poll results -----------------------------------------------------------------------
def public_polls():
    """Closed polls anyone could find and whose results anyone may read."""
    from polls.models import Poll

    return (
        Poll.objects.closed()
        .listed()
        .filter(employees_only=False, members_only=False)
        .with_totals()
        .select_related("department")
        .order_by("pk")
    )


def _poll_result_rows():
    from civicportal.accounts.models import District
    from polls.models import Ballot, BallotChoice, PollOption

    district_names = dict(District.objects.values_list("code", "name_ko"))
    for poll in public_polls().iterator(chunk_size=200):
        base = {
            "poll": poll.pk,
            "question": poll.question,
            "department": poll.department.code if poll.department_id else "",
            "department_name_ko": poll.department.name_ko if poll.department_id else "",
            "opens_date": _local_date(poll.opens_at),
            "closes_date": _local_date(poll.closes_at),
        }
        total = poll.ballot_count or 0
        options = list(PollOption.objects.filter(poll=poll).with_votes().order_by("position", "pk"))
        for option in options:
            yield OpenPollResult(
                **base,
                option=option.text,
                option_position=option.position,
                votes=option.vote_count,
                ballots=total,
                percent=round(Decimal(100 * option.vote_count) / total, 1) if total else None,
            )
        # Per district of the voters. A district is shown whole or not at all (one hidden
        # option could be read off its ballots); ballots without a district are never shown;
        # and when only one group would be hidden, the next smallest is hidden with it, or
        # the hidden one could be read off the poll's totals.
        ballots = {
            row["district__code"] or "": row["n"]
            for row in Ballot.objects.filter(poll=poll).values("district__code").annotate(n=Count("pk")).order_by()
        }
        votes = {}
        for row in (
            BallotChoice.objects.filter(ballot__poll=poll)
            .values("option_id", "ballot__district__code")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            votes.setdefault(row["option_id"], {})[row["ballot__district__code"] or ""] = row["n"]
        hidden = {code for code, n in ballots.items() if not code or n < SMALL_CELL}
        for option in options:
            hidden.update(code for code in ballots if votes.get(option.pk, {}).get(code, 0) < SMALL_CELL)
        if len(hidden) == 1:
            rest = sorted((n, code) for code, n in ballots.items() if code not in hidden)
            if rest:
                hidden.add(rest[0][1])
        for code in sorted(c for c in ballots if c):
            shown_ballots = None if code in hidden else ballots[code]
            for option in options:
                n = None if code in hidden else votes.get(option.pk, {}).get(code, 0)
                yield OpenPollResult(
                    **base,
                    option=option.text,
                    option_position=option.position,
                    district=code,
                    district_name_ko=district_names.get(code, ""),
                    votes=n,
                    ballots=shown_ballots,
                    percent=round(Decimal(100 * n) / shown_ballots, 1) if n is not None and shown_ballots else None,
                )


def _refresh_polls() -> dict:
    OpenPollResult.objects.all().delete()
    _bulk_insert(OpenPollResult, _poll_result_rows())
    hidden = OpenPollResult.objects.filter(votes__isnull=True).count()
    return {"rows": OpenPollResult.objects.count(), "coarsened": hidden, "withheld": 0}


# --- proposals --------------------------------------------------------------------------
def _refresh_proposals() -> dict:
    from proposals.models import Proposal

    OpenProposal.objects.all().delete()
    proposals = (
        Proposal.objects.public().select_related("themed_call", "district", "department", "decision").order_by("pk")
    )
    rows = []
    for proposal in proposals.iterator(chunk_size=BATCH):
        decision = getattr(proposal, "decision", None)
        rows.append(
            OpenProposal(
                proposal=proposal.pk,
                title=proposal.title,
                status=proposal.status,
                themed_call=proposal.themed_call.title if proposal.themed_call_id else "",
                district=proposal.district.code if proposal.district_id else "",
                district_name_ko=proposal.district.name_ko if proposal.district_id else "",
                department=proposal.department.code if proposal.department_id else "",
                department_name_ko=proposal.department.name_ko if proposal.department_id else "",
                submitted_date=_local_date(proposal.submitted_at),
                votes=proposal.vote_count,
                outcome=decision.outcome if decision else "",
                decided_date=_local_date(decision.decided_at) if decision else None,
                required_budget=decision.required_budget if decision else None,
                decision_summary=decision.summary if decision else "",
            )
        )
    _bulk_insert(OpenProposal, rows)
    return {"rows": len(rows), "coarsened": 0, "withheld": 0}


REFRESHERS = {
    "cases": _refresh_cases,
    "contacts": _refresh_contacts,
    "polls": _refresh_polls,
    "proposals": _refresh_proposals,
}


def dataset_refresh(*, slug: str) -> Dataset:
    """Rebuild one published table from the programs' rows and record when. Idempotent:
    running it twice publishes the same rows."""
    if slug not in SPECS:
        raise NotFound(_("There is no such dataset."))
    with transaction.atomic():
        # The dataset's row locks the rebuild: two refreshes of one dataset run one after the other.
        Dataset.objects.get_or_create(slug=slug)
        dataset = Dataset.objects.select_for_update().get(slug=slug)
        counts = REFRESHERS[slug]()
        dataset.refreshed_at = timezone.now()
        dataset.row_count = counts["rows"]
        dataset.coarsened_count = counts["coarsened"]
        dataset.withheld_count = counts["withheld"]
        dataset.save()
    return dataset


def datasets_refresh_all() -> list:
    return [dataset_refresh(slug=slug) for slug in SPECS]
