"""Celery tasks of Eung-Dap-So: thin, idempotent, safe to run twice."""

from celery import shared_task

from complaints import services


@shared_task(name="complaints.tasks.sla_sweep", ignore_result=True)
def sla_sweep():
    """Warn and escalate every case whose warning point or deadline has passed."""
    return services.sla_sweep()


@shared_task(name="complaints.tasks.acknowledge_filing", ignore_result=True)
def acknowledge_filing(case_id):
    """Acknowledge a new case to its citizen; a second run does nothing."""
    services.case_acknowledge(case_id=case_id)
