"""Celery tasks of the emergency-alert fan-out: thin, idempotent, safe to run twice.

``acks_late`` and ``reject_on_worker_lost`` are set globally: a task whose worker dies
is delivered again, and fanout.py makes that repeat harmless."""

import logging

from celery import shared_task

from civicportal.errors import Conflict
from civicportal.notifications import fanout

logger = logging.getLogger(__name__)


@shared_task(name="alerts.fan_out")
def fan_out_alert(alert_id):
    """Split the targeted citizens into key ranges and queue one task per chunk."""
    try:
        chunk_ids = fanout.start(alert_id)
    except Conflict as exc:
        logger.warning("fan-out refused: %s", exc.message)
        return 0
    broadcast_alert.delay(alert_id)
    for chunk_id in chunk_ids:
        send_alert_chunk.delay(chunk_id)
    return len(chunk_ids)


@shared_task(name="alerts.send_chunk")
def send_alert_chunk(chunk_id):
    return fanout.run_chunk(chunk_id)


@shared_task(name="alerts.broadcast")
def broadcast_alert(alert_id):
    return fanout.broadcast_social(alert_id)


@shared_task(name="alerts.retry_chunk")
def retry_alert_chunk(chunk_id):
    return fanout.retry_chunk(chunk_id)


@shared_task(name="alerts.recount")
def recount_alert(alert_id):
    """Refresh the chunks' progress counters after a change outside the chunk tasks (cancel)."""
    from civicportal.notifications.models import AlertChunk

    fanout.recount(AlertChunk.objects.filter(alert_id=alert_id))


@shared_task(name="alerts.sweep")
def sweep_alerts():
    """Re-queue fan-outs and chunks whose task was lost, send due retries, finish completed alerts."""
    from civicportal.notifications.models import AlertBroadcast, EmergencyAlert

    for alert_id in fanout.unstarted_alert_ids():
        fan_out_alert.delay(alert_id)
    for chunk_id in fanout.stale_chunk_ids():
        send_alert_chunk.delay(chunk_id)
    for chunk_id in fanout.chunks_with_due_retries():
        retry_alert_chunk.delay(chunk_id)
    for alert_id in EmergencyAlert.objects.filter(status=EmergencyAlert.Status.SENDING).values_list("pk", flat=True):
        fanout.finish_if_done(alert_id)
    for alert_id in (
        AlertBroadcast.objects.filter(status="queued", alert__status__in=["sending", "sent"])
        .values_list("alert_id", flat=True)
        .distinct()
    ):
        broadcast_alert.delay(alert_id)
