"""The publication rule: every combination of district, dong, category and day published at
least 5 times; rarer rows coarsened (district for dong, week for day) or withheld."""

import csv
import datetime as dt
import io
import random
from collections import Counter
from decimal import Decimal

from complaints.models import Case, Kind, Status
from opendata import services
from opendata.anonymise import MIN_CELL
from opendata.models import OpenCase

WEDNESDAY = dt.date(2026, 3, 4)


def published():
    return {row.tracking_number: row for row in OpenCase.objects.all()}


def test_a_group_of_five_is_published_with_its_dong_day_and_rounded_position(make_cases, noise):
    cases = make_cases(5, category=noise)

    dataset = services.dataset_refresh(slug="cases")

    rows = published()
    assert set(rows) == {c.tracking_number for c in cases}
    row = rows[cases[0].tracking_number]
    assert (row.precision, row.district, row.dong, row.category, row.filed_date) == (
        "dong_day",
        "11440",
        "합정동",
        "noise",
        WEDNESDAY,
    )
    assert (row.lat, row.lon) == (Decimal("37.550"), Decimal("126.914"))
    assert (dataset.row_count, dataset.coarsened_count, dataset.withheld_count) == (5, 0, 0)


def test_rare_dongs_are_merged_into_their_district_without_dong_or_position(make_cases, noise):
    three = make_cases(3, dong="합정동", category=noise)
    two = make_cases(2, dong="망원1동", category=noise)

    services.dataset_refresh(slug="cases")

    rows = published()
    assert set(rows) == {c.tracking_number for c in three + two}
    for row in rows.values():
        assert (row.precision, row.dong, row.lat, row.lon, row.filed_date) == (
            "district_day",
            "",
            None,
            None,
            WEDNESDAY,
        )


def test_rare_days_are_merged_into_their_week_without_any_date(make_cases, noise):
    monday = make_cases(2, dong="합정동", category=noise, day=dt.date(2026, 3, 2), answered_at=None)
    friday = make_cases(
        3,
        dong="서교동",
        category=noise,
        day=dt.date(2026, 3, 6),
        status=Status.ANSWERED,
        answered_at=dt.datetime(2026, 3, 6, 7, 30, tzinfo=dt.UTC),  # 16:30 in Seoul
    )

    services.dataset_refresh(slug="cases")

    rows = published()
    assert set(rows) == {c.tracking_number for c in monday + friday}
    for row in rows.values():
        assert (row.precision, row.dong, row.filed_date, row.answered_date, row.closed_date) == (
            "district_week",
            "",
            None,
            None,
            None,
        )
        assert row.filed_week == dt.date(2026, 3, 2)
    assert {rows[c.tracking_number].processing_hours for c in friday} == {6}


def test_a_case_rare_even_by_district_and_week_is_withheld(make_cases, noise, parking, client):
    make_cases(5, category=noise)
    lone = make_cases(1, district_code="11680", dong="역삼1동", category=parking)[0]

    dataset = services.dataset_refresh(slug="cases")

    assert lone.tracking_number not in published()
    assert dataset.withheld_count == 1
    body = b"".join(client.get("/opendata/cases.csv").streaming_content).decode("utf-8-sig")
    assert lone.tracking_number not in body
    assert "역삼" not in body


def test_reports_are_never_published_and_text_only_where_the_citizen_chose(make_cases, noise):
    public = make_cases(5, category=noise, text_is_public=True, title="가로등 고장", text="가로등이 꺼져 있어요")
    private = make_cases(5, category=noise, text_is_public=False)
    reports = make_cases(5, category=noise, kind=Kind.CORRUPTION)
    make_cases(5, category=noise, kind=Kind.HUMAN_RIGHTS)

    services.dataset_refresh(slug="cases")

    rows = published()
    assert set(rows) == {c.tracking_number for c in public + private}
    assert {(rows[c.tracking_number].title, rows[c.tracking_number].text) for c in public} == {
        ("가로등 고장", "가로등이 꺼져 있어요")
    }
    assert {(rows[c.tracking_number].title, rows[c.tracking_number].text) for c in private} == {("", "")}
    assert not any(c.tracking_number in rows for c in reports)


def test_every_published_combination_appears_at_least_five_times(make_cases, noise, parking, client):
    """Many cases scattered over districts, dongs, categories and days: whatever the mix,
    the published CSV never shows a combination fewer than 5 times, and no row keeps a
    detail (dong, day) its group could not protect."""
    rng = random.Random(16)
    places = [("11440", "합정동"), ("11440", "서교동"), ("11440", "망원1동"), ("11680", "역삼1동"), ("11110", "")]
    for _ in range(120):
        code, dong = rng.choice(places)
        make_cases(
            rng.choice([1, 1, 2, 3, 6]),
            district_code=code,
            dong=dong,
            category=rng.choice([noise, parking]),
            day=dt.date(2026, 3, 1) + dt.timedelta(days=rng.randrange(28)),
        )
    total = Case.objects.count()

    dataset = services.dataset_refresh(slug="cases")

    body = b"".join(client.get("/opendata/cases.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == dataset.row_count
    assert dataset.row_count + dataset.withheld_count == total
    assert dataset.coarsened_count > 0 and dataset.withheld_count > 0  # the mix exercises every rule
    groups = Counter((r["district"], r["dong"], r["category"], r["filed_date"] or r["filed_week"]) for r in rows)
    assert min(groups.values()) >= MIN_CELL
    for r in rows:
        assert (r["dong"] == "" and r["lat"] == "") or r["precision"] == "dong_day"
        assert r["filed_date"] == "" or r["precision"] != "district_week"


def test_a_second_refresh_publishes_the_same_rows(make_cases, noise):
    make_cases(7, category=noise)
    services.dataset_refresh(slug="cases")
    first = sorted(OpenCase.objects.values_list("tracking_number", "precision"))

    services.dataset_refresh(slug="cases")

    assert sorted(OpenCase.objects.values_list("tracking_number", "precision")) == first
