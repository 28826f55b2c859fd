"""What the open-data pages read. The dashboard reads the published tables only, so it can
never show more than the downloads do."""

from django.db.models import Avg, Count, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import get_language

from opendata.datasets import SPECS
from opendata.models import Dataset, OpenCase, OpenContactDay


def _english():
    return (get_language() or "ko").startswith("en")


def catalogue() -> list:
    """[(spec, Dataset row or None)] in catalogue order."""
    rows = {row.slug: row for row in Dataset.objects.all()}
    return [(spec, rows.get(slug)) for slug, spec in SPECS.items()]


def dataset_rows() -> dict:
    return {row.slug: row for row in Dataset.objects.all()}


def cases_by_district() -> dict:
    """{district code: {"name": ..., "count": n, "hours": average processing hours or None}}."""
    name = "district_name_en" if _english() else "district_name_ko"
    rows = (
        OpenCase.objects.exclude(district="")
        .values("district", name)
        .annotate(count=Count("pk"), hours=Avg("processing_hours"))
        .order_by("district")
    )
    return {
        row["district"]: {
            "name": row[name],
            "count": row["count"],
            "hours": round(row["hours"], 1) if row["hours"] is not None else None,
        }
        for row in rows
    }


def district_names() -> dict:
    from civicportal.accounts.models import District

    return dict(District.objects.values_list("code", "name_en" if _english() else "name_ko"))


def cases_by_month(limit=12) -> list:
    """[(first day of month, cases)] for the last ``limit`` months that have cases. Rows
    coarsened to the week count in the month of their Monday."""
    rows = (
        OpenCase.objects.annotate(month=TruncMonth(Coalesce("filed_date", "filed_week")))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("-month")[:limit]
    )
    return [(row["month"], row["n"]) for row in reversed(list(rows))]


def top_categories(limit=10) -> list:
    name = "category_name_en" if _english() else "category_name_ko"
    rows = (
        OpenCase.objects.exclude(category="")
        .values("category", name)
        .annotate(n=Count("pk"))
        .order_by("-n", "category")[:limit]
    )
    return [(row[name], row["n"]) for row in rows]


def contacts_by(dimension) -> list:
    """[(key, contacts)] by ``channel`` or ``language``, most first."""
    rows = OpenContactDay.objects.values(dimension).annotate(n=Sum("contacts")).order_by("-n", dimension)
    return [(row[dimension], row["n"]) for row in rows]
