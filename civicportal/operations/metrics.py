"""Prometheus metrics at ``/metrics`` (prometheus-client, the reference client).

- Requests: rate and latency by view (the URL pattern's name, so the label set stays small),
  method and status class; database time and query count per request by view; cache operation
  latency (``civicportal/cache.py``).
- The city's gauges, computed when scraped, from the providers in ``METRICS_PROVIDERS``: each is
  a module with ``collect()`` yielding metric families (open and overdue cases by department,
  SLA breaches, queue depths, alert fan-out progress, delivery failures, 120 waiting).
- Under gunicorn with several workers, set ``PROMETHEUS_MULTIPROC_DIR`` (an empty folder shared
  by the workers) and the counters of every worker are summed at scrape time.
- Reachable only from ``METRICS_ALLOWED_IPS`` or with ``Authorization: Bearer <METRICS_TOKEN>``.
"""

import hmac
import importlib
import logging
import os
import time

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

REQUESTS = Counter("civic_http_requests", "HTTP requests answered", ["view", "method", "status"])
REQUEST_SECONDS = Histogram(
    "civic_http_request_seconds", "Time to answer an HTTP request", ["view", "method"], buckets=LATENCY_BUCKETS
)
DB_SECONDS = Histogram(
    "civic_db_seconds_per_request", "Database time spent by one request", ["view"], buckets=LATENCY_BUCKETS
)
DB_QUERIES = Counter("civic_db_queries", "Database queries run by requests", ["view"])
CACHE_SECONDS = Histogram(
    "civic_cache_operation_seconds",
    "Time of one cache operation",
    ["operation", "outcome"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1),
)


def observe_cache(operation: str, outcome: str, seconds: float) -> None:
    CACHE_SECONDS.labels(operation, outcome).observe(seconds)


class _QueryTimer:
    __slots__ = ("seconds", "count")

    def __init__(self):
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


class MetricsMiddleware:
    """Counts and times every request (first in the list: the whole stack is timed)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        timer = _QueryTimer()
        with connection.execute_wrapper(timer):
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "unresolved"
        REQUESTS.labels(view, request.method, f"{response.status_code // 100}xx").inc()
        REQUEST_SECONDS.labels(view, request.method).observe(time.perf_counter() - start)
        if timer.count:
            DB_SECONDS.labels(view).observe(timer.seconds)
            DB_QUERIES.labels(view).inc(timer.count)
        return response


class CityCollector:
    """The city's gauges, read from the database when Prometheus scrapes."""

    def collect(self):
        up = GaugeMetricFamily(
            "civic_metrics_provider_up", "1 when a provider of city gauges answered", labels=["provider"]
        )
        for path in getattr(settings, "METRICS_PROVIDERS", ()):
            try:
                families = list(importlib.import_module(path).collect())
            except Exception:  # noqa: BLE001 - one failing provider must not hide the others
                logger.warning("metrics: provider %s failed", path, exc_info=True)
                up.add_metric([path], 0)
                continue
            up.add_metric([path], 1)
            yield from families
        yield up

    def describe(self):
        return []  # computed on scrape; nothing to check at registration


CITY_REGISTRY = CollectorRegistry()
CITY_REGISTRY.register(CityCollector())


def _allowed(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    return request.META.get("REMOTE_ADDR", "") in getattr(settings, "METRICS_ALLOWED_IPS", ())


@never_cache
def metrics_view(request):
    if not _allowed(request):
        return HttpResponseForbidden("Metrics are not public.", content_type="text/plain")
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    body = generate_latest(registry) + generate_latest(CITY_REGISTRY)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
