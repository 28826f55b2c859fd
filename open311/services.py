"""Open311 GeoReport v2 on top of Eung-Dap-So: keys, filing, and the public reads.

A request filed here is an ordinary case on the channel "open311", filed by the
application's service account; the reporter's contact details stay in
``ServiceRequest`` and never appear in a public answer."""

import os
import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

import filetype
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from civicportal import limits
from civicportal.accounts.models import User
from civicportal.accounts.services import role_group
from civicportal.errors import DomainError, NotAllowed, NotFound
from complaints import filing as complaints_filing
from complaints.models import OPEN_STATUSES, PRIVATE_KINDS, Attachment, Case, Category, Channel, Kind
from complaints.uploads import IMAGE_EXTENSIONS
from open311.models import Application, ServiceAttribute, ServiceRequest, hash_key

APPLICATION_ROLE = "open311_application"
MAX_RESULTS = 1000
MAX_CODES = 100  # a query stays a few parameters long whatever the URL
# The specification: a date range "may not span more than 90 days", and 90 days is the default.
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
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():  # NaN and Infinity parse, but are no position
        raise DomainError(f"{name} must be a number.", field=name)
    return number


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
            _parse_date(values[0], f"attribute[{code}]")
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
    description_public=False,
    media=None,
) -> ServiceRequest:
    """POST requests: validate as the specification asks, then file an ordinary case.

    ``description_public`` (an extension of the specification, default false) carries the
    reporter's choice to publish the description; without it public reads show the
    service, district, status and dates only. ``media`` is an uploaded photo (a multipart
    POST): it is stored as the case's attachment through the portal's image cleaner, and the
    public reads give the URL of ``media_get``'s view as the request's ``media_url`` (when the
    reporter chose to publish)."""
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
    _check_media(media)
    text = (description or "").strip()
    if answers:
        text = (text + "\n\n" if text else "") + "\n".join(f"{k}: {v}" for k, v in answers.items())
    if not text:
        raise DomainError("description is required.", field="description")
    first_line = (description or "").strip().split("\n", 1)[0].strip()
    title = first_line[:80] or category.name_ko
    with transaction.atomic():
        case = complaints_filing.case_file(
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
            text_is_public=description_public,
            attachments=[media] if media is not None else (),
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


def _check_media(media):
    """Only a photo may be the request's media; the image cleaner then checks it for real."""
    if media is None:
        return
    head = media.read(512)
    media.seek(0)
    extension = os.path.splitext(media.name or "")[1].lower()
    if not head or not (filetype.is_image(head) or extension in IMAGE_EXTENSIONS):
        raise DomainError("media must be a photo (JPEG, PNG or WebP).", field="media")


# --- reads ----------------------------------------------------------------------------------


def open311_status(case: Case) -> str:
    return "open" if case.status in OPEN_STATUSES else "closed"


def _parse_date(value, name):
    """A W3C datetime as an aware UTC moment; a naive one is Seoul time.

    Anything else is a DomainError: an impossible date (month 13, 30 February, hour 25) or
    a moment that leaves the calendar once moved to UTC. Converting here also keeps offsets
    that Python accepts and PostgreSQL does not (beyond +/-15:59) away from the database."""
    if not value:
        return None
    try:
        moment = parse_datetime(value.strip())
    except ValueError:  # well-formed but impossible: 2026-13-01, 2026-02-30, 25:00
        moment = None
    if moment is None:
        raise DomainError(
            f"{name} must be a valid W3C datetime such as 2026-11-26T09:00:00+09:00 (got {value[:40]!r}).",
            field=name,
        )
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, timezone.get_default_timezone())
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise DomainError(f"{name} is out of range.", field=name) from None


def parse_flag(value, name) -> bool:
    """A boolean form parameter: true/false, 1/0 (absent or empty is false)."""
    text = str(value or "").strip().lower()
    if text in ("", "false", "0", "no"):
        return False
    if text in ("true", "1", "yes"):
        return True
    raise DomainError(f"{name} must be true or false.", field=name)


