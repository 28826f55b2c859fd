"""Celery tasks of Eung-Dap-So: thin, idempotent, safe to run twice."""

from celery import shared_task

from complaints import filing, services, suggestions


@shared_task(name="complaints.tasks.sla_sweep", ignore_result=True)
def sla_sweep():
    """Warn and escalate every case whose warning point or deadline has passed."""
    return services.sla_sweep()


@shared_task(name="complaints.tasks.after_filing", ignore_result=True)
def after_filing(case_id):
    """Index a new case's nouns and acknowledge it to its citizen; a second run does nothing."""
    filing.case_index(case_id=case_id)
    filing.case_acknowledge(case_id=case_id)


@shared_task(name="complaints.tasks.after_filing_sweep", ignore_result=True)
def after_filing_sweep():
    """Every minute: the after-filing work of cases whose message was lost."""
    for case_id in filing.after_filing_sweep():
        after_filing(case_id)


@shared_task(name="complaints.tasks.acknowledge_filing", ignore_result=True)
def acknowledge_filing(case_id):
    """The name of ``after_filing`` before it also indexed: messages queued by an earlier
    version still run."""
    after_filing(case_id)


@shared_task(name="complaints.tasks.routing_model_retrain", ignore_result=True)
def routing_model_retrain():
    """Train a new learned-routing version when cases were answered since the last one."""
    model = suggestions.routing_model_train()
    return model.version if model else None
