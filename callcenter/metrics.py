"""120 Dasan's gauges for /metrics: contacts and live conversations waiting for a counsellor."""

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

from callcenter.chat.models import Conversation
from callcenter.models import Contact


def collect():
    waiting = GaugeMetricFamily(
        "civic_callcenter_waiting", "Contacts waiting for a counsellor, by channel", labels=["channel"]
    )
    rows = Contact.objects.web_messages_waiting().values("channel").annotate(n=Count("id")).order_by("channel")
    for row in rows:
        waiting.add_metric([row["channel"]], row["n"])
    yield waiting
    live = GaugeMetricFamily(
        "civic_callcenter_conversations_waiting",
        "Live chat and video conversations waiting in a queue, by skill queue and kind",
        labels=["queue", "kind"],
    )
    rows = Conversation.objects.waiting().values("queue", "kind").annotate(n=Count("id")).order_by("queue", "kind")
    for row in rows:
        live.add_metric([row["queue"], row["kind"]], row["n"])
    yield live
