"""Celery queue depths for /metrics: how many tasks wait in each queue of the broker."""

from django.conf import settings
from prometheus_client.core import GaugeMetricFamily


def queue_names() -> list[str]:
    from civicportal.celery import app

    names = {app.conf.task_default_queue or "celery"}
    for route in (app.conf.task_routes or {}).values():
        if isinstance(route, dict) and route.get("queue"):
            names.add(route["queue"])
    return sorted(names)


def collect():
    depth = GaugeMetricFamily("civic_celery_queue_length", "Tasks waiting in a broker queue", labels=["queue"])
    broker = getattr(settings, "CELERY_BROKER_URL", "")
    if broker.startswith("redis://"):
        import redis

        client = redis.Redis.from_url(broker, socket_connect_timeout=1, socket_timeout=1)
        try:
            for name in queue_names():
                # kombu's Redis transport keeps one list per queue and priority level.
                total = sum(client.llen(key) for key in [name, *client.keys(f"{name}\x06\x16*")])
                depth.add_metric([name], total)
        finally:
            client.close()
    yield depth
