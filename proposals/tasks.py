"""Thin Celery tasks: take ids, call services, safe to run twice."""

from celery import shared_task

from proposals import services


@shared_task
def notify_voters_of_decision(decision_id):
    """Fan the decision out to every voter: one chunk task per 1,000 voters."""
    for voter_ids in services.voter_chunks(decision_id):
        notify_voters_chunk.delay(decision_id, voter_ids)


@shared_task
def notify_voters_chunk(decision_id, voter_ids):
    return services.notify_voters(decision_id=decision_id, voter_ids=voter_ids)


@shared_task
def sweep_themed_calls():
    return services.themed_calls_sweep()


@shared_task
def sweep_voting_periods():
    return services.voting_sweep()


@shared_task
def remind_evaluators():
    return services.evaluator_reminders_sweep()
