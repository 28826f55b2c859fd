"""A real Celery worker consuming from the configured broker (Redis in CI).

The worker runs in a thread of the test process (celery.contrib.testing), takes
tasks from the broker like any worker, and writes to the same test database, so
tests here use ``transactional_db`` and see committed rows only.
"""

import pytest
from celery.contrib.testing.worker import start_worker

from civicportal.celery import app as celery_app


@pytest.fixture
def celery_worker(transactional_db):
    celery_app.conf.task_always_eager = False
    from django.db import connection

    if connection.vendor == "sqlite":
        # The test database is in memory with a shared cache: let this thread read while
        # the worker thread writes, instead of failing with "table is locked".
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker
    celery_app.conf.task_always_eager = True


def wait_for(predicate, timeout=20.0, interval=0.05):
    """Poll ``predicate`` until it is truthy or ``timeout`` passes; returns its last value."""
    import time

    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value
