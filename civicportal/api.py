"""Shared pieces of the REST API: pagination, one error shape, schema hooks."""

import copy

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from civicportal.api_errors import response_for_bad_request
from civicportal.errors import DomainError


class PrebuiltFieldsMixin:
    """For flat serializers made on every request of a busy endpoint (filing, voting).

    DRF makes a serializer's fields anew for each instance: a ModelSerializer derives every
    one from the model, and a plain Serializer deep-copies its declared fields (querysets
    and choices included). On the filing endpoint that was a larger share of the request
    than the service itself. Here the unbound fields are made once per class, and each
    instance binds shallow copies of them. Only for serializers without nested
    serializers: a nested one would be shared between instances."""

    def get_fields(self):
        cls = type(self)
        prototype = cls.__dict__.get("_prebuilt_fields")
        if prototype is None:
            prototype = super().get_fields()
            cls._prebuilt_fields = prototype
        return {name: copy.copy(field) for name, field in prototype.items()}


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


def _error_body(code, detail, fields=None):
    body = {"error": code, "detail": detail}
    if fields:
        body["fields"] = fields
    return body


def exception_handler(exc, context):
    """Every API error is JSON: ``{"error": code, "detail": message, "fields": {...}}``."""
    if isinstance(exc, DomainError):
        fields = {exc.field: [exc.message]} if exc.field else None
        return Response(_error_body(exc.code, exc.message, fields), status=exc.status_code)
    if isinstance(exc, Http404):
        return Response(_error_body("not_found", "Not found."), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, SuspiciousOperation):
        # A body Django refused while DRF parsed it (too large, too many fields or files).
        return response_for_bad_request(exc)
    if isinstance(exc, PermissionDenied):
        return Response(
            _error_body("forbidden", "You do not have permission to perform this action."),
            status=status.HTTP_403_FORBIDDEN,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        data = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        first = next(iter(data.values()), ["Invalid input."])
        message = str(first[0] if isinstance(first, list) and first else first)
        response.data = _error_body("invalid", message, data)
    elif isinstance(exc, APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = _error_body(code, str(exc.detail))
    return response


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "detail": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": True},
    },
    "required": ["error", "detail"],
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular documents no error bodies by itself: add the portal's error shape."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            codes = ["400", "401", "403", "404", "429"]
            if method in {"post", "put", "patch", "delete"}:
                codes += ["409", "413", "415"]
            for code in codes:
                responses.setdefault(
                    code,
                    {"description": "Error", "content": {"application/json": {"schema": ref}}},
                )
    return result


def absolute_url(serializer, url: str) -> str:
    """``url`` made absolute with the serializer's request (mobile clients fetch it as is)."""
    request = serializer.context.get("request")
    return request.build_absolute_uri(url) if request and url else url
