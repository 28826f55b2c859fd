"""A task goes through the broker to a real worker, and its effect is in the database."""

import os

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


def test_the_django_settings_reach_celery():
    from django.conf import settings as django_settings

    from civicportal.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.broker_transport_options == django_settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert app.conf.beat_schedule == django_settings.CELERY_BEAT_SCHEDULE


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (set REDIS_URL)")
def test_tasks_are_published_through_one_redis_client_per_channel():
    import uuid

    from civicportal.broker import Channel
    from civicportal.celery import app

    queue = f"test-publish-{uuid.uuid4().hex}"
    app.conf.task_always_eager = False  # a real publish, to Redis (conftest sets it back)
    with app.producer_or_acquire() as producer:
        channel = producer.channel
        assert isinstance(channel, Channel)
        app.send_task("civicportal.ping", queue=queue, producer=producer)
        client = channel._publish_client
        app.send_task("civicportal.ping", queue=queue, producer=producer)
        assert channel._publish_client is client
        try:
            assert client.llen(queue) == 2
        finally:
            client.delete(queue)
