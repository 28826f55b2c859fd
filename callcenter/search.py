"""Knowledge-base search while typing.

SQLite: ``icontains`` over question, answer and keywords. PostgreSQL: the nouns of the
query (kiwipiepy, Korean morphology, so 가로등이 finds 가로등) against a ``tsvector`` of the
articles' nouns, plus trigram ``ILIKE`` for partial words (see RECIPES.md)."""

import re

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from callcenter.models import KnowledgeArticle
from civicportal.nouns import nouns_list

# Roots (XR) too: counsellors search the knowledge base by words such as 친절 or 불편.
NOUN_TAGS = ("NNG", "NNP", "SL", "SN", "XR")


def nouns(text: str) -> list[str]:
    """Nouns (and Latin words / numbers) of ``text``, lower-cased, in order, without duplicates
    (the one shared analyser, ``civicportal.nouns``)."""
    return nouns_list(text, tags=NOUN_TAGS, max_chars=100_000)


def article_nouns(article) -> str:
    return " ".join(nouns(f"{article.question}\n{article.keywords}\n{article.answer}"))


def search_articles(query: str, *, queryset=None, limit=10):
    queryset = (queryset if queryset is not None else KnowledgeArticle.objects.published()).select_related(
        "department", "topic"
    )
    query = (query or "").strip()[:200]
    if not query:
        return list(queryset.order_by("-updated_at")[:limit])
    words = [w for w in re.split(r"\s+", query) if w]
    if connection.vendor != "postgresql":
        condition = Q()
        for word in words:
            condition &= Q(question__icontains=word) | Q(answer__icontains=word) | Q(keywords__icontains=word)
        return list(queryset.filter(condition)[:limit])
    terms = [re.sub(r"[^\w]", "", w) for w in nouns(query)]
    terms = [t for t in terms if t]
    partial = Q()
    for word in words:
        partial &= Q(question__icontains=word) | Q(keywords__icontains=word)
    if terms:
        tsquery = " & ".join(f"{t}:*" for t in terms)
        fulltext = RawSQL(
            "to_tsvector('simple', search_nouns) @@ to_tsquery('simple', %s)", (tsquery,), output_field=BooleanField()
        )
        return list(queryset.filter(Q(fulltext) | partial)[:limit])
    return list(queryset.filter(partial)[:limit])
