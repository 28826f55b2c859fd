"""Structured logs: JSON lines carrying the request id into the tasks a request queues."""

import json

import pytest
from django.test import Client

from civicportal.operations.logs import logging_config

pytestmark = pytest.mark.django_db


def json_record(message, **extra):
    config = logging_config(json=True, level="INFO")
    import logging.config

    formatter = logging.config.DictConfigurator(config).configure_formatter(config["formatters"]["default"])
    record = logging.LogRecord("civic.test", logging.WARNING, __file__, 1, message, None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return json.loads(formatter.format(record))


def test_a_log_line_is_one_json_object_with_the_request_id():
    line = json_record("서교동 민원 접수", request_id="abc123def", task="")
    assert line["message"] == "서교동 민원 접수"
    assert line["level"] == "WARNING" and line["logger"] == "civic.test"
    assert line["request_id"] == "abc123def"
    assert "time" in line


def test_each_response_carries_a_request_id_and_a_sane_given_one_is_kept():
    made = Client().get("/healthz")["X-Request-ID"]
    assert len(made) == 32
    kept = Client().get("/healthz", HTTP_X_REQUEST_ID="proxy-1234-abcd")["X-Request-ID"]
    assert kept == "proxy-1234-abcd"
    refused = Client().get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"]
    assert refused != "bad id\nwith newline" and len(refused) == 32
