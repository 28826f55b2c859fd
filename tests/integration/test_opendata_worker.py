"""The nightly open-data refresh as beat queues it: by name, through the broker, taken by a
real worker; a second run publishes the same rows."""

import pytest
from django.conf import settings

from civicportal.celery import app as celery_app
from opendata.models import Dataset, OpenCase
from tests.integration.conftest import wait_for
from tests.opendata.conftest import make_cases  # noqa: F401 - a fixture, used by name

pytestmark = pytest.mark.integration


def test_the_beat_entry_refreshes_every_dataset_through_the_worker(celery_worker, request):
    request.getfixturevalue("make_cases")(6, dong="합정동")
    request.getfixturevalue("make_cases")(1, district_code="11680", dong="역삼1동")
    entry = settings.CELERY_BEAT_SCHEDULE["opendata-refresh"]

    celery_app.send_task(entry["task"])

    assert wait_for(lambda: Dataset.objects.filter(refreshed_at__isnull=False).count() == 4)
    cases = Dataset.objects.get(slug="cases")
    assert (cases.row_count, cases.withheld_count) == (6, 1)
    first = sorted(OpenCase.objects.values_list("tracking_number", "precision"))
    refreshed = cases.refreshed_at

    celery_app.send_task(entry["task"])

    assert wait_for(lambda: Dataset.objects.get(slug="cases").refreshed_at > refreshed)
    assert sorted(OpenCase.objects.values_list("tracking_number", "precision")) == first
