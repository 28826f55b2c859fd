"""What Eung-Dap-So does with a case once it is filed: officers' work, the citizen after the
answer, and the SLA sweep. Filing is ``complaints.filing``; where a case goes and by when is
``complaints.routing``. Every door (views, API, call centre, Open311, admin) calls these.

Each service checks permissions with ``permissions.require``, locks the case row,
changes it, writes the event, and queues notifications (sent after commit).
"""

import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicportal import limits
from civicportal.accounts import permissions
from civicportal.accounts.models import DepartmentMembership
from civicportal.errors import Conflict, DomainError
from civicportal.notifications.services import notify
from complaints import filing, live, routing, suggestions
from complaints.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    Rating,
    Status,
)

E = CaseEvent.Kind

logger = logging.getLogger(__name__)


# --- helpers -------------------------------------------------------------------------


def _link(case):
    return reverse("complaints:detail", args=[case.tracking_number])


def _locked(case) -> Case:
    """Re-read ``case`` under a row lock (call inside a transaction)."""
    return Case.objects.select_for_update().get(pk=case.pk)


def _supervisors(department_id):
    return [
        m.user
        for m in DepartmentMembership.objects.filter(department_id=department_id, is_head=True).select_related("user")
    ]


def _department_officers(department_id):
    return [m.user for m in DepartmentMembership.objects.filter(department_id=department_id).select_related("user")]


def case_route(*, case, by) -> Case:
    """Re-run routing (e.g. after an administrator changed the rules)."""
    permissions.require(by, "complaints.handle_case", case)
    with transaction.atomic():
        case = _locked(case)
        if not case.is_open:
            raise Conflict(_("Only open cases can be routed again."))
        department, simple, rule = routing.route(
            kind=case.kind, category_id=case.category_id, district_id=case.district_id, text=f"{case.title} {case.text}"
        )
        learned = None
        if rule is None:
            learned = suggestions.auto_route(
                kind=case.kind,
                title=case.title,
                text=case.text,
                category_id=case.category_id,
                district_code=routing.district_code_of(case.district_id),
            )
            department = learned.department if learned else department
        if department.pk == case.department_id:
            return case
        note = rule.name if rule else (suggestions.routed_note(learned) if learned else "")
        event = case.transition_to(Status.RECEIVED, by=by, kind=E.ROUTED, note=note)
        event.from_department_id, event.to_department = case.department_id, department
        live.case_changed(case.department_id, department.pk)
        case.department, case.officer, case.is_simple = department, None, simple or case.is_simple
        routing.set_deadline(case, timezone.now())
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
    text = filing.required_text(text, "text", _("Write a note."))
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
        routing.set_deadline(case, case.clock_started_at)
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
    text = limits.check_field(Case, "answer", filing.required_text(text, "text", _("Write the answer.")), field="text")
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
    reason = filing.required_text(reason, "reason", _("Give the reason for the transfer."))
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
            routing.set_deadline(case, now)
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
    text = filing.required_text(text, "text", _("Say what is missing from the answer."))
    limits.check_field(CaseEvent, "note", text, limit=limits.NOTE, field="text")
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        if case.status not in (Status.ANSWERED, Status.CLOSED):
            raise Conflict(_("You can ask for an additional answer once the case is answered."))
        event = case.transition_to(Status.REOPENED, by=by, kind=E.REOPENED, note=text)
        routing.set_deadline(case, now)
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
