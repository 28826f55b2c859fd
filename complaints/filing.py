"""Filing a case (every door calls ``case_file``) and the work after it: the noun index of the
duplicate finder and the acknowledgement, queued after commit and swept when the broker loses
the message."""

import logging
from contextlib import nullcontext
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicportal import limits
from civicportal.accounts import permissions
from civicportal.accounts.districts import locate
from civicportal.accounts.models import District
from civicportal.errors import DomainError
from civicportal.files import files_with_their_rows
from civicportal.notifications.services import notify
from complaints import live, routing, suggestions
from complaints.models import (
    CONFIDENTIAL_KINDS,
    PRIVATE_KINDS,
    STAFF_CHANNELS,
    Attachment,
    Case,
    CaseEvent,
    Channel,
    Kind,
    Status,
    TrackingCounter,
)
from complaints.search import nouns_of
from complaints.uploads import clean_uploads

logger = logging.getLogger(__name__)
E = CaseEvent.Kind


def required_text(value, field, message):
    value = (value or "").strip()
    if not value:
        raise DomainError(message, code="required", field=field)
    return value


def _coordinate(value, low, high, field):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter a valid position."), field=field)
    if not low <= number <= high:
        raise DomainError(_("Enter a valid position."), field=field)
    return number


def _where(*, lat, lon, location_text, district) -> tuple[District | None, str]:
    """(district, dong) of a filing: the district chosen on the form wins; else the district
    whose boundary contains the position; else the one the typed place names (합정역 → 마포구
    합정동). A position outside Seoul is refused rather than given a wrong district."""
    where = locate(lat=lat, lon=lon, text=location_text, districts=routing.districts().values())
    if where.outside:
        raise DomainError(
            _(
                "This position is outside Seoul. Pick the place on the map of Seoul, or leave the "
                "coordinates empty and describe the place."
            ),
            code="outside_seoul",
            field="lat",
        )
    if district is None:
        return where.district, where.dong
    if where.district is None and lat is None and (location_text or "").strip():
        # The district is known: a dong name found in two districts (신사동) is now one.
        where = locate(text=f"{district.name_ko} {location_text}", districts=routing.districts().values())
    return district, where.dong if where.district == district else ""


