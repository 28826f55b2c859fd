"""Periodic tasks of this program, merged into CELERY_BEAT_SCHEDULE by settings.

Plain data (no Django imports): {"name": {"task": "...", "schedule": seconds or crontab}}.
"""

SCHEDULE: dict = {
    # Records each poll's opening and notifies its targeted citizens; idempotent.
    "polls-announce-due": {"task": "polls.announce_due_polls", "schedule": 60.0},
}
