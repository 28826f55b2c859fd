"""Periodic tasks of the outbox, merged into CELERY_BEAT_SCHEDULE by settings."""

SCHEDULE: dict = {"outbox-sweep": {"task": "outbox.sweep", "schedule": 60.0}}
