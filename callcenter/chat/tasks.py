"""Thin Celery tasks of 120 live counselling; safe to run twice."""

from celery import shared_task

from callcenter.chat import services


@shared_task(name="callcenter.chat.grace_sweep")
def grace_sweep() -> int:
    """Return to the queue the conversations whose counsellor did not come back in time."""
    return services.grace_sweep()