def case_file(
    *,
    citizen,
    kind,
    title,
    text,
    channel,
    filed_by,
    category=None,
    lat=None,
    lon=None,
    district=None,
    location_text="",
    anonymous_reporter=False,
    text_is_public=False,
    source_url="",
    attachments=(),
    now=None,
) -> Case:
    """File a case from any channel and return it with its tracking number.

    ``filed_by`` is who typed it: the citizen on the web/mobile/Open311 channels, a
    counsellor (channel "120"), an officer (walk-in, email, social media). ``citizen`` may
    be None when a caller has no account. ``text_is_public`` is the citizen's choice to
    publish the title and text (never for reports). The case gets an access code that,
    with the tracking number, follows it without an account. Nothing is written when any
    input is refused."""
    permissions.require(filed_by, "complaints.file_case")
    if channel not in Channel.values:
        raise DomainError(_("Unknown channel."), field="channel")
    if channel == Channel.OPEN311:
        permissions.require(
            filed_by, "complaints.file_case_by_application", message=_("Only Open311 applications file here.")
        )
    elif channel in STAFF_CHANNELS:
        permissions.require(
            filed_by, "complaints.file_case_for_citizen", message=_("Only staff can file on this channel.")
        )
    elif citizen is None or citizen.pk != filed_by.pk:
        raise DomainError(_("Citizens file their own cases."), code="forbidden", field="citizen")
    if kind not in Kind.values:
        raise DomainError(_("Choose the kind of case."), field="kind")
    # Titles are refused when too long, never cut: the citizen chooses what to drop.
    title = limits.check_field(Case, "title", required_text(title, "title", _("Enter a title.")))
    text = required_text(text, "text", _("Describe your case."))
    limits.check_field(Case, "text", text, limit=limits.case_text())
    location_text = limits.check_field(Case, "location_text", (location_text or "").strip())
    if anonymous_reporter and kind not in CONFIDENTIAL_KINDS:
        raise DomainError(
            _("Only corruption and public-interest reports can hide the reporter."), field="anonymous_reporter"
        )
    if text_is_public not in (True, False):
        raise DomainError(_("Say whether the title and text may be public."), field="text_is_public")
    if text_is_public and kind in PRIVATE_KINDS:
        raise DomainError(
            _("Reports (corruption, public interest, human rights, welfare) are never published."),
            field="text_is_public",
        )
    lat = _coordinate(lat, Decimal(-90), Decimal(90), "lat")
    lon = _coordinate(lon, Decimal(-180), Decimal(180), "lon")
    if (lat is None) != (lon is None):
        raise DomainError(_("Give both latitude and longitude, or neither."), field="lat")
    district, dong = _where(lat=lat, lon=lon, location_text=location_text, district=district)
    uploads = clean_uploads(attachments)  # refuse bad files before anything is written
    now = now or timezone.now()
    category_id = getattr(category, "pk", category)
    department, simple, rule = routing.route(
        kind=kind, category_id=category_id, district_id=getattr(district, "pk", None), text=f"{title} {text}"
    )
    # No rule matched: the learned model routes the case when it is sure enough (never a report).
    learned = None
    if rule is None:
        learned = suggestions.auto_route(
            kind=kind,
            title=title,
            text=text,
            category_id=category_id,
            district_code=getattr(district, "code", ""),
        )
        if learned is not None:
            department = learned.department
    case = Case(
        kind=kind,
        category_id=category_id,
        channel=channel,
        title=title,
        text=text,
        citizen=citizen,
        filed_by=filed_by,
        anonymous_reporter=anonymous_reporter,
        text_is_public=text_is_public,
        source_url=source_url or "",
        department=department,
        lat=lat,
        lon=lon,
        district=district,
        dong=dong,
        location_text=location_text,
        is_simple=simple,
        filed_at=now,
        nouns=learned.nouns if learned else "",
    )
    routing.set_deadline(case, now)
    events = [
        CaseEvent(kind=E.FILED, actor=filed_by, at=now, to_status=Status.RECEIVED, note=channel),
        CaseEvent(
            kind=E.ROUTED,
            at=now,
            to_department=department,
            note=rule.name if rule else (suggestions.routed_note(learned) if learned else ""),
            is_internal=rule is not None or learned is not None,
        ),
    ]
    year = timezone.localtime(now).year
    if connection.vendor == "postgresql" and not uploads:
        _insert_filing_postgres(case, events, year)
    else:
        # Numbered inside the filing's transaction: a rolled-back filing leaves no gap. The
        # counter row stays locked until the commit, which serialises filings only for the
        # few statements below.
        with files_with_their_rows() as keep, transaction.atomic():
            case.tracking_number = TrackingCounter.next_number(year)
            case.save(force_insert=True)
            for event in events:
                event.case = case
            CaseEvent.objects.bulk_create(events)
            for upload in uploads:
                attachment = Attachment(
                    case=case,
                    original_name=upload.name,
                    kind=upload.kind,
                    content_type=upload.content_type,
                    size=len(upload.data),
                )
                attachment.file.save(upload.name, ContentFile(upload.data), save=False)
                keep(attachment.file)
                attachment.save()
    # The duplicate finder's nouns and the acknowledgement are written by a task after
    # commit: filing stays a few statements long whatever the length of the text (the
    # morphological analysis grows with it), and the tracking number is in the response.
    # A message the broker loses is made up for by ``after_filing_sweep`` (the case's own
    # ``acknowledged_at`` says what is still undone: no extra row at filing).
    case_id = case.pk
    live.case_changed(case.department_id)  # before the filing's task: the queue hears at once
    transaction.on_commit(lambda: _queue_after_filing(case_id))
    return case


_FILING_SQL = """
WITH n AS (
    INSERT INTO {counter} (year, last) VALUES (%s, 1)
    ON CONFLICT (year) DO UPDATE SET last = {counter}.last + 1 RETURNING last
), c AS (
    INSERT INTO {case} ({tracking_number}, {case_columns})
    VALUES ((SELECT %s || lpad(last::text, greatest(7, length(last::text)), '0') FROM n), {case_values})
    RETURNING id, {tracking_number}
), e AS (
    INSERT INTO {event} ({case_id}, {event_columns}) VALUES {event_rows}
)
SELECT id, {tracking_number} FROM c
"""
_filing_statement: dict = {}


