"""What Eung-Dap-So does. Every door (views, API, call centre, Open311, admin) calls these.

Each service checks permissions with ``permissions.require``, locks the case row,
changes it, writes the event, and queues notifications (sent after commit).
"""

import logging
import time
from contextlib import nullcontext
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicportal import limits
from civicportal.accounts import permissions
from civicportal.accounts.business_calendar import deadline
from civicportal.accounts.districts import locate
from civicportal.accounts.models import Department, DepartmentMembership, District
from civicportal.errors import Conflict, DomainError
from civicportal.files import files_with_their_rows
from civicportal.notifications.services import notify
from complaints import live, suggestions
from complaints.models import (
    CONFIDENTIAL_KINDS,
    OPEN_STATUSES,
    PRIVATE_KINDS,
    STAFF_CHANNELS,
    Attachment,
    Case,
    CaseEvent,
    Channel,
    Kind,
    Rating,
    RoutingRule,
    SlaPolicy,
    Status,
    TrackingCounter,
)
from complaints.search import nouns_of
from complaints.uploads import clean_uploads

E = CaseEvent.Kind
DEFAULT_DEPARTMENT_CODE = "coordination-desk"

logger = logging.getLogger(__name__)


# --- helpers -------------------------------------------------------------------------


def _link(case):
    return reverse("complaints:detail", args=[case.tracking_number])


def _locked(case) -> Case:
    """Re-read ``case`` under a row lock (call inside a transaction)."""
    return Case.objects.select_for_update().get(pk=case.pk)


def _required_text(value, field, message):
    value = (value or "").strip()
    if not value:
        raise DomainError(message, code="required", field=field)
    return value


def _set_deadline(case: Case, start: datetime):
    """Every deadline comes from the business calendar; a new clock resets the SLA flags."""
    days = 1 if case.is_simple else _sla_days(case.kind)
    case.clock_started_at = start
    case.due_at = _deadline(start, days)
    case.warn_at = start + (case.due_at - start) * 0.8
    case.warned_at = None
    case.escalated_at = None


def default_department() -> Department:
    code = getattr(settings, "COMPLAINTS_DEFAULT_DEPARTMENT", DEFAULT_DEPARTMENT_CODE)
    department, _created = Department.objects.get_or_create(
        code=code,
        defaults={
            "name_ko": "민원총괄과",
            "name_en": "Civil Petitions Coordination Desk",
            "kind": Department.Kind.DIVISION,
        },
    )
    return department


# Per-process caches of small admin-edited tables read on every filing. Saving a rule or
# policy clears this process's copy at once (complaints.apps); other processes within a minute.
_CACHE_SECONDS = 60
_local_cache: dict = {}


def _cached(key, load):
    now = time.monotonic()
    hit = _local_cache.get(key)
    if hit is None or hit[0] < now:
        hit = (now + _CACHE_SECONDS, load())
        _local_cache[key] = hit
    return hit[1]


def clear_caches(**_kwargs):
    _local_cache.clear()
    suggestions.clear_caches()


def _districts() -> dict:
    return _cached("districts", lambda: {d.code: d for d in District.objects.all()})


def district_code_of(district_id) -> str:
    return next((code for code, d in _districts().items() if d.pk == district_id), "") if district_id else ""


def district_by_code(code) -> District | None:
    """Seoul's 25 districts by code, from this process's copy (filing reads one each time)."""
    return _districts().get(code)


def _active_rules():
    return _cached("rules", lambda: list(RoutingRule.objects.filter(is_active=True).select_related("department")))


def _sla_days(kind) -> int:
    return _cached(("sla", kind), lambda: SlaPolicy.days_for(kind))


def _deadline(start: datetime, days: int) -> datetime:
    """``business_calendar.deadline``, memoised: it depends only on the local date, whether the
    time is before the cut-off, and the period (the calendar itself is cached for minutes)."""
    local = timezone.localtime(start)
    before_cutoff = local.hour < settings.BUSINESS_DAY_CUTOFF_HOUR
    return _cached(("deadline", local.date(), before_cutoff, days), lambda: deadline(start, days))


def route(*, kind, category_id, district_id, text) -> tuple[Department, bool, RoutingRule | None]:
    """(department, is_simple, rule): the first matching active rule, else the office of the
    district the case is in, else the coordination desk."""
    for rule in _active_rules():
        if rule.matches(kind=kind, category_id=category_id, district_id=district_id, text=text):
            return rule.department, rule.marks_simple, rule
    office = _district_office(district_id) if district_id else None
    return office or default_department(), False, None


