"""notify() on every channel, consents, quiet hours, retries with back-off, gateway backends."""

import json
import threading
from datetime import datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from civicportal.notifications import services
from civicportal.notifications.backends import BaseBackend, DeliveryError, HTTPSMSBackend, compose_sms
from civicportal.notifications.models import Delivery, Notification
from civicportal.notifications.services import notify
from civicportal.notifications.tasks import sweep_deliveries
from tests.factories import CitizenFactory

SEOUL = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db


def outbox(settings, channel):
    path = Path(settings.NOTIFICATION_OUTBOX_DIR) / f"{channel}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def email_backend(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def everywhere(db):
    """A citizen who accepts every channel."""
    return CitizenFactory(
        username="everywhere",
        profile__consent_in_app=True,
        profile__consent_email=True,
        profile__consent_sms=True,
        profile__consent_push=True,
        profile__mobile="+821012345678",
    )


def test_notify_reaches_every_consented_channel(
    everywhere, settings, email_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        [note] = notify([everywhere], "complaints.answered", "Your complaint was answered", "Body", "/complaints/1/")

    assert note.in_inbox is True
    assert Notification.objects.inbox_of(everywhere).count() == 1
    assert sorted(note.deliveries.values_list("channel", "status")) == [
        ("email", "sent"),
        ("push", "sent"),
        ("sms", "sent"),
    ]
    assert [m.subject for m in mail.outbox] == ["Your complaint was answered"]
    [sms] = outbox(settings, "sms")
    assert sms["to"] == "+821012345678"
    assert sms["text"].startswith("[Your complaint was answered] Body")
    [push] = outbox(settings, "push")
    assert push["to"] == f"user:{everywhere.pk}"


def test_notify_respects_consents(db, settings, email_backend, django_capture_on_commit_callbacks):
    shy = CitizenFactory(
        username="shy",
        profile__consent_in_app=False,
        profile__consent_email=False,
        profile__consent_sms=True,
        profile__mobile="",  # consent without a number: nothing to send to
        profile__consent_push=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        [note] = notify([shy], "polls.opened", "A poll opened")

    assert note.in_inbox is False
    assert note.deliveries.count() == 0
    assert mail.outbox == []
    assert outbox(settings, "sms") == []


def test_urgent_notification_is_in_the_inbox_without_in_app_consent(db, django_capture_on_commit_callbacks):
    citizen = CitizenFactory(username="no_inbox", profile__consent_in_app=False, profile__consent_email=False)
    with django_capture_on_commit_callbacks(execute=True):
        [note] = notify([citizen], "x.urgent", "Urgent", urgent=True)
    assert note.in_inbox is True


@pytest.fixture
def sleeper(db):
    return CitizenFactory(
        username="sleeper",
        profile__consent_sms=True,
        profile__mobile="+821098765432",
        profile__consent_email=False,
        profile__quiet_hours_start=time(22, 0),
        profile__quiet_hours_end=time(7, 0),
    )


def test_non_urgent_sms_waits_for_the_end_of_quiet_hours(sleeper, settings, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2026, 11, 26, 23, 30, tzinfo=SEOUL), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            [note] = notify([sleeper], "complaints.answered", "Answered")
        delivery = note.deliveries.get()
        assert delivery.status == Delivery.Status.QUEUED
        assert delivery.next_attempt_at == datetime(2026, 11, 27, 7, 0, tzinfo=SEOUL)
        sweep_deliveries()  # still night: nothing goes out
        assert outbox(settings, "sms") == []

    with time_machine.travel(datetime(2026, 11, 27, 7, 1, tzinfo=SEOUL), tick=False):
        sweep_deliveries()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert len(outbox(settings, "sms")) == 1


def test_urgent_sms_ignores_quiet_hours(sleeper, settings, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2026, 11, 26, 23, 30, tzinfo=SEOUL), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            [note] = notify([sleeper], "alerts.test", "Evacuate", urgent=True)
    assert note.deliveries.get().status == Delivery.Status.SENT
    assert len(outbox(settings, "sms")) == 1


@pytest.mark.parametrize(
    ("start", "end", "clock", "expected"),
    [
        (time(22), time(7), time(23, 0), datetime(2026, 11, 27, 7, tzinfo=SEOUL)),
        (time(22), time(7), time(6, 59), datetime(2026, 11, 26, 7, tzinfo=SEOUL)),
        (time(22), time(7), time(7, 0), None),
        (time(13), time(14), time(13, 30), datetime(2026, 11, 26, 14, tzinfo=SEOUL)),
        (time(13), time(14), time(12, 0), None),
        (None, time(7), time(3, 0), None),
    ],
)
def test_quiet_hours_end(start, end, clock, expected):
    class Profile:
        quiet_hours_start, quiet_hours_end = start, end

    now = datetime.combine(datetime(2026, 11, 26).date(), clock, tzinfo=SEOUL)
    assert services.quiet_hours_end(Profile(), now) == expected


class FlakyBackend(BaseBackend):
    """Fails temporarily, as a busy gateway does."""

    calls = 0

    def send(self, **kwargs):
        FlakyBackend.calls += 1
        raise DeliveryError("gateway busy")


class RefusingBackend(BaseBackend):
    def send(self, **kwargs):
        raise DeliveryError("number not in service", permanent=True)


def test_temporary_failure_is_retried_with_exponential_back_off(everywhere, settings):
    settings.SMS_BACKEND = "tests.notifications.test_notify.FlakyBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    note = Notification.objects.create(recipient=everywhere, kind="x", title="Hi")
    delivery = Delivery.objects.create(notification=note, channel="sms")
    start = datetime(2026, 11, 26, 12, 0, tzinfo=SEOUL)

    with time_machine.travel(start, tick=False):
        assert services.deliver(delivery.pk) == Delivery.Status.QUEUED
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.next_attempt_at) == (1, start + timedelta(seconds=30))
        assert services.deliver(delivery.pk) == "not-claimed"  # not due yet

    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        sweep_deliveries()
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.next_attempt_at) == (2, start + timedelta(seconds=31 + 60))

    with time_machine.travel(start + timedelta(seconds=200), tick=False):
        sweep_deliveries()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 3
    assert delivery.last_error == "gateway busy"


