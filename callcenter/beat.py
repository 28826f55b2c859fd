"""Periodic tasks of this program, merged into CELERY_BEAT_SCHEDULE by settings.

Plain data (no Django imports): {"name": {"task": "...", "schedule": seconds or crontab}}.
"""

SCHEDULE: dict = {}
