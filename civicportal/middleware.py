"""Request hygiene shared by every page and API."""

import json

from django.http import HttpResponseBadRequest, JsonResponse

NUL = "\x00"


class RejectNulBytesMiddleware:
    """Refuse a NUL character in the URL, query, form fields or a JSON body.

    PostgreSQL text cannot hold NUL, so such input would otherwise end as a 500 deep in a
    query; no legitimate client sends it. Multipart bodies are not read here (uploads stay
    streamed); their text fields are checked through ``request.POST``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Open311 refuses them itself, in its specification's error format (open311/views.py).
        if not request.path_info.startswith("/open311/") and self._has_nul(request):
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
