"""Periodic tasks of open data, merged into CELERY_BEAT_SCHEDULE by settings.

Plain data (no Django imports): {"name": {"task": "...", "schedule": seconds or crontab}}.
"""

from celery.schedules import crontab

SCHEDULE: dict = {
    # Nightly (Asia/Seoul), after the call centre's daily summaries: every dataset rebuilt
    # from the programs' rows, anonymised, and its refresh time recorded.
    "opendata-refresh": {"task": "opendata.refresh_all", "schedule": crontab(hour=3, minute=10)},
}
