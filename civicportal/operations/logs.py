"""Structured logs: one JSON object per line, each with the request id of the request that
caused it, carried into the tasks the request queued.

The id comes from the proxy's ``X-Request-ID`` when it is a sane token, else is made here; it
is returned in the response's ``X-Request-ID`` so that a citizen's report ("it failed at
14:05") can be found. Celery carries it in a message header (``before_task_publish``) and the
worker puts it back while the task runs (``task_prerun``)."""

import contextvars
import logging
import re
import uuid

from celery.signals import before_task_publish, task_postrun, task_prerun

request_id = contextvars.ContextVar("request_id", default="")
task_name = contextvars.ContextVar("task_name", default="")

_SANE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
HEADER = "request_id"


def new_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        rid = given if _SANE.match(given) else new_id()
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``task`` to every record (empty outside a request or task)."""

    def filter(self, record):
        record.request_id = request_id.get()
        record.task = task_name.get()
        return True


@before_task_publish.connect
def _carry_request_id(headers=None, **kwargs):
    rid = request_id.get()
    if rid and headers is not None and HEADER not in headers:
        headers[HEADER] = rid


@task_prerun.connect
def _restore_request_id(task=None, **kwargs):
    if task is None:
        return
    rid = getattr(task.request, HEADER, None) or (task.request.headers or {}).get(HEADER) or ""
    task.request._civic_tokens = (request_id.set(rid), task_name.set(task.name))


@task_postrun.connect
def _forget_request_id(task=None, **kwargs):
    tokens = getattr(task.request, "_civic_tokens", None)
    if tokens:
        request_id.reset(tokens[0])
        task_name.reset(tokens[1])


def logging_config(*, json: bool, level: str) -> dict:
    formatter = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(task)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        if json
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s%(task)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "civicportal.operations.logs.ContextFilter"}},
        "formatters": {"default": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "default", "filters": ["context"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }
