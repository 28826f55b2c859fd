"""Eung-Dap-So's gauges for /metrics (civicportal/operations/metrics.py): open and overdue
cases by department, and SLA breaches of the last day."""

from datetime import timedelta

from django.db.models import Count, F, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from complaints.models import Case


def collect():
    now = timezone.now()
    open_cases = GaugeMetricFamily("civic_cases_open", "Open cases", labels=["department"])
    overdue = GaugeMetricFamily("civic_cases_overdue", "Open cases past their deadline", labels=["department"])
    rows = (
        Case.objects.open()
        .values("department__code")
        .annotate(n=Count("id"), late=Count("id", filter=Q(due_at__lt=now)))
        .order_by("department__code")
    )
    for row in rows:
        code = row["department__code"] or "unassigned"
        open_cases.add_metric([code], row["n"])
        overdue.add_metric([code], row["late"])
    yield open_cases
    yield overdue
    # Deadlines that fell in the last 24 h and were missed (still open, or answered late).
    since = now - timedelta(hours=24)
    breached = Case.objects.filter(due_at__gt=since, due_at__lte=now).filter(
        Q(answered_at__isnull=True) | Q(answered_at__gt=F("due_at"))
    )
    yield GaugeMetricFamily(
        "civic_sla_breaches_24h", "Case deadlines missed in the last 24 hours", value=breached.count()
    )
