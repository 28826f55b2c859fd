from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from civicportal.api_errors import error_response, is_api_path, response_for_bad_request


def home(request):
    return render(request, "home.html")


@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 when the database and the broker answer, else 503."""
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
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )


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
