"""Settings of the real worker subprocesses in test_notifications_killed_worker.py:
the project's settings with small chunks, a slow SMS backend and short timeouts so
that a killed worker's work comes back within the test."""

from civicportal.settings import *  # noqa: F403

SMS_BACKEND = "tests.integration.alerts_slow_backend.SlowConsoleSMSBackend"
ALERT_CHUNK_SIZE = 40
ALERT_SEND_BATCH = 10
ALERT_SEND_LEASE_SECONDS = 4
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 8,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
