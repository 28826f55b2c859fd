"""120 Dasan's gauges for /metrics: contacts waiting for a counsellor, by channel."""

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

from callcenter.models import Contact


def collect():
    waiting = GaugeMetricFamily(
        "civic_callcenter_waiting", "Contacts waiting for a counsellor, by channel", labels=["channel"]
    )
    rows = Contact.objects.web_messages_waiting().values("channel").annotate(n=Count("id")).order_by("channel")
    for row in rows:
        waiting.add_metric([row["channel"]], row["n"])
    yield waiting