def _filing_plan(event_count):
    """The one-statement filing for PostgreSQL and the fields whose values it takes, made once."""
    plan = _filing_statement.get(event_count)
    if plan is None:
        q = connection.ops.quote_name
        case_fields = [f for f in Case._meta.concrete_fields if not f.primary_key and f.name != "tracking_number"]
        event_fields = [f for f in CaseEvent._meta.concrete_fields if not f.primary_key and f.name != "case"]
        row = "((SELECT id FROM c), " + ", ".join(["%s"] * len(event_fields)) + ")"  # noqa: S608 - placeholders only
        sql = _FILING_SQL.format(
            counter=q(TrackingCounter._meta.db_table),
            case=q(Case._meta.db_table),
            tracking_number=q("tracking_number"),
            case_columns=", ".join(q(f.column) for f in case_fields),
            case_values=", ".join(["%s"] * len(case_fields)),
            event=q(CaseEvent._meta.db_table),
            case_id=q(CaseEvent._meta.get_field("case").column),
            event_columns=", ".join(q(f.column) for f in event_fields),
            event_rows=", ".join([row] * event_count),
        )
        plan = _filing_statement[event_count] = (sql, case_fields, event_fields)
    return plan


def _insert_filing_postgres(case, events, year):
    """Number the case, insert it and its events in one statement (one round trip, one
    transaction). The counter row is locked only while the statement runs, and a failed
    statement leaves nothing, not even a used number."""
    sql, case_fields, event_fields = _filing_plan(len(events))
    params = [year, f"{year}-"]
    params += [f.get_db_prep_save(f.pre_save(case, True), connection) for f in case_fields]
    for event in events:
        params += [f.get_db_prep_save(f.pre_save(event, True), connection) for f in event_fields]
    # In autocommit the statement is its own transaction; inside a caller's transaction a
    # savepoint keeps a failure from breaking it.
    with transaction.atomic() if not connection.get_autocommit() else nullcontext():
        with connection.prepared_cursor() as cursor:
            cursor.execute(sql, params)
            case.pk, case.tracking_number = cursor.fetchone()
    case._state.adding, case._state.db = False, connection.alias


def _queue_after_filing(case_id):
    from complaints.tasks import after_filing

    try:
        after_filing.delay(case_id)
    except Exception:  # noqa: BLE001 - the filing is committed; the sweep does the rest
        logger.warning("complaints: could not queue the after-filing work of case %s", case_id, exc_info=True)


# A filing's after-work not done after this was lost with its message: the sweep does it.
AFTER_FILING_GRACE = timedelta(minutes=1)


def after_filing_sweep(now=None, limit=500) -> list[int]:
    """Cases filed more than a minute ago (and within the last week) that were never
    acknowledged: their task was lost (a broker restarted without its data, a worker killed).
    Returns their ids, for the task to do their after-filing work again (safe to repeat)."""
    now = now or timezone.now()
    return list(
        Case.objects.filter(
            acknowledged_at__isnull=True,
            filed_at__lt=now - AFTER_FILING_GRACE,
            filed_at__gte=now - timedelta(days=7),
        )
        .order_by("filed_at")
        .values_list("pk", flat=True)[:limit]
    )


def case_index(*, case_id) -> bool:
    """Store the nouns of a case's title and text (for the duplicate finder), once."""
    case = Case.objects.filter(pk=case_id, nouns="").only("title", "text").first()
    if case is None:
        return False
    nouns = nouns_of(f"{case.title} {case.text}")
    return bool(nouns) and Case.objects.filter(pk=case_id, nouns="").update(nouns=nouns) == 1


def case_acknowledge(*, case_id) -> bool:
    """Tell the citizen their case was received, once (claimed by a conditional UPDATE)."""
    with transaction.atomic():
        if not Case.objects.filter(pk=case_id, acknowledged_at__isnull=True).update(acknowledged_at=timezone.now()):
            return False
        case = Case.objects.select_related("citizen__profile", "department").get(pk=case_id)
        if case.citizen_id is None:
            return False
        notify(
            [case.citizen],
            "complaints.filed",
            _("Your case %(number)s was received") % {"number": case.tracking_number},
            _(
                "It was sent to %(department)s and is due by %(due)s. "
                "Anyone with the tracking number and the access code %(code)s can follow it at %(track)s."
            )
            % {
                "department": case.department.name,
                "due": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M"),
                "code": case.access_code_display,
                "track": f"{settings.SITE_URL}{reverse('complaints:track')}",
            },
            link=case.get_absolute_url(),
        )
    return True
