"""What Oasis reads: public lists, similar proposals and the statistics table."""

import re
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from civicportal import similarity
from civicportal.nouns import nouns_list
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


# --- Similar proposals --------------------------------------------------------

# At most this many candidates are scored, the newest first: a few thousand take a few
# milliseconds (bench/similarity_speed.py).
SIMILAR_CANDIDATES = 5000
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def similar_proposals(*, title, exclude_id=None, limit=5):
    """Public proposals whose titles are alike to ``title`` (``civicportal.similarity``,
    threshold "proposals"), most alike first, each with its ``similarity`` score.

    The database picks the candidates: every public proposal whose title shares a noun with
    ``title`` (PostgreSQL through the GIN index on the title nouns, SQLite by ``icontains``);
    a proposal sharing no noun at all cannot reach the threshold. The score is worked out
    in Python, the same on both databases. Nothing personal is loaded or returned."""
    title = (title or "")[:200]
    words = sorted({w for w in (_NON_WORD.sub("", n) for n in nouns_list(title)) if w})
    if not words:
        return []
    qs = Proposal.objects.public()
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    if connection.vendor == "postgresql":
        qs = qs.extra(  # noqa: S610 - the tsquery is built from \w-only words, passed as a parameter
            where=["to_tsvector('simple', title_nouns) @@ to_tsquery('simple', %s)"], params=[" | ".join(words)]
        )
    else:
        qs = qs.filter(reduce(or_, (Q(title_nouns__icontains=w) for w in words)))
    rows = qs.order_by("-id").values_list("pk", "title", "title_nouns")[:SIMILAR_CANDIDATES]
    candidates = [similarity.Candidate(pk, text, nouns or None) for pk, text, nouns in rows]
    found = dict(similarity.most_similar(title, candidates, use="proposals", limit=limit))
    proposals = Proposal.objects.select_related("department", "author").in_bulk(found)
    ranked = [proposals[pk] for pk in found if pk in proposals]
    for proposal in ranked:
        proposal.similarity = found[proposal.pk]
    return ranked
