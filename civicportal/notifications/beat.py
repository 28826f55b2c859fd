"""Periodic tasks of notifications, merged into CELERY_BEAT_SCHEDULE by settings."""

SCHEDULE: dict = {
    "notifications-sweep-deliveries": {"task": "notifications.sweep_deliveries", "schedule": 60.0},
    "alerts-sweep": {"task": "alerts.sweep", "schedule": 30.0},
}
