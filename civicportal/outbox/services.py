"""Queue a task after the commit, and send again what was lost (see the package's docstring)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civicportal.outbox.models import QueuedTask

logger = logging.getLogger(__name__)

HEADER = "outbox_id"


def retry_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "OUTBOX_RETRY_SECONDS", 60))


def queue_after_commit(task_name: str, *args, using=None) -> None:
    """Record ``task_name(*args)`` in this transaction; send it once the transaction commits."""
    row = QueuedTask.objects.using(using).create(
        name=task_name, args=list(args), next_try_at=timezone.now() + retry_after()
    )
    row_id = row.pk
    transaction.on_commit(lambda: send(row_id, task_name, list(args)), using=using)


def send(row_id: int, task_name: str, args: list) -> bool:
    """Hand the task to the broker; a broker that is down leaves it to the sweep."""
    from civicportal.celery import app

    try:
        task = app.tasks[task_name]
        task.apply_async(args=args, headers={HEADER: row_id})
    except Exception:  # noqa: BLE001 - the row stays; the sweep sends it when the broker is back
        logger.warning("outbox: could not queue %s (row %s); the sweep will", task_name, row_id, exc_info=True)
        return False
    return True


def done(row_id) -> None:
    QueuedTask.objects.filter(pk=row_id).delete()


def sweep(now=None, limit=1000) -> int:
    """Send again every task whose row is still there past its time; returns how many."""
    now = now or timezone.now()
    due = list(QueuedTask.objects.filter(next_try_at__lte=now).order_by("next_try_at")[:limit])
    sent = 0
    for row in due:
        backoff = retry_after() * min(2 ** (row.attempts - 1), 32)
        claimed = QueuedTask.objects.filter(pk=row.pk, attempts=row.attempts).update(
            attempts=row.attempts + 1, next_try_at=now + backoff
        )
        if claimed and send(row.pk, row.name, row.args):
            sent += 1
    return sent
