"""What Oasis reads: public lists and the statistics table."""

from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from proposals.models import Proposal, ThemedCall

SEOUL = ZoneInfo("Asia/Seoul")

LISTS = ("newest", "supported", "themed", "decided")


def public_list(kind: str):
    """The public proposal lists: newest, most supported, in open themed calls, decided."""
    qs = Proposal.objects.select_related("department", "themed_call", "author")
    if kind == "supported":
        return qs.most_supported()
    if kind == "themed":
        return qs.newest().filter(themed_call__in=ThemedCall.objects.open_at())
    if kind == "decided":
        return qs.decided().order_by("-decided_at", "-id")
    return qs.newest()


def yearly_statistics():
    """[{year, received, adopted, rate}] by year of submission (Seoul time), newest first.

    "Received" counts every submitted proposal; "adopted" those adopted (implementing
    or implemented included); the rate is adopted / received in percent."""
    rows = (
        Proposal.objects.public()
        .annotate(year=ExtractYear("submitted_at", tzinfo=SEOUL))
        .values("year")
        .annotate(
            received=Count("id"),
            adopted=Count("id", filter=Q(status__in=Proposal.ADOPTED_STATUSES)),
            rejected=Count("id", filter=Q(status=Proposal.Status.REJECTED)),
        )
        .order_by("-year")
    )
    result = []
    for row in rows:
        rate = round(100 * row["adopted"] / row["received"], 1) if row["received"] else 0.0
        result.append({**row, "rate": rate})
    return result


def most_supported_after(after: tuple[int, int] | None, limit: int = 20):
    """Keyset page of the most supported list: rows strictly after (vote_count, id).

    A row comparison walks the (vote_count DESC, id DESC) index from that point, so
    page 5,000 costs what page 1 costs (OFFSET reads every row before it)."""
    qs = Proposal.objects.most_supported().select_related("department", "themed_call", "author")
    if after is not None:
        qs = qs.extra(where=["(proposals_proposal.vote_count, proposals_proposal.id) < (%s, %s)"], params=list(after))
    return list(qs[:limit])
