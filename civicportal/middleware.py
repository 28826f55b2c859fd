"""Request hygiene shared by every page and API."""

import json

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse

from civicportal.api_errors import API_PREFIX, error_response, is_api_path, response_for_bad_request

NUL = "\x00"


class RejectNulBytesMiddleware:
    """Refuse a NUL character in the URL, query, form fields or a JSON body.

    PostgreSQL text cannot hold NUL, so such input would otherwise end as a 500 deep in a
    query; no legitimate client sends it. Multipart bodies are not read here (uploads stay
    streamed); their text fields are checked through ``request.POST``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/open311/"):
            # Open311 refuses them itself, in its specification's error format (open311/views.py).
            return self.get_response(request)
        try:
            has_nul = self._has_nul(request)
        except SuspiciousOperation as refused:
            # The body was refused while being read (too large, too many fields or files):
            # it cannot be read again further on, so the refusal is the answer.
            if is_api_path(request.path):
                return response_for_bad_request(refused)
            raise
        if has_nul:
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": "invalid", "detail": "Input must not contain NUL characters."}, status=400
                )
            return HttpResponseBadRequest("Input must not contain NUL characters.")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request):
        if NUL in request.path:
            return True
        for key, values in request.GET.lists():
            if NUL in key or any(NUL in v for v in values):
                return True
        content_type = request.content_type or ""
        if request.method in ("POST", "PUT", "PATCH"):
            if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                try:
                    items = list(request.POST.lists())
                except SuspiciousOperation:
                    raise
                except Exception:  # noqa: BLE001 - a malformed body is the view's to refuse
                    return False
                return any(NUL in k or any(NUL in v for v in vs) for k, vs in items)
            if content_type.endswith("json"):
                body = request.body
                if b"\\u0000" in body or b"\x00" in body:
                    try:
                        return _contains_nul(json.loads(body))
                    except ValueError:
                        return False
        return False


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(v) for v in value)
    return False


class RequestSizeLimitMiddleware:
    """Refuse with 413 a body whose declared length is over the limit, before anything reads it.

    Django checks ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only when ``request.POST`` or ``request.body``
    is read, and DRF's JSON and form parsers read the raw stream past it. Multipart bodies may
    carry attachments up to ``MAX_REQUEST_BYTES`` in all; any other body, ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0:
            return _refusal(request, 400, "invalid", "The Content-Length header is not a number.")
        multipart = (request.META.get("CONTENT_TYPE") or "").startswith("multipart/")
        limit = settings.MAX_REQUEST_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return _refusal(
                request,
                413,
                "too_large",
                f"The request body is larger than {limit // 2**20} MB."
                if limit >= 2**20
                else f"The request body is larger than {limit} bytes.",
            )
        return self.get_response(request)


def _refusal(request, status, code, detail):
    if is_api_path(request.path):
        return error_response(status, code=code, detail=detail)
    return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")


class ApiErrorShapeMiddleware:
    """Under /api/, an error answered by any layer in another shape leaves as the one JSON shape.

    DRF views already answer ``{"error", "detail", "fields"}``; this catches the rest: Django's
    own refusals (CSRF 403, ``require_POST`` 405, a 400 from ``DisallowedHost``, an HTML page
    from a handler) so a client never has to parse HTML."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not request.path.startswith(API_PREFIX):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        shaped = error_response(response.status_code)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                shaped[header] = response[header]
        return shaped
