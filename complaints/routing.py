"""Where a case goes and by when: the routing rules, the district offices, the coordination
desk, and the deadline from the SLA policy and the business calendar. Small admin-edited
tables are read from per-process caches (cleared on save, see ``complaints.apps``)."""

import time
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from civicportal.accounts.business_calendar import deadline
from civicportal.accounts.models import Department, District
from complaints import suggestions
from complaints.models import Case, RoutingRule, SlaPolicy

DEFAULT_DEPARTMENT_CODE = "coordination-desk"


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


def districts() -> dict:
    return _cached("districts", lambda: {d.code: d for d in District.objects.all()})


def district_code_of(district_id) -> str:
    return next((code for code, d in districts().items() if d.pk == district_id), "") if district_id else ""


def district_by_code(code) -> District | None:
    """Seoul's 25 districts by code, from this process's copy (filing reads one each time)."""
    return districts().get(code)


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


def set_deadline(case: Case, start: datetime):
    """Every deadline comes from the business calendar; a new clock resets the SLA flags."""
    days = 1 if case.is_simple else _sla_days(case.kind)
    case.clock_started_at = start
    case.due_at = _deadline(start, days)
    case.warn_at = start + (case.due_at - start) * 0.8
    case.warned_at = None
    case.escalated_at = None
