import sys

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from civicportal.api_errors import error_response, is_api_path, response_for_bad_request
from civicportal.outages import is_outage, unavailable_response


def home(request):
    return render(request, "home.html")


@never_cache
@require_GET
def healthz(request):
    """For load balancers and operators.

    503 ``error`` when the database does not answer (nothing can be served); 200 ``degraded``
    when only the broker or the cache is down (pages and the API still serve: the cache
    degrades to none, and work queued after a commit is picked up by the sweeps when the
    broker returns); 200 ``ok`` when all answer."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        from civicportal.celery import app

        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"error: {exc.__class__.__name__}"
    checks["cache"] = _cache_check()
    if checks["database"] != "ok":
        state, status = "error", 503
    elif any(v != "ok" for v in checks.values()):
        state, status = "degraded", 200
    else:
        state, status = "ok", 200
    return JsonResponse({"status": state, "checks": checks}, status=status)


def _cache_check() -> str:
    from django.core.cache import cache

    client = getattr(cache, "_cache", None)
    if client is None or not hasattr(client, "get_client"):
        return "ok"  # a cache in the process is always there
    try:
        client.get_client(write=False).ping()
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _wants_json(request):
    return is_api_path(request.path)


def error_400(request, exception=None):
    if _wants_json(request):
        return response_for_bad_request(exception)
    return defaults.bad_request(request, exception)


def error_403(request, exception=None):
    if _wants_json(request):
        return error_response(403)
    return defaults.permission_denied(request, exception)


def error_404(request, exception=None):
    if _wants_json(request):
        return error_response(404)
    return render(request, "404.html", status=404)


def error_500(request):
    # Called while the exception is being handled: a database outage raised in a middleware
    # (the session, the user, the lockout check) answers 503 like one raised in a view.
    exc = sys.exc_info()[1]
    if is_outage(exc):
        return unavailable_response(request)
    if _wants_json(request):
        return error_response(500)
    return render(request, "500.html", status=500)


def lockout(request, original_response=None, credentials=None):
    """django-axes lockout: the page for browsers, the one JSON error shape for the API."""
    if _wants_json(request):
        return JsonResponse(
            {"error": "locked_out", "detail": "Too many failed log-in attempts. Try again in 15 minutes."},
            status=429,
        )
    return render(request, "registration/locked_out.html", status=429)
