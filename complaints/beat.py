"""Periodic tasks of this program, merged into CELERY_BEAT_SCHEDULE by settings.

Plain data (no Django imports): {"name": {"task": "...", "schedule": seconds or crontab}}.
"""

SCHEDULE: dict = {
    # The SLA sweep is the source of truth for warnings and escalations; every minute.
    "complaints-sla-sweep": {"task": "complaints.tasks.sla_sweep", "schedule": 60.0},
    # Filings whose after-work (noun index, acknowledgement) was lost with its message.
    "complaints-after-filing-sweep": {"task": "complaints.tasks.after_filing_sweep", "schedule": 60.0},
}
