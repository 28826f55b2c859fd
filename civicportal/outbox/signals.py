"""A task sent through the outbox deletes its row when it succeeds."""

from celery.signals import task_success

from civicportal.outbox.services import HEADER, done


@task_success.connect
def _forget_done_task(sender=None, **kwargs):
    request = getattr(sender, "request", None)
    row_id = getattr(request, HEADER, None) or ((getattr(request, "headers", None) or {}).get(HEADER))
    if row_id:
        done(row_id)
