"""Periodic tasks of notifications, merged into CELERY_BEAT_SCHEDULE by settings."""

SCHEDULE: dict = {}
