"""Post-commit work kept in the database until it is done: a lost message is sent again."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from civicportal.celery import app
from civicportal.outbox import services
from civicportal.outbox.models import QueuedTask
from civicportal.outbox.tasks import sweep

pytestmark = pytest.mark.django_db

runs = []


@app.task(name="tests.outbox.record")
def record(value):
    runs.append(value)


@app.task(name="tests.outbox.flaky")
def flaky(value):
    runs.append(value)
    if len(runs) < 2:
        raise RuntimeError("gateway busy")


@pytest.fixture(autouse=True)
def _fresh(settings):
    runs.clear()
    settings.OUTBOX_RETRY_SECONDS = 60


def test_a_task_sent_after_commit_runs_and_its_row_goes(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.queue_after_commit("tests.outbox.record", "가")
        assert QueuedTask.objects.count() == 1
    assert runs == ["가"]
    assert not QueuedTask.objects.exists()


def test_a_rolled_back_transaction_queues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ZeroDivisionError), transaction.atomic():
        services.queue_after_commit("tests.outbox.record", "never")
        1 / 0  # noqa: B018
    assert runs == [] and not QueuedTask.objects.exists()


def test_a_lost_message_is_sent_again_by_the_sweep_after_its_time():
    services.queue_after_commit("tests.outbox.record", "lost")  # on-commit never runs: the message is lost
    sweep()
    assert runs == []  # may still be on its way
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        sweep()
        sweep()
    assert runs == ["lost"]
    assert not QueuedTask.objects.exists()


def test_a_broker_that_is_down_leaves_the_row_to_the_sweep(monkeypatch, django_capture_on_commit_callbacks):
    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(record, "apply_async", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_after_commit("tests.outbox.record", "later")
    assert QueuedTask.objects.count() == 1
    monkeypatch.undo()
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        sweep()
    assert runs == ["later"] and not QueuedTask.objects.exists()


def test_a_failing_task_keeps_its_row_and_is_tried_again_with_back_off(settings):
    settings.CELERY_TASK_EAGER_PROPAGATES = False
    app.conf.task_eager_propagates = False
    try:
        services.queue_after_commit("tests.outbox.flaky", 1)
        start = timezone.now()
        with time_machine.travel(start + timedelta(seconds=61)):
            sweep()  # fails: the row stays, next try in 2 minutes
        row = QueuedTask.objects.get()
        assert row.attempts == 2
        with time_machine.travel(start + timedelta(seconds=120)):
            sweep()
        assert len(runs) == 1
        with time_machine.travel(start + timedelta(seconds=200)):
            sweep()
    finally:
        app.conf.task_eager_propagates = True
    assert len(runs) == 2
    assert not QueuedTask.objects.exists()
