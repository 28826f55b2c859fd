from celery import shared_task

from civicportal.notifications import services
from civicportal.notifications.models import Delivery


@shared_task(name="notifications.deliver_notifications")
def deliver_notifications(notification_ids):
    """Send every queued delivery of these notifications; safe to run twice."""
    ids = Delivery.objects.filter(notification_id__in=notification_ids, status=Delivery.Status.QUEUED).values_list(
        "pk", flat=True
    )
    for delivery_id in list(ids):
        services.deliver(delivery_id)


@shared_task(name="notifications.deliver_delivery_ids")
def deliver_delivery_ids(delivery_ids):
    for delivery_id in delivery_ids:
        services.deliver(delivery_id)


@shared_task(name="notifications.sweep_deliveries")
def sweep_deliveries():
    """Every minute: send what quiet hours or back-off held back. The sweep is the source
    of truth for retries (a Celery countdown longer than the broker's visibility timeout
    can run more than once)."""
    for delivery_id in services.due_delivery_ids():
        services.deliver(delivery_id)


# The alert tasks live in their own module; import them so autodiscovery registers them.
from civicportal.notifications.tasks_alerts import (  # noqa: E402, F401
    broadcast_alert,
    fan_out_alert,
    retry_alert_chunk,
    send_alert_chunk,
    sweep_alerts,
)
