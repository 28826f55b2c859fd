"""Periodic tasks of this program, merged into CELERY_BEAT_SCHEDULE by settings.

Plain data (no Django imports): {"name": {"task": "...", "schedule": seconds or crontab}}.
Every task is an idempotent sweep: running it twice or late changes nothing more.
"""

SCHEDULE: dict = {
    "proposals-themed-calls": {"task": "proposals.tasks.sweep_themed_calls", "schedule": 60.0},
    "proposals-voting-periods": {"task": "proposals.tasks.sweep_voting_periods", "schedule": 300.0},
    "proposals-evaluator-reminders": {"task": "proposals.tasks.remind_evaluators", "schedule": 3600.0},
}
