"""Korean keyword search over a ``nouns`` column.

Korean particles defeat plain full-text (가로등이 is not 가로등) and a trigram index cannot
serve 2-syllable words (소음, 주차), so both the stored text and the query are reduced to
their nouns by kiwipiepy's morphological analyser (``civicportal.nouns``, shared with
Oasis). On PostgreSQL the nouns column has a GIN index over ``to_tsvector('simple', nouns)``
(see migration 0002) and a trigram index on the title serves partial strings; on SQLite it
falls back to ``icontains``.
"""

import re
from functools import reduce
from operator import and_, or_

from django.db import connection
from django.db.models import Q

from civicportal.nouns import nouns_list, nouns_of

__all__ = ["nouns_list", "nouns_of", "search"]

_SAFE = re.compile(r"[^\w]+", re.UNICODE)


def search(queryset, query: str, *, text_fields=("title",)):
    """Filter ``queryset`` (a model with a ``nouns`` column) by the keywords of ``query``."""
    query = (query or "").strip()[:200]
    if not query:
        return queryset
    words = [w for w in (_SAFE.sub("", n) for n in nouns_list(query)) if w]
    partial = reduce(or_, (Q(**{f"{f}__icontains": query}) for f in text_fields))
    if connection.vendor == "postgresql":
        if not words:
            return queryset.filter(partial)
        tsquery = " & ".join(words)
        ids = queryset.extra(  # noqa: S610 - the tsquery is built from \w-only words, passed as a parameter
            where=["to_tsvector('simple', nouns) @@ to_tsquery('simple', %s)"], params=[tsquery]
        ).values("pk")
        return queryset.filter(Q(pk__in=ids) | partial)
    if not words:
        return queryset.filter(partial)
    return queryset.filter(reduce(and_, (Q(nouns__icontains=w) for w in words)) | partial)
