"""/metrics: scraped as Prometheus does, closed to the public, with the city's gauges."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from callcenter.models import Contact
from complaints.models import Case
from tests.complaints.factories import bulk_cases

pytestmark = pytest.mark.django_db


def scrape(client=None, **headers):
    response = (client or Client()).get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))


def test_the_city_gauges_count_open_and_overdue_cases_by_department(department):
    now = timezone.now()
    on_time, late = bulk_cases(department, 2, now=now)
    Case.objects.filter(pk=on_time.pk).update(due_at=now + timedelta(days=2))
    Case.objects.filter(pk=late.pk).update(due_at=now - timedelta(hours=2))
    samples = scrape()
    assert value(samples, "civic_cases_open", department=department.code) == 2
    assert value(samples, "civic_cases_overdue", department=department.code) == 1
    assert value(samples, "civic_sla_breaches_24h") == 1
    for provider in ("complaints.metrics", "civicportal.notifications.metrics", "callcenter.metrics"):
        assert value(samples, "civic_metrics_provider_up", provider=provider) == 1


def test_waiting_contacts_and_request_counters_are_exposed(citizen):
    from callcenter import services
    from callcenter.chat import services as chat
    from callcenter.models import Topic

    services.web_message_submit(citizen=citizen, text="주차 문의입니다")
    topic = Topic.objects.create(code="metrics-topic", name_ko="주차", name_en="Parking")
    chat.conversation_start(citizen=citizen, kind="text", language="en", topic=topic)
    client = Client()
    client.get("/healthz")
    samples = scrape(client)
    assert value(samples, "civic_callcenter_waiting", channel=Contact.Channel.WEB_MESSAGE) == 1
    assert value(samples, "civic_callcenter_conversations_waiting", queue="foreign", kind="text") == 1
    assert value(samples, "civic_http_requests_total", view="healthz", method="GET", status="2xx") >= 1
    assert value(samples, "civic_http_request_seconds_count", view="healthz", method="GET") >= 1
    assert value(samples, "civic_db_queries_total", view="healthz") >= 1


def test_metrics_are_closed_to_other_addresses_unless_the_token_is_given(settings):
    settings.METRICS_TOKEN = "scrape-secret"
    outsider = Client(REMOTE_ADDR="203.0.113.9")
    assert outsider.get("/metrics").status_code == 403
    assert outsider.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert scrape(outsider, HTTP_AUTHORIZATION="Bearer scrape-secret")


def test_a_failing_provider_is_reported_and_does_not_hide_the_others(settings):
    settings.METRICS_PROVIDERS = ["no.such.module", "complaints.metrics"]
    samples = scrape()
    assert value(samples, "civic_metrics_provider_up", provider="no.such.module") == 0
    assert value(samples, "civic_metrics_provider_up", provider="complaints.metrics") == 1
    assert Case.objects.count() == 0
