"""GeoReport v2 endpoints: .json or .xml; every refusal in the specification's error format."""

import functools
import logging

from django.conf import settings
from django.core import signals
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import UnreadablePostError
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from civicportal.errors import DomainError
from civicportal.files import file_response
from civicportal.outages import OUTAGE_ERRORS, unavailable_response
from open311 import services
from open311.responses import FORMATS, error_response, format_of, render

logger = logging.getLogger("django.request")
READ = ("GET", "HEAD")


def _without_nul(request, kwargs):
    """Refuse a NUL character anywhere a client can put one: PostgreSQL cannot store or
    compare it, so it would fail in the database instead of being refused here."""
    values = [*kwargs.values()]
    for data in (request.GET, request.POST):
        for key, items in data.lists():
            values += [key, *items]
    if any("\x00" in str(value) for value in values):
        raise DomainError("Parameters may not contain NUL characters.")


def endpoint(*methods):
    """An Open311 endpoint answering ``methods`` (HEAD with GET; OPTIONS lists them).

    Applications authenticate with ``api_key``, never a browser session, so no CSRF check
    applies. The view receives a known ``fmt``; every refusal, from a wrong method to an
    unreadable body or an unexpected failure, is answered by ``error_response``."""

    def decorator(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request, *args, fmt="json", **kwargs):
            allowed = ", ".join(methods + ("OPTIONS",))
            if request.method not in methods:
                if request.method == "OPTIONS":
                    return HttpResponse(status=200, headers={"Allow": allowed})
                return error_response(
                    fmt,
                    405,
                    f"Method {request.method[:20]} is not allowed here; use {allowed}.",
                    headers={"Allow": allowed},
                )
            if fmt not in FORMATS:
                return error_response("json", 404, f"Unknown format {fmt[:20]!r}: use .json or .xml.")
            try:
                _without_nul(request, kwargs)
                services.check_jurisdiction(request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id"))
                return view(request, *args, fmt=fmt, **kwargs)
            except DomainError as exc:
                if exc.code == "throttled":
                    return error_response(fmt, 429, exc.message, headers={"Retry-After": "60"})
                return error_response(fmt, exc.status_code, exc.message)
            except Http404:
                return error_response(fmt, 404, "Not found.")
            except RequestDataTooBig:
                return error_response(fmt, 413, "The request body is too large.")
            except (BadRequest, SuspiciousOperation, MultiPartParserError, UnreadablePostError) as exc:
                return error_response(fmt, 400, f"The request could not be read: {exc}"[:300])
            except OUTAGE_ERRORS:
                return unavailable_response(request)
            except Exception:
                # Still logged and reported as a server error, but answered in a form the
                # client can parse rather than the site's HTML error page.
                logger.error("Open311 request failed: %s", request.path, exc_info=True)
                signals.got_request_exception.send(sender=None, request=request)
                return error_response(fmt, 500, "The server could not process this request.")

        return wrapped

    return decorator


@endpoint(*READ)
def discovery(request, fmt):
    services_url = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": fmt}))
    data = {
        "changeset": "2026-11-26T00:00:00+09:00",
        "contact": getattr(settings, "OPEN311_CONTACT", "120 Dasan Call Center, +82-2-120"),
        "key_service": "API keys are issued by the city's administrators on request.",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                # No trailing slash: clients append "/services.json" to it.
                "url": services_url.rsplit("/", 1)[0],
                "changeset": "2026-11-26T00:00:00+09:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render(fmt, data, root="discovery")


def _service_dict(category):
    attributes = list(category.open311_attributes.all())
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.name_en if category.name != category.name_en else category.name_ko,
        "metadata": bool(attributes),
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


@endpoint(*READ)
def services_list(request, fmt):
    data = [_service_dict(c) for c in services.services_list()]
    return render(fmt, data, root="services")


@endpoint(*READ)
def service_definition(request, code, fmt):
    category = services.service_get(code)
    data = {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description,
                "order": a.order,
                "description": a.description,
                "values": [{"key": str(v.get("key")), "name": str(v.get("name"))} for v in a.values],
            }
            for a in category.open311_attributes.all()
        ],
    }
    return render(fmt, data, root="service_definition")


def _attributes_from(post):
    found = {}
    for key in post:
        if key.startswith("attribute[") and key.endswith("]"):
            found[key[len("attribute[") : -1]] = post.getlist(key)
    return found


def _media_from(files):
    if not files:
        return None
    if set(files) != {"media"} or len(files.getlist("media")) != 1:
        raise DomainError("Send at most one file, in the field media.", field="media")
    return files["media"]


def _file(request, fmt):
    post = request.POST
    created = services.request_file(
        api_key=post.get("api_key", ""),
        service_code=post.get("service_code", ""),
        description=post.get("description", ""),
        lat=post.get("lat"),
        long=post.get("long"),
        address_string=post.get("address_string", ""),
        attributes=_attributes_from(post),
        media_url=post.get("media_url", ""),
        media=_media_from(request.FILES),
        email=post.get("email", ""),
        first_name=post.get("first_name", ""),
        last_name=post.get("last_name", ""),
        phone=post.get("phone", ""),
        device_id=post.get("device_id", ""),
        account_id=post.get("account_id", ""),
        description_public=services.parse_flag(post.get("description_public"), "description_public"),
    )
    body = {
        "service_request_id": created.case.tracking_number,
        "token": created.token,
        "service_notice": "",
    }
    if created.account_id:
        body["account_id"] = created.account_id
    return render(fmt, [body], root="service_requests", status=201)


@endpoint(*READ, "POST")
def requests_view(request, fmt):
    if request.method == "POST":
        return _file(request, fmt)
    cases = services.requests_query(
        service_request_id=request.GET.get("service_request_id", ""),
        service_code=request.GET.get("service_code", ""),
        start_date=request.GET.get("start_date", ""),
        end_date=request.GET.get("end_date", ""),
        status=request.GET.get("status", ""),
    )
    data = [services.request_as_dict(c, absolute_url=request.build_absolute_uri) for c in cases]
    return render(fmt, data, root="service_requests")


@endpoint(*READ)
def request_detail(request, service_request_id, fmt):
    case = services.request_get(service_request_id)
    data = [services.request_as_dict(case, absolute_url=request.build_absolute_uri)]
    return render(fmt, data, root="service_requests")


@endpoint(*READ)
def token_detail(request, token, fmt):
    found = services.token_get(token)
    body = [{"service_request_id": found.case.tracking_number, "token": found.token}]
    return render(fmt, body, root="service_requests")


@endpoint(*READ)
def media(request, pk, fmt):
    """The checked view of a request's photo (see ``services.media_get``)."""
    photo = services.media_get(pk)
    return file_response(
        photo.file, content_type=photo.content_type, filename=photo.original_name, cache="public, max-age=300"
    )


@csrf_exempt
def not_found(request):
    return error_response(format_of(request.path), 404, "No such Open311 endpoint; see discovery.json.")
