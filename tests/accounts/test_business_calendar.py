"""The business calendar on real 2026 Korean dates."""

from datetime import date, datetime

import pytest

from civicportal.accounts import business_calendar as bc
from civicportal.accounts.models import ClosureDay

SEOUL = bc.SEOUL
pytestmark = pytest.mark.django_db


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 2, 16), False),  # Seollal eve (Mon)
        (date(2026, 2, 17), False),  # Seollal (Tue)
        (date(2026, 2, 18), False),  # day after Seollal (Wed)
        (date(2026, 2, 19), True),  # Thursday after Seollal
        (date(2026, 9, 24), False),  # Chuseok eve (Thu)
        (date(2026, 9, 25), False),  # Chuseok (Fri)
        (date(2026, 9, 26), False),  # day after Chuseok (Sat)
        (date(2026, 9, 28), True),  # Monday after Chuseok
        (date(2026, 3, 1), False),  # Independence Movement Day (Sun)
        (date(2026, 3, 2), False),  # its substitute holiday (Mon)
        (date(2026, 3, 3), True),
        (date(2026, 11, 27), True),  # an ordinary Friday
        (date(2026, 11, 28), False),  # Saturday
    ],
)
def test_business_days_of_2026(day, expected):
    assert bc.is_business_day(day) is expected


def test_simple_case_before_cutoff_on_friday_is_due_the_same_day():
    assert bc.deadline(at(2026, 11, 27, 17, 59), 1) == bc.end_of_day(date(2026, 11, 27))


def test_simple_case_after_cutoff_on_friday_is_due_next_monday():
    assert bc.deadline(at(2026, 11, 27, 18, 1), 1) == bc.end_of_day(date(2026, 11, 30))


def test_simple_case_at_exactly_the_cutoff_counts_as_after():
    assert bc.deadline(at(2026, 11, 27, 18, 0), 1) == bc.end_of_day(date(2026, 11, 30))


def test_simple_case_on_chuseok_eve_is_due_after_the_holidays():
    assert bc.deadline(at(2026, 9, 24, 9, 0), 1) == bc.end_of_day(date(2026, 9, 28))


def test_simple_case_before_seollal_holidays_friday_evening():
    # Fri 13 Feb 2026 19:00 -> the weekend and Seollal (16-18 Feb) are skipped.
    assert bc.deadline(at(2026, 2, 13, 19, 0), 1) == bc.end_of_day(date(2026, 2, 19))


def test_seven_business_days_skip_the_substitute_holiday():
    # Filed Thu 26 Feb 2026: 26, 27, 3, 4, 5, 6, 9 Mar (Sun 1 Mar and substitute Mon 2 Mar skipped).
    assert bc.deadline(at(2026, 2, 26, 9, 0), 7) == bc.end_of_day(date(2026, 3, 9))


def test_deadline_from_a_utc_time_uses_seoul_local_time():
    from datetime import UTC

    # 08:30 UTC is 17:30 in Seoul: before the cut-off.
    assert bc.deadline(datetime(2026, 11, 27, 8, 30, tzinfo=UTC), 1) == bc.end_of_day(date(2026, 11, 27))
    # 09:30 UTC is 18:30 in Seoul: after it.
    assert bc.deadline(datetime(2026, 11, 27, 9, 30, tzinfo=UTC), 1) == bc.end_of_day(date(2026, 11, 30))


def test_closure_day_added_by_an_administrator_closes_the_day():
    ClosureDay.objects.create(date=date(2026, 11, 27), name="임시공휴일")
    bc.clear_cache()
    assert bc.is_business_day(date(2026, 11, 27)) is False
    assert bc.deadline(at(2026, 11, 27, 10, 0), 1) == bc.end_of_day(date(2026, 11, 30))


def test_correction_can_open_a_day_the_package_calls_a_holiday():
    ClosureDay.objects.create(date=date(2026, 3, 2), name="not observed", is_closed=False)
    bc.clear_cache()
    assert bc.is_business_day(date(2026, 3, 2)) is True


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        bc.deadline(datetime(2026, 11, 27, 10, 0), 1)


def test_business_days_between_counts_only_business_days():
    assert bc.business_days_between(at(2026, 9, 23), at(2026, 9, 29)) == 2  # 28, 29
