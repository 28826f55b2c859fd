"""The business calendar for Asia/Seoul: the one place that knows which days count.

Korean public holidays (substitute and election holidays included) come from the
``holidays`` package; administrators correct it with ClosureDay rows (a temporary
holiday the government declares, or a day the package gets wrong).

Deadlines follow the Civil Petitions rule the portal applies to every case: a period
of N business days counts the day of filing as the first day when the case arrives
on a business day before the cut-off (18:00); otherwise counting starts on the next
business day. The deadline is the end (23:59:59.999999, Asia/Seoul) of the N-th
business day. A "simple" case is the one-day case: filed before 18:00 on a business
day it is due that same day, else on the next business day.
"""

import time as time_module
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

SEOUL = ZoneInfo("Asia/Seoul")
_CACHE_KEY = "business-calendar:corrections:v1"


@lru_cache(maxsize=64)
def _korean_holidays(year):
    return holidays.country_holidays("KR", years=year)


_LOCAL_TTL = 60  # seconds a process trusts its copy before asking the shared cache again
_process_copy = {"data": None, "at": 0.0, "version": None}


def _corrections():
    """{date: is_closed} from ClosureDay.

    Kept in the process for a minute (a deadline looks at several days; asking Redis for
    each would cost a round trip per day) and in the shared cache for five; an admin
    edit bumps the shared version, which every process sees within a minute."""
    now = time_module.monotonic()
    if _process_copy["data"] is not None and now - _process_copy["at"] < _LOCAL_TTL:
        return _process_copy["data"]
    version = cache.get(_CACHE_KEY + ":version", 0)
    data = cache.get(f"{_CACHE_KEY}:{version}")
    if data is None:
        from civicportal.accounts.models import ClosureDay

        data = dict(ClosureDay.objects.values_list("date", "is_closed"))
        cache.set(f"{_CACHE_KEY}:{version}", data, 300)
    _process_copy.update(data=data, at=now, version=version)
    return data


def clear_cache():
    """Forget the corrections here and, through the shared version, in every process."""
    try:
        cache.incr(_CACHE_KEY + ":version")
    except ValueError:
        cache.set(_CACHE_KEY + ":version", 1, None)
    _process_copy.update(data=None, at=0.0, version=None)


def holiday_name(day: date):
    corrections = _corrections()
    if corrections.get(day) is True:
        from civicportal.accounts.models import ClosureDay

        return ClosureDay.objects.filter(date=day).values_list("name", flat=True).first()
    if corrections.get(day) is False:
        return None
    return _korean_holidays(day.year).get(day)


def is_business_day(day: date) -> bool:
    corrections = _corrections()
    if day in corrections:
        return not corrections[day]
    if day.weekday() >= 5:
        return False
    return day not in _korean_holidays(day.year)


def next_business_day(day: date) -> date:
    """The first business day strictly after ``day``."""
    day += timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def add_business_days(day: date, count: int) -> date:
    """The ``count``-th business day after ``day`` (0 returns ``day`` itself)."""
    for _ in range(count):
        day = next_business_day(day)
    return day


def business_days_between(start: datetime, end: datetime) -> int:
    """Business days from the date of ``start`` (exclusive) to the date of ``end`` (inclusive)."""
    d, stop, n = _local(start).date(), _local(end).date(), 0
    while d < stop:
        d += timedelta(days=1)
        if is_business_day(d):
            n += 1
    return n


def _local(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("business calendar needs an aware datetime")
    return moment.astimezone(SEOUL)


def first_counted_day(filed_at: datetime) -> date:
    """The business day on which a period starts for something received at ``filed_at``."""
    local = _local(filed_at)
    cutoff = time(settings.BUSINESS_DAY_CUTOFF_HOUR)
    if is_business_day(local.date()) and local.time() < cutoff:
        return local.date()
    return next_business_day(local.date())


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=SEOUL)


def deadline(filed_at: datetime, business_days: int = 1) -> datetime:
    """When something received at ``filed_at`` with a period of ``business_days`` is due.

    ``business_days=1`` is the same-day rule for simple cases."""
    if business_days < 1:
        raise ValueError("a period is at least one business day")
    last_day = add_business_days(first_counted_day(filed_at), business_days - 1)
    return end_of_day(last_day)
