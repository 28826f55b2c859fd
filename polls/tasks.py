"""Thin Celery tasks of mVoting: take ids, call a service, safe to run twice."""

from celery import shared_task

from polls import services


@shared_task(name="polls.announce_due_polls")
def announce_due_polls():
    return services.announce_due_polls()


@shared_task(name="polls.notify_poll_chunk")
def notify_poll_chunk(poll_id, user_ids):
    return services.notify_chunk(poll_id=poll_id, user_ids=user_ids)