def test_permanent_failure_is_not_retried_and_admin_can_retry_it(everywhere, settings, admin_client):
    settings.SMS_BACKEND = "tests.notifications.test_notify.RefusingBackend"
    note = Notification.objects.create(recipient=everywhere, kind="x", title="Hi")
    delivery = Delivery.objects.create(notification=note, channel="sms")
    assert services.deliver(delivery.pk) == Delivery.Status.FAILED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 1, "number not in service")

    page = admin_client.get("/admin/notifications/delivery/?status__exact=failed")
    assert page.status_code == 200
    assert b"Hi" in page.content

    settings.SMS_BACKEND = "civicportal.notifications.backends.ConsoleSMSBackend"
    response = admin_client.post(
        "/admin/notifications/delivery/", {"action": "retry_now", "_selected_action": [delivery.pk]}
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.QUEUED  # on_commit not run in this test
    assert services.deliver(delivery.pk) == Delivery.Status.SENT


def test_a_delivery_task_run_twice_sends_once(everywhere, settings):
    note = Notification.objects.create(recipient=everywhere, kind="x", title="Once")
    Delivery.objects.create(notification=note, channel="sms")
    from civicportal.notifications.tasks import deliver_notifications

    deliver_notifications([note.pk])
    deliver_notifications([note.pk])
    assert len(outbox(settings, "sms")) == 1


def test_lms_text_is_cut_at_1000_characters():
    kind, text = compose_sms("제목", "가" * 2000)
    assert kind == "LMS"
    assert len(text) == 1000
    assert compose_sms("Hi", "short")[0] == "SMS"


class _Gateway(BaseHTTPRequestHandler):
    status = 200
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Gateway.received.append((dict(self.headers), json.loads(body)))
        self.send_response(_Gateway.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.received = []
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.SMS_GATEWAY_TOKEN = "secret"
    yield _Gateway
    server.shutdown()


def test_http_sms_gateway_posts_the_message_with_an_idempotency_key(gateway):
    gateway.status = 200
    HTTPSMSBackend().send(to="+821012345678", title="T", body="B", idempotency_key="k-1")
    [(headers, payload)] = gateway.received
    assert headers["Authorization"] == "Bearer secret"
    assert headers["Idempotency-Key"] == "k-1"
    assert payload["to"] == "+821012345678"
    assert payload["type"] == "SMS"


@pytest.mark.parametrize(("status", "permanent"), [(503, False), (429, False), (400, True)])
def test_http_gateway_errors_are_temporary_or_permanent(gateway, status, permanent):
    gateway.status = status
    with pytest.raises(DeliveryError) as error:
        HTTPSMSBackend().send(to="+821012345678", title="T", body="B", idempotency_key="k-2")
    assert error.value.permanent is permanent


def test_http_gateway_without_url_is_a_permanent_failure(settings):
    settings.SMS_GATEWAY_URL = ""
    with pytest.raises(DeliveryError) as error:
        HTTPSMSBackend().send(to="+821012345678", title="T", body="B")
    assert error.value.permanent is True


class DyingBackend(BaseBackend):
    """A worker killed between its claim and the gateway's answer: nothing is recorded."""

    def send(self, **kwargs):
        raise KeyboardInterrupt("worker killed")


def test_a_delivery_whose_worker_died_is_sent_by_the_sweep_after_its_lease(everywhere, settings):
    settings.DELIVERY_LEASE_SECONDS = 120
    note = Notification.objects.create(recipient=everywhere, kind="x", title="Lease")
    delivery = Delivery.objects.create(notification=note, channel="sms")
    start = datetime(2026, 11, 26, 12, 0, tzinfo=SEOUL)

    settings.SMS_BACKEND = "tests.notifications.test_notify.DyingBackend"
    with time_machine.travel(start, tick=False), pytest.raises(KeyboardInterrupt):
        services.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.lease_until) == (Delivery.Status.SENDING, start + timedelta(seconds=120))

    settings.SMS_BACKEND = "civicportal.notifications.backends.ConsoleSMSBackend"
    with time_machine.travel(start + timedelta(seconds=60), tick=False):
        sweep_deliveries()  # still held by the (dead) claim: another worker may be sending it
    assert outbox(settings, "sms") == []
    with time_machine.travel(start + timedelta(seconds=121), tick=False):
        sweep_deliveries()
        sweep_deliveries()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.lease_until) == (Delivery.Status.SENT, 2, None)
    sent = outbox(settings, "sms")
    assert len(sent) == 1
