"""Property-based fuzzing of Open311 GeoReport v2 from its committed description.

``open311/schema/georeport_v2.yaml`` (the GeoReport v2.1 draft adapted to v2; what changed
is listed at its top) drives schemathesis in-process over WSGI, as for ``/api/v1/`` in
tests/api/test_schemathesis.py: no 5xx, no status, content type or body outside the
description. Filing gets a real api_key and an existing service_code half of the time, so
the fuzz reaches the filing itself. Bounded by SCHEMATHESIS_MAX_EXAMPLES (default 12 per
operation); findings are recorded in docs/api-fuzzing.md.
"""

import os
import zlib
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from civicportal.wsgi import application

DESCRIPTION = Path(__file__).resolve().parents[2] / "open311" / "schema" / "georeport_v2.yaml"
# Skipped on purpose, as for /api/v1/: a schema-valid request may name an object that does
# not exist (a 4xx is right), and an empty parameter (start_date=) reads as "not given".
EXCLUDED = [positive_data_acceptance, negative_data_rejection]
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "12"))
DERANDOMIZE = os.environ.get("SCHEMATHESIS_RANDOM", "") != "1"

schema = schemathesis.openapi.from_path(DESCRIPTION)
schema.app = application


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # A raw WSGI call closes the test's database connection at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def published(pothole, parking, app_key, monkeypatch):
    """Requests to read: one placed with a photo, one with an address only; no throttle."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from open311 import services
    from tests.complaints.factories import image_bytes

    monkeypatch.setattr(services, "POSTS_PER_MINUTE", 10**6)
    photo = SimpleUploadedFile("p.jpg", image_bytes(), content_type="image/jpeg")
    services.request_file(
        api_key=app_key, service_code="parking", description="인도 위 주차", lat="37.5", long="127.0", media=photo
    )
    services.request_file(api_key=app_key, service_code="parking", description="주차", address_string="마포구")
    return app_key


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=DERANDOMIZE)
def test_open311_conforms_to_its_description(case, published):
    if case.method == "POST" and isinstance(case.body, dict) and zlib.crc32(repr(case.body).encode()) % 2 == 0:
        # A filing that gets past the key, the service and the required fields; every other
        # field keeps its generated value.
        filing = {"address_string": "마포구", "description": "인도 위 주차"}
        case.body = {**filing, **case.body, "api_key": published, "service_code": "parking"}
    response = case.call_and_validate(excluded_checks=EXCLUDED)
    if os.environ.get("FUZZ_TRACE"):
        print("TRACE", case.method, case.path, response.status_code, response.text[:100])