def _district_office(district_id) -> Department | None:
    return _cached(
        ("office", district_id),
        lambda: (
            Department.objects.filter(kind=Department.Kind.DISTRICT_OFFICE, district_id=district_id, is_active=True)
            .order_by("pk")
            .first()
        ),
    )


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
    where = locate(lat=lat, lon=lon, text=location_text, districts=_districts().values())
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
        where = locate(text=f"{district.name_ko} {location_text}", districts=_districts().values())
    return district, where.dong if where.district == district else ""


def _supervisors(department_id):
    return [
        m.user
        for m in DepartmentMembership.objects.filter(department_id=department_id, is_head=True).select_related("user")
    ]


def _department_officers(department_id):
    return [m.user for m in DepartmentMembership.objects.filter(department_id=department_id).select_related("user")]


# --- filing and routing -----------------------------------------------------------------


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
    title = limits.check_field(Case, "title", _required_text(title, "title", _("Enter a title.")))
    text = _required_text(text, "text", _("Describe your case."))
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
    department, simple, rule = route(
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
    _set_deadline(case, now)
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
            link=_link(case),
        )
    return True


def case_route(*, case, by) -> Case:
    """Re-run routing (e.g. after an administrator changed the rules)."""
    permissions.require(by, "complaints.handle_case", case)
    with transaction.atomic():
        case = _locked(case)
        if not case.is_open:
            raise Conflict(_("Only open cases can be routed again."))
        department, simple, rule = route(
            kind=case.kind, category_id=case.category_id, district_id=case.district_id, text=f"{case.title} {case.text}"
        )
        learned = None
        if rule is None:
            learned = suggestions.auto_route(
                kind=case.kind,
                title=case.title,
                text=case.text,
                category_id=case.category_id,
                district_code=district_code_of(case.district_id),
            )
            department = learned.department if learned else department
        if department.pk == case.department_id:
            return case
        note = rule.name if rule else (suggestions.routed_note(learned) if learned else "")
        event = case.transition_to(Status.RECEIVED, by=by, kind=E.ROUTED, note=note)
        event.from_department_id, event.to_department = case.department_id, department
        live.case_changed(case.department_id, department.pk)
        case.department, case.officer, case.is_simple = department, None, simple or case.is_simple
        _set_deadline(case, timezone.now())
        case.save()
        event.save()
    return case


# --- officers' work ---------------------------------------------------------------------------


def case_assign(*, case, officer, by) -> Case:
    """Give the case to ``officer`` (a member of its department)."""
    permissions.require(by, "complaints.assign_case", case)
    return _assign(case, officer=officer, by=by, claim=False)


def case_claim(*, case, by) -> Case:
    """An officer takes an unassigned case of their department. Two clicks: one wins."""
    permissions.require(by, "complaints.handle_case", case)
    return _assign(case, officer=by, by=by, claim=True)


def _assign(case, *, officer, by, claim) -> Case:
    if officer is None or not permissions.member_of(officer, case.department_id):
        raise DomainError(_("Choose an officer of this department."), field="officer")
    with transaction.atomic():
        case = _locked(case)  # the check and the change under one row lock
        if not case.is_open:
            raise Conflict(_("This case is no longer open."))
        if claim and case.officer_id == by.pk:
            return case
        if claim and case.officer_id is not None:
            raise Conflict(_("Another officer already took this case."))
        event = case.transition_to(
            Status.ASSIGNED, by=by, kind=E.CLAIMED if claim else E.ASSIGNED, note=officer.get_full_name()
        )
        case.officer = officer
        case.save(update_fields=["status", "officer"])
        event.save()
        live.case_changed(case.department_id)
        if officer.pk != by.pk:
            notify(
                [officer],
                "complaints.assigned",
                _("Case %(number)s was assigned to you") % {"number": case.tracking_number},
                case.title,
                link=reverse("complaints:workspace", args=[case.tracking_number]),
            )
    return case


def case_add_note(*, case, by, text) -> CaseEvent:
    permissions.require(by, "complaints.handle_case", case)
    text = _required_text(text, "text", _("Write a note."))
    limits.check_field(CaseEvent, "note", text, limit=limits.NOTE, field="text")
    return CaseEvent.objects.create(case=case, kind=E.NOTE, actor=by, note=text, is_internal=True)


