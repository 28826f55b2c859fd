"""What a request gets while the database is away: 503 with ``Retry-After``, never a 500 or a hang.

A database that restarts, fails over or refuses connections raises ``OperationalError`` or
``InterfaceError``. The transaction that was open is rolled back by then, so nothing the
request sent was saved: the answer says so and when to try again, in the shape of the door
the client came through (the API's JSON error, Open311's error list, a page). The page is
rendered without a request context: its context processors would ask the database again.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

from civicportal.api_errors import error_response, is_api_path

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (OperationalError, InterfaceError)
DETAIL = "The service is briefly unavailable. Nothing was saved; try again in a few seconds."


# Doors with an error format of their own register it (``register_door`` in their app's
# ``ready()``): path prefix -> callable(request, status, detail) -> HttpResponse.
_DOORS: dict[str, object] = {}


def register_door(prefix: str, respond) -> None:
    _DOORS[prefix] = respond


def is_outage(exc) -> bool:
    return isinstance(exc, OUTAGE_ERRORS)


def unavailable_response(request) -> HttpResponse:
    retry_after = str(getattr(settings, "OUTAGE_RETRY_AFTER_SECONDS", 5))
    path = request.path
    if is_api_path(path):
        response = error_response(503, code="unavailable", detail=DETAIL)
    else:
        door = next((respond for prefix, respond in _DOORS.items() if path.startswith(prefix)), None)
        if door is not None:
            response = door(request, 503, DETAIL)
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = retry_after
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """A view that met a database outage answers 503 (errors raised in middleware reach
    ``civicportal.views.error_500``, which answers the same)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_outage(exception):
            logger.warning("database unavailable during %s %s: %s", request.method, request.path, exception)
            return unavailable_response(request)
        return None
