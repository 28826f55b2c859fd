"""GeoReport v2 endpoints: .json or .xml, the specification's error format."""

from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from civicportal.errors import DomainError
from open311 import services

FORMATS = {"json", "xml"}


def _xml(root_tag, items, item_tag):
    root = ET.Element(root_tag)
    for item in items:
        _append(root, item_tag, item)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _append(parent, tag, value):
    node = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, list):
                holder = ET.SubElement(node, key)
                singular = {
                    "attributes": "attribute",
                    "values": "value",
                    "endpoints": "endpoint",
                    "formats": "format",
                }.get(key, key.rstrip("s"))
                for element in child:
                    _append(holder, singular, element)
            else:
                _append(node, key, child)
    elif value is None:
        pass
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    else:
        node.text = str(value)
    return node


def _respond(fmt, data, *, root, item, status=200):
    if fmt == "xml":
        items = data if isinstance(data, list) else [data]
        return HttpResponse(_xml(root, items, item), content_type="text/xml; charset=utf-8", status=status)
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def _single(fmt, tag, data):
    """One object: JSON as is, XML with ``tag`` as the root element."""
    if fmt == "xml":
        node = _append(ET.Element("holder"), tag, data)
        return HttpResponse(
            ET.tostring(node, encoding="unicode", xml_declaration=True), content_type="text/xml; charset=utf-8"
        )
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _error(fmt, status, description):
    body = [{"code": status, "description": description}]
    return _respond(fmt, body, root="errors", item="error", status=status)


def _guard(view):
    """Format check, jurisdiction check, and domain errors in the specification's format."""

    def wrapped(request, *args, fmt="json", **kwargs):
        if fmt not in FORMATS:
            return _error("json", 404, "Format must be .json or .xml.")
        try:
            services.check_jurisdiction(request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id"))
            return view(request, *args, fmt=fmt, **kwargs)
        except DomainError as exc:
            status = 429 if exc.code == "throttled" else exc.status_code
            return _error(fmt, status, exc.message)

    wrapped.__name__ = view.__name__
    return wrapped


@require_GET
@_guard
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": fmt})).rsplit("/", 1)[0] + "/"
    data = {
        "changeset": "2026-11-26T00:00:00+09:00",
        "contact": getattr(settings, "OPEN311_CONTACT", "120 Dasan Call Center, +82-2-120"),
        "key_service": "API keys are issued by the city's administrators on request.",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-11-26T00:00:00+09:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return _single(fmt, "discovery", data)


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


@require_GET
@_guard
def services_list(request, fmt):
    data = [_service_dict(c) for c in services.services_list()]
    return _respond(fmt, data, root="services", item="service")


@require_GET
@_guard
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
                "values": [{"key": v.get("key"), "name": v.get("name")} for v in a.values],
            }
            for a in category.open311_attributes.all()
        ],
    }
    return _single(fmt, "service_definition", data)


def _attributes_from(post):
    found = {}
    for key in post:
        if key.startswith("attribute[") and key.endswith("]"):
            found[key[len("attribute[") : -1]] = post.getlist(key)
    return found


@csrf_exempt  # applications authenticate with api_key, not a browser session
@require_http_methods(["GET", "POST"])
@_guard
def requests_view(request, fmt):
    if request.method == "POST":
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
            email=post.get("email", ""),
            first_name=post.get("first_name", ""),
            last_name=post.get("last_name", ""),
            phone=post.get("phone", ""),
            device_id=post.get("device_id", ""),
            account_id=post.get("account_id", ""),
            description_public=services.parse_flag(post.get("description_public"), "description_public"),
        )
        body = [
            {
                "service_request_id": created.case.tracking_number,
                "token": created.token,
                "service_notice": "",
                "account_id": created.account_id or None,
            }
        ]
        return _respond(fmt, body, root="service_requests", item="request", status=201)
    cases = services.requests_query(
        service_request_id=request.GET.get("service_request_id", ""),
        service_code=request.GET.get("service_code", ""),
        start_date=request.GET.get("start_date", ""),
        end_date=request.GET.get("end_date", ""),
        status=request.GET.get("status", ""),
    )
    return _respond(fmt, [services.request_as_dict(c) for c in cases], root="service_requests", item="request")


@require_GET
@_guard
def request_detail(request, service_request_id, fmt):
    case = services.request_get(service_request_id)
    return _respond(fmt, [services.request_as_dict(case)], root="service_requests", item="request")


@require_GET
@_guard
def token_detail(request, token, fmt):
    found = services.token_get(token)
    body = [{"service_request_id": found.case.tracking_number, "token": found.token}]
    return _respond(fmt, body, root="service_requests", item="request")
