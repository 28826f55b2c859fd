import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from complaints.models import Case, Channel, Kind, Status
from tests.complaints.factories import CategoryFactory
from tests.factories import district

SEOUL = ZoneInfo("Asia/Seoul")
_numbers = itertools.count(1)


def seoul(day, hour=10):
    """A moment on a Seoul day (a ``date``)."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SEOUL)


@pytest.fixture
def noise(db):
    return CategoryFactory(code="noise", name_ko="소음", name_en="Noise")


@pytest.fixture
def parking(db):
    return CategoryFactory(code="parking", name_ko="주차", name_en="Parking")


@pytest.fixture
def make_cases(department):
    """make_cases(n, district="11440", dong="합정동", category=..., day=date, **fields) -> [Case]."""

    def make(n, *, district_code="11440", dong="합정동", category=None, day=dt.date(2026, 3, 4), hour=10, **fields):
        rows = []
        for i in range(n):
            filed = seoul(day, hour) + dt.timedelta(minutes=i)
            values = {
                "tracking_number": f"2026-{next(_numbers):07d}",
                "kind": Kind.COMPLAINT,
                "channel": Channel.WEB,
                "status": Status.RECEIVED,
                "title": "비공개 제목",
                "text": "비공개 내용: 김시민 010-1234-5678",
                "department": department,
                "district": district(district_code) if district_code else None,
                "dong": dong,
                "category": category,
                "lat": Decimal("37.549612"),
                "lon": Decimal("126.913843"),
                "filed_at": filed,
                "clock_started_at": filed,
                "due_at": filed + dt.timedelta(days=7),
                "warn_at": filed + dt.timedelta(days=6),
            }
            values.update(fields)
            rows.append(Case(**values))
        return Case.objects.bulk_create(rows)

    return make
