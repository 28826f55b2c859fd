"""The request id of a request reaches the worker that runs the task it queued."""

import logging

import pytest

from civicportal.celery import app
from civicportal.operations.logs import request_id, task_name
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration

seen = []


@app.task(name="tests.integration.log_with_request_id")
def log_with_request_id():
    logging.getLogger("civic.test").warning("inside the task")
    seen.append((request_id.get(), task_name.get()))


def test_the_request_id_travels_into_the_task_through_the_message_header(celery_worker):
    seen.clear()
    token = request_id.set("req-4567-efgh")
    try:
        log_with_request_id.delay()
    finally:
        request_id.reset(token)
    assert wait_for(lambda: seen, timeout=30)
    assert seen == [("req-4567-efgh", "tests.integration.log_with_request_id")]
