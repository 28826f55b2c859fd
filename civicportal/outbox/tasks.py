from celery import shared_task

from civicportal.outbox import services


@shared_task(name="outbox.sweep", ignore_result=True)
def sweep():
    """Every minute: send again the post-commit work the broker lost."""
    return services.sweep()
