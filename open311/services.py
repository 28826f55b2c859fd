"""Open311 GeoReport v2 on top of Eung-Dap-So: keys, filing, and the public reads.

A request filed here is an ordinary case on the channel "open311", filed by the
application's service account; the reporter's contact details stay in
``ServiceRequest`` and never appear in a public answer."""

import secrets
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from civicportal import limits
from civicportal.accounts.models import User
from civicportal.accounts.services import role_group
from civicportal.errors import DomainError, NotAllowed, NotFound
from complaints import services as complaints_services
from complaints.models import OPEN_STATUSES, Case, Category, Channel, Kind
from open311.models import Application, ServiceAttribute, ServiceRequest, hash_key

APPLICATION_ROLE = "open311_application"
# Only these kinds are public over Open311: reports (corruption, human rights...) never are.
PUBLIC_KINDS = (Kind.COMPLAINT, Kind.PROPOSAL, Kind.INQUIRY)
MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)
POSTS_PER_MINUTE = 60


def jurisdiction_id() -> str:
    return getattr(settings, "OPEN311_JURISDICTION_ID", "seoul.go.kr")


def check_jurisdiction(value):
    if value and value != jurisdiction_id():
        raise NotFound(f"Unknown jurisdiction_id {value!r}; this endpoint serves {jurisdiction_id()!r}.")


# --- applications and keys ---------------------------------------------------


@transaction.atomic
def application_create(*, name: str, contact_email: str = "") -> tuple[Application, str]:
    """Issue an API key to an application; returns it once (only its hash is stored)."""
    raw = Application.new_key()
    base = f"open311-{slugify(name)[:40] or 'app'}"
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    account = User(username=username, full_name=f"Open311: {name}", email=contact_email)
    account.set_unusable_password()
    account.save()
    account.groups.add(role_group(APPLICATION_ROLE))
    app = Application.objects.create(
        name=name, contact_email=contact_email, key_prefix=raw[:8], key_hash=hash_key(raw), service_account=account
    )
    return app, raw


def application_rotate_key(*, application: Application) -> str:
    raw = Application.new_key()
    application.key_prefix, application.key_hash = raw[:8], hash_key(raw)
    application.save(update_fields=["key_prefix", "key_hash"])
    return raw


def application_for_key(raw_key: str) -> Application:
    if not raw_key:
        raise NotAllowed("api_key is required to submit a service request.")
    app = Application.objects.select_related("service_account").filter(key_hash=hash_key(raw_key)).first()
    if app is None or not app.is_active:
        raise NotAllowed("Invalid api_key.")
    Application.objects.filter(pk=app.pk).update(last_used_at=timezone.now())
    return app


def _throttle(app: Application):
    key = f"open311:posts:{app.pk}:{int(timezone.now().timestamp() // 60)}"
    count = cache.get_or_set(key, 0, 70)
    if count >= POSTS_PER_MINUTE:
        raise DomainError("Too many requests from this api_key; try again in a minute.", code="throttled")
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, 70)


# --- services (categories) ------------------------------------------------------------


def services_list():
    return list(Category.objects.prefetch_related("open311_attributes").order_by("code"))


def service_get(code: str) -> Category:
    category = Category.objects.prefetch_related("open311_attributes").filter(code=code).first()
    if category is None:
        raise NotFound(f"No service with service_code {code!r}.")
    return category


# --- filing ------------------------------------------------------------------------------


def _decimal(value, name):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(f"{name} must be a number.", field=name)


def _clean_attributes(category: Category, raw: dict) -> dict:
    """Check the attribute[...] answers against the service definition."""
    definitions = {a.code: a for a in category.open311_attributes.all()}
    unknown = set(raw) - set(definitions)
    if unknown:
        raise DomainError(f"Unknown attribute(s): {', '.join(sorted(unknown))}.", field="attribute")
    cleaned = {}
    for code, attribute in definitions.items():
        values = [v for v in raw.get(code, []) if v != ""]
        if not values:
            if attribute.required:
                raise DomainError(f"attribute[{code}] is required: {attribute.description}", field="attribute")
            continue
        keys = {str(v.get("key")) for v in attribute.values}
        if attribute.datatype == ServiceAttribute.Datatype.SINGLEVALUELIST:
            if len(values) != 1 or values[0] not in keys:
                raise DomainError(f"attribute[{code}] must be one of {sorted(keys)}.", field="attribute")
            cleaned[code] = values[0]
        elif attribute.datatype == ServiceAttribute.Datatype.MULTIVALUELIST:
            if not set(values) <= keys:
                raise DomainError(f"attribute[{code}] values must be among {sorted(keys)}.", field="attribute")
            cleaned[code] = values
        elif attribute.datatype == ServiceAttribute.Datatype.NUMBER:
            cleaned[code] = str(_decimal(values[0], f"attribute[{code}]"))
        elif attribute.datatype == ServiceAttribute.Datatype.DATETIME:
            if parse_datetime(values[0]) is None:
                raise DomainError(f"attribute[{code}] must be a W3C datetime.", field="attribute")
            cleaned[code] = values[0]
        else:
            cleaned[code] = values[0][:1000]
    return cleaned


def request_file(
    *,
    api_key: str,
    service_code: str,
    description: str = "",
    lat=None,
    long=None,
    address_string: str = "",
    attributes: dict | None = None,
    media_url: str = "",
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    device_id: str = "",
    account_id: str = "",
) -> ServiceRequest:
    """POST requests: validate as the specification asks, then file an ordinary case."""
    app = application_for_key(api_key)
    _throttle(app)
    if not service_code:
        raise DomainError("service_code is required.", field="service_code")
    category = service_get(service_code)
    lat, lon = _decimal(lat, "lat"), _decimal(long, "long")
    if (lat is None) != (lon is None):
        raise DomainError("Give both lat and long.", field="lat")
    if lat is None and not address_string.strip():
        raise DomainError("A location is required: lat and long, or address_string.", field="lat")
    if media_url and not media_url.startswith(("http://", "https://")):
        raise DomainError("media_url must be an http(s) URL.", field="media_url")
    # Refused, never cut: the spec's own limit for a description is 4,000 characters.
    limits.check_length((description or "").strip(), limits.case_text(), field="description", label="description")
    limits.check_length(address_string.strip(), limits.PLACE, field="address_string", label="address_string")
    answers = _clean_attributes(category, attributes or {})
    text = (description or "").strip()
    if answers:
        text = (text + "\n\n" if text else "") + "\n".join(f"{k}: {v}" for k, v in answers.items())
    if not text:
        raise DomainError("description is required.", field="description")
    title = (description or category.name_ko).strip().splitlines()[0][:80] or category.name_ko
    with transaction.atomic():
        case = complaints_services.case_file(
            citizen=None,
            kind=Kind.COMPLAINT,
            title=title,
            text=text,
            channel=Channel.OPEN311,
            filed_by=app.service_account,
            category=category,
            lat=lat,
            lon=lon,
            location_text=address_string.strip(),
            source_url=media_url[:200],
        )
        return ServiceRequest.objects.create(
            case=case,
            application=app,
            token=secrets.token_hex(16),
            attributes=answers,
            address_string=address_string[:300],
            media_url=media_url[:500],
            email=email[:254],
            first_name=first_name[:100],
            last_name=last_name[:100],
            phone=phone[:40],
            device_id=device_id[:100],
            account_id=account_id[:100],
        )


# --- reads ----------------------------------------------------------------------------------


def open311_status(case: Case) -> str:
    return "open" if case.status in OPEN_STATUSES else "closed"


def _parse_date(value, name):
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        raise DomainError(f"{name} must be a W3C datetime such as 2026-11-26T09:00:00+09:00.", field=name)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def public_cases():
    return Case.objects.filter(kind__in=PUBLIC_KINDS).select_related(
        "category", "department", "district", "open311_request"
    )


def requests_query(*, service_request_id="", service_code="", start_date="", end_date="", status=""):
    """GET requests with the specification's filters (ids override the others)."""
    qs = public_cases()
    if service_request_id:
        ids = [i.strip() for i in service_request_id.split(",") if i.strip()][:MAX_RESULTS]
        return list(qs.filter(tracking_number__in=ids).order_by("-filed_at"))
    start, end = _parse_date(start_date, "start_date"), _parse_date(end_date, "end_date")
    if start and end and end < start:
        raise DomainError("end_date is before start_date.", field="end_date")
    if start is None and end is None:
        start = timezone.now() - DEFAULT_WINDOW
    if start:
        qs = qs.filter(filed_at__gte=start)
    if end:
        qs = qs.filter(filed_at__lte=end)
    if service_code:
        qs = qs.filter(category__code__in=[c.strip() for c in service_code.split(",")])
    if status:
        wanted = {s.strip() for s in status.split(",")}
        if not wanted <= {"open", "closed"}:
            raise DomainError("status must be open or closed.", field="status")
        if wanted == {"open"}:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif wanted == {"closed"}:
            qs = qs.exclude(status__in=OPEN_STATUSES)
    return list(qs.order_by("-filed_at")[:MAX_RESULTS])


def request_get(service_request_id: str) -> Case:
    case = public_cases().filter(tracking_number=service_request_id[:12]).first()
    if case is None:
        raise NotFound(f"No service request {service_request_id!r}.")
    return case


def token_get(token: str) -> ServiceRequest:
    found = ServiceRequest.objects.select_related("case").filter(token=token[:40]).first()
    if found is None:
        raise NotFound(f"No service request for token {token!r}.")
    return found


def _w3c(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _rounded(value):
    # About 100 m: enough to place a pothole on a map, not to find a person's door.
    return float(round(value, 3)) if value is not None else None


def request_as_dict(case: Case) -> dict:
    """A case as the specification's service request, without personal data."""
    updated = case.answered_at or case.filed_at
    extra = getattr(case, "open311_request", None)  # select_related: no query per row
    return {
        "service_request_id": case.tracking_number,
        "status": open311_status(case),
        "status_notes": case.get_status_display(),
        "service_name": case.category.name if case.category else "",
        "service_code": case.category.code if case.category else "",
        "description": case.title,
        "agency_responsible": case.department.name if case.department_id else "",
        "service_notice": "",
        "requested_datetime": _w3c(case.filed_at),
        "updated_datetime": _w3c(updated),
        "expected_datetime": _w3c(case.due_at),
        "address": case.district.name if case.district_id else "",
        "address_id": "",
        "zipcode": "",
        "lat": _rounded(case.lat),
        "long": _rounded(case.lon),
        "media_url": extra.media_url if extra else "",
    }
