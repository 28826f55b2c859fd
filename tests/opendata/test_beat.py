"""The refresh is on the beat schedule and its task runs (eagerly here; tests/integration runs
it through a real worker)."""

from celery.schedules import crontab
from django.conf import settings

from opendata import tasks
from opendata.models import Dataset


def test_the_nightly_refresh_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["opendata-refresh"]

    assert entry["task"] == tasks.refresh_all.name == "opendata.refresh_all"
    assert entry["schedule"] == crontab(hour=3, minute=10)


def test_the_task_refreshes_every_dataset(make_cases):
    make_cases(5)

    result = tasks.refresh_all.delay().get()

    assert result == {"cases": 5, "contacts": 0, "polls": 0, "proposals": 0}
    assert Dataset.objects.filter(refreshed_at__isnull=False).count() == 4


def test_refreshing_an_unknown_dataset_is_refused(db):
    import pytest

    from civicportal.errors import NotFound

    with pytest.raises(NotFound):
        tasks.refresh_dataset.delay("nothing").get()
    assert not Dataset.objects.exists()