def public_cases():
    # Only photos sent over Open311 are published (see media_get); one query for the page.
    photos = Prefetch(
        "attachments",
        queryset=Attachment.objects.filter(kind=Attachment.Kind.IMAGE, case__channel=Channel.OPEN311),
        to_attr="open311_photos",
    )
    return (
        Case.objects.public()
        .select_related("category", "department", "district", "open311_request")
        .prefetch_related(photos)
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
    if start and end and end - start > DEFAULT_WINDOW:
        raise DomainError("start_date and end_date may not span more than 90 days.", field="end_date")
    try:
        if start is None and end is None:
            start = timezone.now() - DEFAULT_WINDOW
        elif start is None:
            start = end - DEFAULT_WINDOW
        elif end is None:
            end = start + DEFAULT_WINDOW
    except OverflowError:
        pass  # a window at the edge of the calendar is open on that side
    if start:
        qs = qs.filter(filed_at__gte=start)
    if end:
        qs = qs.filter(filed_at__lte=end)
    if service_code:
        codes = {c.strip() for c in service_code.split(",") if c.strip()}
        if len(codes) > MAX_CODES:
            raise DomainError(f"At most {MAX_CODES} service codes at once.", field="service_code")
        qs = qs.filter(category__code__in=codes)
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


def media_get(pk) -> Attachment:
    """The gatekeeper of the public media view: a photo an Open311 application sent with a
    public request. Photos citizens attach on other channels are never served here."""
    photo = (
        Attachment.objects.select_related("case")
        .filter(pk=pk, kind=Attachment.Kind.IMAGE, case__channel=Channel.OPEN311, case__text_is_public=True)
        .exclude(case__kind__in=sorted(k.value for k in PRIVATE_KINDS))
        .first()
    )
    if photo is None:
        raise NotFound(f"No media {pk!r}.")
    return photo


def _media_path(case: Case) -> str:
    if case.channel != Channel.OPEN311:
        return ""
    photos = getattr(case, "open311_photos", None)
    if photos is None:
        photos = list(case.attachments.filter(kind=Attachment.Kind.IMAGE))
    return reverse("open311:media", kwargs={"pk": photos[0].pk}) if photos else ""


def _w3c(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _rounded(value):
    # About 100 m: enough to place a pothole on a map, not to find a person's door.
    return float(round(value, 3)) if value is not None else None


def request_as_dict(case: Case, *, absolute_url=lambda path: path) -> dict:
    """A case as the specification's service request, without personal data: what
    ``Case.public_fields`` allows (the title, department, position and media only when the
    citizen chose to publish them).

    Fields with no value are left out rather than sent as null (``lat``/``long`` of a case
    with no public position, ``media_url`` with no media): the specification types them
    as numbers and URLs. ``absolute_url`` turns the media view's path into a URL."""
    public = case.public_fields()
    updated = public["answered_at"] or public["filed_at"]
    extra = getattr(case, "open311_request", None)  # select_related: no query per row
    category, district, department = public["category"], public["district"], public["department"]
    media_url = ""
    if public["text_is_public"]:
        media_path = _media_path(case)
        media_url = absolute_url(media_path) if media_path else (extra.media_url if extra else "")
    fields = {
        "service_request_id": public["tracking_number"],
        "status": open311_status(case),
        "status_notes": public["status_label"],
        "service_name": category.name if category else "",
        "service_code": category.code if category else "",
        "description": public["title"] or "",
        "agency_responsible": department.name if department else "",
        "service_notice": "",
        "requested_datetime": _w3c(public["filed_at"]),
        "updated_datetime": _w3c(updated),
        "expected_datetime": _w3c(public["due_at"]),
        "address": district.name if district else "",
        "address_id": "",
        "zipcode": "",
        "lat": _rounded(public["lat"]),
        "long": _rounded(public["lon"]),
        "media_url": media_url or None,
    }
    return {key: value for key, value in fields.items() if value is not None}
