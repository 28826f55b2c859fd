"""The one JSON error shape of everything under /api/, for the layers outside DRF.

DRF views answer through ``civicportal.api.exception_handler``; Django's error handlers and
the request middleware answer through ``error_response`` here, so a client sees
``{"error": code, "detail": message}`` whichever layer refused the request."""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse

API_PREFIX = "/api/"

# status -> (code, detail) when the layer that refused gave nothing better
DEFAULTS = {
    400: ("invalid", "The request could not be understood."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("forbidden", "You do not have permission to perform this action."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    406: ("not_acceptable", "The requested format is not available."),
    413: ("too_large", "The request body is too large."),
    415: ("unsupported_media_type", "This content type is not accepted."),
    429: ("throttled", "Too many requests. Try again later."),
    500: ("server_error", "Server error. Nothing was saved."),
    503: ("unavailable", "The service is unavailable. Try again later."),
}


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX)


def error_response(status: int, *, code: str | None = None, detail: str | None = None, fields=None) -> JsonResponse:
    default_code, default_detail = DEFAULTS.get(status, ("client_error" if status < 500 else "server_error", "Error."))
    body = {"error": code or default_code, "detail": detail or default_detail}
    if fields:
        body["fields"] = fields
    return JsonResponse(body, status=status)


def response_for_bad_request(exception) -> JsonResponse:
    """A body Django refused while parsing it (too large, too many fields or files, malformed)."""
    if isinstance(exception, RequestDataTooBig):
        return error_response(413, code="too_large", detail="The request body is too large.")
    if isinstance(exception, TooManyFieldsSent):
        return error_response(400, code="too_many_fields", detail="The request has too many fields.")
    if isinstance(exception, TooManyFilesSent):
        return error_response(400, code="too_many_files", detail="The request has too many files.")
    if isinstance(exception, SuspiciousOperation):
        return error_response(400, code="invalid", detail="The request could not be understood.")
    return error_response(400)