def case_mark_simple(*, case, by, simple=True) -> Case:
    """A simple case is the one-day case; its deadline is recomputed from the same clock."""
    permissions.require(by, "complaints.handle_case", case)
    with transaction.atomic():
        case = _locked(case)
        if not case.is_open:
            raise Conflict(_("This case is no longer open."))
        if case.is_simple == simple:
            return case
        case.is_simple = simple
        _set_deadline(case, case.clock_started_at)
        case.save()
        live.case_changed(case.department_id)
        CaseEvent.objects.create(case=case, kind=E.MARKED_SIMPLE, actor=by, note="simple" if simple else "regular")
    return case


def _answer_one(case, *, by, text, now, note=""):
    event = case.transition_to(Status.ANSWERED, by=by, kind=E.ANSWERED, note=note)
    case.answer, case.answered_at, case.answered_by = text, now, by
    case.answer_round += 1
    case.save()
    event.at = now
    event.save()
    live.case_changed(case.department_id)
    if case.citizen_id:
        notify(
            [case.citizen],
            "complaints.answered",
            _("Your case %(number)s was answered") % {"number": case.tracking_number},
            text[:500],
            link=_link(case),
        )


def case_answer(*, case, by, text) -> Case:
    """Answer the case (and every open case linked to it as a duplicate)."""
    permissions.require(
        by, "complaints.handle_case", case, message=_("Only an officer of the handling department can answer.")
    )
    text = limits.check_field(Case, "answer", _required_text(text, "text", _("Write the answer.")), field="text")
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        if not case.is_open:
            raise Conflict(_("This case is not waiting for an answer."))
        if case.officer_id is None:
            case.officer = by
        _answer_one(case, by=by, text=text, now=now)
        for duplicate in Case.objects.select_for_update().filter(duplicate_of=case, status__in=OPEN_STATUSES):
            _answer_one(
                duplicate,
                by=by,
                text=text,
                now=now,
                note=_("Answered with %(number)s") % {"number": case.tracking_number},
            )
    return case


def case_transfer(*, case, by, to_department, reason) -> Case:
    """Send the case to another department, a district office, or outside Seoul (a ministry or
    another local government). The reason is mandatory and shown to the citizen."""
    permissions.require(by, "complaints.handle_case", case)
    reason = _required_text(reason, "reason", _("Give the reason for the transfer."))
    limits.check_length(reason, limits.NOTE, field="reason", label=_("reason"))
    if to_department is None:
        raise DomainError(_("Choose where to transfer the case."), field="to_department")
    if not to_department.is_active:
        raise DomainError(_("This department is no longer active."), field="to_department")
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        if not case.is_open:
            raise Conflict(_("Only open cases can be transferred."))
        if to_department.pk == case.department_id:
            raise DomainError(_("The case is already with this department."), field="to_department")
        external = to_department.is_external
        event = case.transition_to(
            Status.TRANSFERRED_OUT if external else Status.RECEIVED,
            by=by,
            kind=E.TRANSFERRED_OUT if external else E.TRANSFERRED,
            note=reason,
        )
        event.from_department_id, event.to_department = case.department_id, to_department
        live.case_changed(case.department_id, to_department.pk)
        case.department, case.officer = to_department, None
        if not external:
            _set_deadline(case, now)
        case.save()
        event.save()
        if case.citizen_id:
            notify(
                [case.citizen],
                "complaints.transferred",
                _("Your case %(number)s was transferred to %(department)s")
                % {"number": case.tracking_number, "department": to_department.name},
                reason,
                link=_link(case),
            )
    return case


def case_mark_duplicate(*, case, primary, by) -> Case:
    """Link ``case`` to the open or answered ``primary``; answering the primary answers it."""
    permissions.require(by, "complaints.handle_case", case)
    if primary is None or primary.pk == case.pk:
        raise DomainError(_("Choose another case as the primary."), field="primary")
    if primary.duplicate_of_id:
        raise DomainError(_("That case is itself a duplicate; link to its primary."), field="primary")
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        primary = Case.objects.get(pk=primary.pk)
        if not case.is_open:
            raise Conflict(_("Only open cases can be linked."))
        case.duplicate_of = primary
        case.save(update_fields=["duplicate_of"])
        live.case_changed(case.department_id)
        CaseEvent.objects.create(case=case, kind=E.DUPLICATE, actor=by, note=primary.tracking_number, is_internal=True)
        if primary.status in (Status.ANSWERED, Status.CLOSED):
            _answer_one(
                case,
                by=by,
                text=primary.answer,
                now=now,
                note=_("Answered with %(number)s") % {"number": primary.tracking_number},
            )
    return case


