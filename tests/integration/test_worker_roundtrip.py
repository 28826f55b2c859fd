"""A task goes through the broker to a real worker, and its effect is in the database."""

import pytest
from django.core import mail

from civicportal.notifications.models import Delivery, Notification
from civicportal.notifications.tasks import deliver_notifications
from tests.factories import CitizenFactory
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


def test_worker_delivers_a_queued_email(celery_worker, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    citizen = CitizenFactory(username="worker_citizen")
    note = Notification.objects.create(recipient=citizen, kind="test.ping", title="Hello from the worker")
    delivery = Delivery.objects.create(notification=note, channel="email")

    deliver_notifications.delay([note.pk])

    assert wait_for(lambda: Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENT)
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.sent_at is not None
    assert [m.subject for m in mail.outbox] == ["Hello from the worker"]
