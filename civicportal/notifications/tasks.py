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
