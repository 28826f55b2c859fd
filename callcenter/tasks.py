"""Thin Celery tasks of 120 Dasan; safe to run twice."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from callcenter import selectors

# Satisfaction answers arrive after the day ends: the nightly run refreshes the last week.
DAYS_BACK = 7


@shared_task(name="callcenter.compute_daily_summary")
def compute_daily_summary(day: str | None = None) -> int:
    """Recompute one Seoul day (ISO date; default yesterday). Idempotent."""
    target = dt.date.fromisoformat(day) if day else timezone.localdate() - dt.timedelta(days=1)
    return selectors.daily_summary_recompute(target)


@shared_task(name="callcenter.compute_recent_daily_summaries")
def compute_recent_daily_summaries(days_back: int = DAYS_BACK) -> int:
    today = timezone.localdate()
    return sum(selectors.daily_summary_recompute(today - dt.timedelta(days=i)) for i in range(1, days_back + 1))
