"""Notifications' gauges for /metrics: alert fan-out progress, and delivery failures by channel."""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from civicportal.notifications.fanout import progress
from civicportal.notifications.models import Delivery, EmergencyAlert


def collect():
    fanout = GaugeMetricFamily(
        "civic_alert_fanout_deliveries",
        "Deliveries of alerts being sent, by state (pending, sent, failed, cancelled)",
        labels=["alert", "channel", "state"],
    )
    percent = GaugeMetricFamily("civic_alert_fanout_percent", "Fan-out progress of alerts being sent", labels=["alert"])
    moving = EmergencyAlert.objects.filter(status__in=[EmergencyAlert.Status.APPROVED, EmergencyAlert.Status.SENDING])
    for alert in moving:
        figures = progress(alert)
        for row in figures["channels"]:
            for state in ("pending", "sent", "failed", "cancelled"):
                fanout.add_metric([alert.identifier, row["channel"], state], row[state])
        percent.add_metric([alert.identifier], figures["percent"])
    yield fanout
    yield percent
    failures = GaugeMetricFamily(
        "civic_delivery_failures_24h", "Notification deliveries that failed in the last 24 hours", labels=["channel"]
    )
    since = timezone.now() - timedelta(hours=24)
    rows = (
        Delivery.objects.filter(status=Delivery.Status.FAILED, created_at__gte=since)
        .values("channel")
        .annotate(n=Count("id"))
        .order_by("channel")
    )
    for row in rows:
        failures.add_metric([row["channel"]], row["n"])
    yield failures