# --- citizens after the answer --------------------------------------------------------------


def case_rate(*, case, by, score, comment="") -> Rating:
    permissions.require(by, "complaints.rate_case", case, message=_("Only the citizen who filed the case can rate it."))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise DomainError(_("Give a score from 1 to 5."), field="score")
    comment = limits.check_field(Rating, "comment", (comment or "").strip())
    with transaction.atomic():
        case = _locked(case)
        if case.status not in (Status.ANSWERED, Status.CLOSED):
            raise Conflict(_("You can rate a case once it is answered."))
        try:
            with transaction.atomic():
                rating = Rating.objects.create(case=case, answer_round=case.answer_round, score=score, comment=comment)
        except IntegrityError:
            raise Conflict(_("You already rated this answer."))
        CaseEvent.objects.create(case=case, kind=E.RATED, actor=by, note=str(score))
    return rating


def case_request_additional_answer(*, case, by, text) -> Case:
    """Reopen an answered case with the citizen's question; a new deadline from now."""
    permissions.require(by, "complaints.rate_case", case, message=_("Only the citizen who filed the case can ask."))
    text = _required_text(text, "text", _("Say what is missing from the answer."))
    limits.check_field(CaseEvent, "note", text, limit=limits.NOTE, field="text")
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        if case.status not in (Status.ANSWERED, Status.CLOSED):
            raise Conflict(_("You can ask for an additional answer once the case is answered."))
        event = case.transition_to(Status.REOPENED, by=by, kind=E.REOPENED, note=text)
        _set_deadline(case, now)
        case.save()
        event.save()
        live.case_changed(case.department_id)
        recipients = [case.officer] if case.officer_id else _department_officers(case.department_id)
        notify(
            recipients,
            "complaints.reopened",
            _("Additional answer requested for %(number)s") % {"number": case.tracking_number},
            text[:500],
            link=reverse("complaints:workspace", args=[case.tracking_number]),
        )
    return case


# --- SLA sweep -------------------------------------------------------------------------------


def _batches(queryset, size):
    """Ids in ascending batches until none is left (a long outage is caught up in one run)."""
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield from ids
        last = ids[-1]


def sla_sweep(now=None, batch=500) -> dict:
    """Warn at 80% of the time, escalate when overdue. Idempotent and catches up.

    Candidates are read by their stored ``warn_at``/``due_at``, so a sweep after an
    outage finds everything it missed. Each case is claimed with a conditional UPDATE
    (``warned_at IS NULL`` / ``escalated_at IS NULL``) and acted on only if this sweep
    changed the row, so two sweeps running at once notify once."""
    now = now or timezone.now()
    warned = escalated = 0
    for case_id in _batches(Case.objects.due_for_warning(now), batch):
        with transaction.atomic():
            if not Case.objects.filter(pk=case_id, warned_at__isnull=True, due_at__gt=now).update(warned_at=now):
                continue
            case = Case.objects.select_related("officer").get(pk=case_id)
            CaseEvent.objects.create(case=case, kind=E.WARNED, at=now, is_internal=True)
            live.case_changed(case.department_id)
            recipients = [case.officer] if case.officer_id else _department_officers(case.department_id)
            notify(
                recipients,
                "complaints.due_soon",
                _("Case %(number)s is due %(due)s")
                % {"number": case.tracking_number, "due": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M")},
                case.title,
                link=reverse("complaints:workspace", args=[case.tracking_number]),
            )
            warned += 1
    for case_id in _batches(Case.objects.due_for_escalation(now), batch):
        with transaction.atomic():
            if not Case.objects.filter(pk=case_id, escalated_at__isnull=True).update(escalated_at=now):
                continue
            Case.objects.filter(pk=case_id, warned_at__isnull=True).update(warned_at=now)
            case = Case.objects.get(pk=case_id)
            CaseEvent.objects.create(case=case, kind=E.ESCALATED, at=now, is_internal=True)
            live.case_changed(case.department_id)
            notify(
                _supervisors(case.department_id),
                "complaints.overdue",
                _("Overdue: case %(number)s") % {"number": case.tracking_number},
                case.title,
                link=reverse("complaints:workspace", args=[case.tracking_number]),
                urgent=True,
            )
            escalated += 1
    return {"warned": warned, "escalated": escalated}
