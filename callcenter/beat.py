"""Periodic tasks of this program, merged into CELERY_BEAT_SCHEDULE by settings.

Plain data (no Django imports): {"name": {"task": "...", "schedule": seconds or crontab}}.
"""

from celery.schedules import crontab

SCHEDULE: dict = {
    # Nightly (Asia/Seoul), after the day closed: the daily summaries of the last week.
    "callcenter-daily-summaries": {
        "task": "callcenter.compute_recent_daily_summaries",
        "schedule": crontab(hour=0, minute=20),
    },
    # A counsellor's dropped conversations return to the queue once their grace period is over.
    "callcenter-chat-grace-sweep": {"task": "callcenter.chat.grace_sweep", "schedule": 15.0},
}
