"""Everything Oasis does that changes state: the one module every door calls.

Each function checks the acting user's permission and the proposal's state, raises a
``DomainError`` (nothing written) or does its whole job in one transaction.
"""

from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civicportal import limits, uploads
from civicportal.accounts import business_calendar, permissions
from civicportal.accounts.districts import locate
from civicportal.accounts.models import Department, Role
from civicportal.errors import Conflict, DomainError, NotAllowed, NotFound
from civicportal.files import files_with_their_rows
from civicportal.notifications.services import notify
from civicportal.outbox.services import queue_after_commit
from proposals.models import (
    SCORE_MAX,
    SCORE_MIN,
    Comment,
    Decision,
    Evaluation,
    EvaluatorAssignment,
    ImplementationUpdate,
    PanelMember,
    Proposal,
    ProposalEvent,
    ProposalImage,
    ProposalRevision,
    ProposalVote,
    ThemedCall,
    vote_threshold,
)

Status = Proposal.Status
TEXT_FIELDS = ("title", "problem", "idea", "expected_effect")
MAX_IMAGES = 5
REMINDER_BUSINESS_DAYS = 7


def voting_days() -> int:
    return int(getattr(settings, "PROPOSAL_VOTING_DAYS", 30))


def min_evaluations() -> int:
    return int(getattr(settings, "PROPOSAL_MIN_EVALUATIONS", 1))


def default_department():
    code = getattr(settings, "PROPOSAL_DEFAULT_DEPARTMENT", "policy-planning")
    return Department.objects.filter(code=code).first()


def _link(proposal):
    return f"/proposals/{proposal.pk}/"


def _locked(proposal_id) -> Proposal:
    """The proposal row, locked until the end of the transaction."""
    try:
        return Proposal.objects.select_for_update().get(pk=proposal_id)
    except Proposal.DoesNotExist:
        raise NotFound(_("No such proposal.")) from None


# --- Gatekeepers --------------------------------------------------------------


def get_proposal_for_user(user, proposal_id) -> Proposal:
    """A proposal ``user`` may see: public ones, one's own drafts, and every one to an
    administrator (who sees drafts and their images in admin)."""
    proposal = (
        Proposal.objects.select_related("author", "department", "themed_call", "decision")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise NotFound(_("No such proposal."))
    if proposal.is_public or proposal.author_id == getattr(user, "pk", None):
        return proposal
    if getattr(user, "is_superuser", False) or permissions.is_administrator(user):
        return proposal
    raise NotFound(_("No such proposal."))


def get_proposal_for_review(user, proposal_id) -> Proposal:
    """A proposal in the department's workspace. A draft is its author's alone: NotFound,
    as for a missing id. A submitted proposal is public, so a user who may not see its
    review is told so (NotAllowed)."""
    proposal = (
        Proposal.objects.select_related("author", "department", "themed_call", "decision")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None or not proposal.is_public:
        raise NotFound(_("No such proposal."))
    permissions.require(user, "proposals.view_review", proposal)
    return proposal


# --- Images -------------------------------------------------------------------


def clean_image(upload) -> ContentFile:
    """Verify an uploaded image and re-encode it as a JPEG at most 2400 px a side, without metadata."""
    try:
        return uploads.clean_image(upload, allowed_formats=uploads.WEB_FORMATS, output_format="JPEG", max_side=2400)
    except uploads.UploadRejected as rejected:
        if rejected.code in ("too_large", "too_many_pixels"):
            raise DomainError(_("The image is too large."), field="images") from None
        if rejected.code == "unsupported_format":
            raise DomainError(_("Only JPEG, PNG, GIF or WebP images are accepted."), field="images") from None
        raise DomainError(_("This file is not an image we can read."), field="images") from None


# --- Citizen actions ----------------------------------------------------------


def _check_text(data):
    for field in TEXT_FIELDS:
        if not (data.get(field) or "").strip():
            raise DomainError(_("This field is required."), field=field)


def _resolve_call(value):
    if value in (None, ""):
        return None
    if isinstance(value, ThemedCall):
        return value
    call = ThemedCall.objects.filter(pk=value).first() if str(value).isdigit() else None
    if call is None:
        raise DomainError(_("No such themed call."), field="themed_call")
    return call


def _themed_call_for_submission(themed_call):
    if themed_call is None:
        return None
    if not themed_call.is_open():
        raise Conflict(_("This themed call is not open for proposals."), code="themed_call_closed", field="themed_call")
    return themed_call


def proposal_save_draft(*, author, proposal=None, images=(), **data) -> Proposal:
    """Create or update a draft. Only the author edits a draft."""
    permissions.require(author, "proposals.submit_proposal")
    with files_with_their_rows() as keep, transaction.atomic():
        if proposal is None:
            proposal = Proposal(author=author, status=Status.DRAFT)
        else:
            proposal = _locked(proposal.pk)
            if proposal.author_id != author.pk:
                raise NotFound(_("No such proposal."))
            if proposal.status != Status.DRAFT:
                raise Conflict(_("Only a draft can be edited."), code="not_draft")
        limits.check_model_fields(Proposal, {f: data[f] for f in (*TEXT_FIELDS, "location_text") if data.get(f)})
        for field in (*TEXT_FIELDS, "location_text"):
            if field in data:
                setattr(proposal, field, (data[field] or "").strip())
        for field in ("lat", "lon", "district", "department"):
            if field in data:
                setattr(proposal, field, data[field])
        _derive_district(proposal)
        if "themed_call" in data:
            proposal.themed_call = _resolve_call(data["themed_call"])
        if not proposal.title:
            raise DomainError(_("A draft needs at least a title."), field="title")
        proposal.save()
        _add_images(proposal, images, keep)
    return proposal


def _derive_district(proposal):
    """A proposal about a place gets the district its position or its place names
    (the resolver every door uses); a position outside Seoul is refused."""
    if proposal.district_id is not None:
        return
    where = locate(lat=proposal.lat, lon=proposal.lon, text=proposal.location_text)
    if where.outside:
        raise DomainError(_("This position is outside Seoul."), code="outside_seoul", field="lat")
    proposal.district = where.district


def _add_images(proposal, images, keep):
    images = [i for i in images if i]
    if not images:
        return
    if proposal.images.count() + len(images) > MAX_IMAGES:
        raise DomainError(_("At most %(n)d images.") % {"n": MAX_IMAGES}, field="images")
    cleaned = [clean_image(upload) for upload in images]
    for content in cleaned:
        image = ProposalImage(proposal=proposal)
        image.image.save(content.name, content, save=False)
        keep(image.image)
        image.save()


def proposal_add_images(*, author, proposal_id, images) -> Proposal:
    """Attach images to the author's draft (verified, re-encoded without metadata)."""
    permissions.require(author, "proposals.submit_proposal")
    with files_with_their_rows() as keep, transaction.atomic():
        proposal = _locked(proposal_id)
        if proposal.author_id != author.pk:
            raise NotFound(_("No such proposal."))
        if proposal.status != Status.DRAFT:
            raise Conflict(_("Images are added to a draft, before it is submitted."), code="not_draft")
        if not [i for i in images if i]:
            raise DomainError(_("Choose an image."), field="images")
        _add_images(proposal, images, keep)
    return proposal


def proposal_submit(*, author, proposal=None, images=(), **data) -> Proposal:
    """Publish a proposal (a new one, or the author's draft) for citizens' support."""
    permissions.require(author, "proposals.submit_proposal")
    with files_with_their_rows() as keep, transaction.atomic():
        if proposal is not None:
            proposal = _locked(proposal.pk)
            if proposal.author_id != author.pk:
                raise NotFound(_("No such proposal."))
            if proposal.status != Status.DRAFT:
                raise Conflict(_("This proposal was already submitted."), code="already_submitted")
        else:
            proposal = Proposal(author=author, status=Status.DRAFT)
        limits.check_model_fields(Proposal, {f: data[f] for f in (*TEXT_FIELDS, "location_text") if data.get(f)})
        for field in (*TEXT_FIELDS, "location_text"):
            if field in data:
                setattr(proposal, field, (data[field] or "").strip())
        for field in ("lat", "lon", "district", "department"):
            if field in data:
                setattr(proposal, field, data[field])
        _derive_district(proposal)
        if "themed_call" in data:
            proposal.themed_call = _resolve_call(data["themed_call"])
        _check_text({f: getattr(proposal, f) for f in TEXT_FIELDS})
        proposal.themed_call = _themed_call_for_submission(proposal.themed_call)
        if proposal.themed_call is not None:
            proposal.department = proposal.themed_call.department
        if proposal.department is None:
            proposal.department = default_department()
        proposal.voting_closes_at = timezone.now() + timedelta(days=voting_days())
        proposal.save()
        _add_images(proposal, images, keep)
        proposal.transition_to(Status.OPEN, by=author, kind=ProposalEvent.Kind.SUBMITTED)
    return proposal


def proposal_vote(*, voter, proposal_id) -> Proposal:
    """Support a proposal. Holding the row lock, the vote is inserted, the count
    incremented, and the proposal moved to review when it has MORE than the
    threshold: concurrent voters cross the threshold exactly once."""
    permissions.require(voter, "proposals.vote_proposal", message=_("Only citizens can support proposals."))
    with transaction.atomic():
        proposal = _locked(proposal_id)
        if proposal.status == Status.DRAFT:
            raise NotFound(_("No such proposal."))
        if proposal.author_id == voter.pk:
            raise Conflict(_("You cannot support your own proposal."), code="own_proposal")
        if proposal.status != Status.OPEN:
            raise Conflict(_("This proposal is no longer open for support."), code="voting_closed")
        if proposal.voting_closes_at and proposal.voting_closes_at <= timezone.now():
            raise Conflict(_("The support period of this proposal has ended."), code="voting_closed")
        try:
            with transaction.atomic():
                ProposalVote.objects.create(proposal=proposal, voter=voter, proposal_author_id=proposal.author_id)
        except IntegrityError:
            raise Conflict(_("You have already supported this proposal."), code="already_voted") from None
        Proposal.objects.filter(pk=proposal.pk).update(vote_count=F("vote_count") + 1)
        proposal.refresh_from_db(fields=["vote_count"])
        if proposal.vote_count > vote_threshold():
            proposal.transition_to(
                Status.IN_REVIEW,
                kind=ProposalEvent.Kind.THRESHOLD,
                note=_("%(n)d citizens supported it.") % {"n": proposal.vote_count},
            )
            notify(
                [proposal.author],
                "proposals.in_review",
                _("Your proposal is going to review"),
                _("“%(title)s” has the support it needs and goes to expert review.") % {"title": proposal.title},
                link=_link(proposal),
            )
            department_officers = proposal.department.memberships.select_related("user") if proposal.department else []
            notify(
                [m.user for m in department_officers],
                "proposals.review_needed",
                _("A proposal needs review"),
                proposal.title,
                link=f"/proposals/workspace/{proposal.pk}/",
            )
    return proposal


def proposal_comment(*, author, proposal_id, text) -> Comment:
    permissions.require(author, "proposals.comment_proposal")
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write a comment first."), field="text")
    limits.check_field(Comment, "text", text)
    proposal = get_proposal_for_user(author, proposal_id)
    if not proposal.is_public:
        raise Conflict(_("A draft cannot be commented."))
    return Comment.objects.create(proposal=proposal, author=author, text=text)


def revision_answer(*, author, revision_id, accept: bool) -> ProposalRevision:
    """The author accepts (text replaced; original kept on the revision) or declines."""
    with transaction.atomic():
        revision = ProposalRevision.objects.select_for_update().filter(pk=revision_id).first()
        if revision is None or revision.proposal.author_id != author.pk:
            raise NotFound(_("No such revision."))
        if revision.consent != ProposalRevision.Consent.PENDING:
            raise Conflict(_("This revision was already answered."))
        proposal = _locked(revision.proposal_id)
        revision.consent = ProposalRevision.Consent.ACCEPTED if accept else ProposalRevision.Consent.DECLINED
        revision.answered_at = timezone.now()
        revision.save(update_fields=["consent", "answered_at"])
        if accept:
            for field in TEXT_FIELDS:
                setattr(proposal, field, getattr(revision, field))
            proposal.save(update_fields=[*TEXT_FIELDS, "updated_at"])
        ProposalEvent.objects.create(
            proposal=proposal,
            actor=author,
            kind=ProposalEvent.Kind.REVISION_ANSWERED,
            note=revision.get_consent_display(),
        )
    return revision


# --- Department and evaluators --------------------------------------------------


def _require_department(user, proposal):
    if not proposal.is_public:
        raise NotFound(_("No such proposal."))  # a draft is the author's alone
    permissions.require(
        user, "proposals.review_proposal", proposal, message=_("Only the responsible department can do this.")
    )


def evaluator_assign(*, officer, proposal_id, evaluator_user_ids) -> list[EvaluatorAssignment]:
    """Assign panel members to a proposal in review."""
    with transaction.atomic():
        proposal = _locked(proposal_id)
        _require_department(officer, proposal)
        if proposal.status != Status.IN_REVIEW:
            raise Conflict(_("Evaluators are assigned only while the proposal is in review."))
        ids = [int(i) for i in evaluator_user_ids]
        if not ids:
            raise DomainError(_("Choose at least one evaluator."), field="evaluators")
        seats = list(
            PanelMember.objects.filter(user_id__in=ids, active=True, user__groups__name=Role.EVALUATOR).select_related(
                "user"
            )
        )
        if len({s.user_id for s in seats}) != len(set(ids)):
            raise DomainError(_("Only active members of the expert panels can evaluate."), field="evaluators")
        created = []
        for seat in seats:
            assignment, made = EvaluatorAssignment.objects.get_or_create(
                proposal=proposal, evaluator=seat, defaults={"assigned_by": officer}
            )
            if made:
                created.append(assignment)
                ProposalEvent.objects.create(
                    proposal=proposal,
                    actor=officer,
                    kind=ProposalEvent.Kind.ASSIGNED,
                    note=seat.get_panel_display(),
                )
        if created:
            notify(
                [a.evaluator.user for a in created],
                "proposals.evaluation_requested",
                _("A proposal to evaluate"),
                proposal.title,
                link=f"/proposals/evaluations/{proposal.pk}/",
            )
    return created


def get_assignment_for_evaluator(user, proposal_id) -> EvaluatorAssignment:
    assignment = (
        EvaluatorAssignment.objects.select_related("proposal", "evaluator")
        .filter(proposal_id=proposal_id, evaluator__user=user)
        .first()
    )
    if assignment is None:
        raise NotAllowed(_("You are not an evaluator of this proposal."))
    return assignment


def evaluation_submit(*, evaluator, proposal_id, necessity, effectiveness, feasibility, budget, comment) -> Evaluation:
    """An assigned panel member scores the proposal (each score 1-5), once."""
    permissions.require(evaluator, "proposals.evaluate_proposal", message=_("Only panel evaluators can evaluate."))
    scores = {"necessity": necessity, "effectiveness": effectiveness, "feasibility": feasibility, "budget": budget}
    for field, value in scores.items():
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise DomainError(_("Give a score."), field=field) from None
        if not SCORE_MIN <= value <= SCORE_MAX:
            raise DomainError(
                _("A score is between %(low)d and %(high)d.") % {"low": SCORE_MIN, "high": SCORE_MAX}, field=field
            )
        scores[field] = value
    if not (comment or "").strip():
        raise DomainError(_("Explain your scores in a comment."), field="comment")
    limits.check_field(Evaluation, "comment", comment.strip())
    with transaction.atomic():
        proposal = _locked(proposal_id)
        if not proposal.is_public:
            raise NotFound(_("No such proposal."))
        assignment = get_assignment_for_evaluator(evaluator, proposal.pk)
        if not assignment.evaluator.active:
            raise NotAllowed(_("You are no longer on the panel."))
        if proposal.status != Status.IN_REVIEW:
            raise Conflict(_("This proposal is not in review."))
        if Evaluation.objects.filter(assignment=assignment).exists():
            raise Conflict(_("You have already evaluated this proposal."), code="already_evaluated")
        evaluation = Evaluation.objects.create(assignment=assignment, comment=comment.strip(), **scores)
        ProposalEvent.objects.create(
            proposal=proposal,
            actor=evaluator,
            kind=ProposalEvent.Kind.EVALUATED,
            note=assignment.evaluator.get_panel_display(),
        )
    return evaluation


def revision_propose(*, officer, proposal_id, note="", **text) -> ProposalRevision:
    """A policy specialist of the department proposes a revised text; the author decides."""
    with transaction.atomic():
        proposal = _locked(proposal_id)
        _require_department(officer, proposal)
        if proposal.status != Status.IN_REVIEW:
            raise Conflict(_("The text can be revised only during review."))
        _check_text(text)
        limits.check_model_fields(ProposalRevision, {"note": note or "", **{f: text[f] for f in TEXT_FIELDS}})
        if ProposalRevision.objects.filter(proposal=proposal, consent=ProposalRevision.Consent.PENDING).exists():
            raise Conflict(_("A revision is already waiting for the author."))
        revision = ProposalRevision.objects.create(
            proposal=proposal,
            revised_by=officer,
            note=note,
            **{f"original_{f}": getattr(proposal, f) for f in TEXT_FIELDS},
            **{f: text[f].strip() for f in TEXT_FIELDS},
        )
        ProposalEvent.objects.create(proposal=proposal, actor=officer, kind=ProposalEvent.Kind.REVISION_PROPOSED)
        notify(
            [proposal.author],
            "proposals.revision",
            _("A revised text of your proposal needs your consent"),
            proposal.title,
            link=_link(proposal),
        )
    return revision


def proposal_decide(*, officer, proposal_id, outcome, summary, **grounds) -> Decision:
    """Publish the department's answer; needs evaluations. Author and voters are notified."""
    with transaction.atomic():
        proposal = _locked(proposal_id)
        _require_department(officer, proposal)
        if proposal.status != Status.IN_REVIEW:
            raise Conflict(_("Only a proposal in review can be decided."), code="invalid_transition")
        done = Evaluation.objects.filter(assignment__proposal=proposal).count()
        if done < min_evaluations():
            raise Conflict(_("A decision needs the experts' evaluations first."), code="no_evaluations")
        if not (summary or "").strip():
            raise DomainError(_("Write the department's opinion."), field="summary")
        limits.check_model_fields(Decision, {"summary": summary, **grounds})
        fields = {"summary": summary.strip()}
        if outcome == Decision.Outcome.ADOPTED:
            for field in ("necessity", "effectiveness", "feasibility"):
                value = (grounds.get(field) or "").strip()
                if not value:
                    raise DomainError(_("An adopted proposal states its %(f)s.") % {"f": _(field)}, field=field)
                fields[field] = value
            budget = grounds.get("required_budget")
            if budget in (None, ""):
                raise DomainError(_("State the required budget."), field="required_budget")
            try:
                budget = int(budget)
            except (TypeError, ValueError):
                raise DomainError(_("The budget is a number of won."), field="required_budget") from None
            if budget < 0:
                raise DomainError(_("The budget is a number of won."), field="required_budget")
            fields["required_budget"] = budget
            new_status = Status.ADOPTED
        elif outcome == Decision.Outcome.REJECTED:
            flags = {
                f: bool(grounds.get(f))
                for f in ("reason_validity", "reason_effectiveness", "reason_budget", "reason_ordinances")
            }
            if not any(flags.values()):
                raise DomainError(_("Tick at least one reason."), field="reason_validity")
            reasons = (grounds.get("reasons") or "").strip()
            if not reasons:
                raise DomainError(_("Explain the reasons."), field="reasons")
            fields.update(flags, reasons=reasons)
            new_status = Status.REJECTED
        else:
            raise DomainError(_("Choose adopted or not adopted."), field="outcome")
        decision = Decision.objects.create(proposal=proposal, outcome=outcome, decided_by=officer, **fields)
        proposal.transition_to(new_status, by=officer, kind=ProposalEvent.Kind.DECIDED, note=fields["summary"][:500])
        notify(
            [proposal.author],
            "proposals.decided",
            _("The city answered your proposal"),
            _("“%(title)s”: %(outcome)s") % {"title": proposal.title, "outcome": decision.get_outcome_display()},
            link=_link(proposal),
        )
        queue_after_commit("proposals.tasks.notify_voters_of_decision", decision.pk)
    return decision


def implementation_update(*, officer, proposal_id, text, completed=False) -> ImplementationUpdate:
    with transaction.atomic():
        proposal = _locked(proposal_id)
        _require_department(officer, proposal)
        if proposal.status not in (Status.ADOPTED, Status.IMPLEMENTING):
            raise Conflict(_("Only an adopted proposal is tracked to implementation."))
        if not (text or "").strip():
            raise DomainError(_("Describe the progress."), field="text")
        limits.check_field(ImplementationUpdate, "text", text.strip())
        update = ImplementationUpdate.objects.create(
            proposal=proposal, author=officer, text=text.strip(), completed=bool(completed)
        )
        target = Status.IMPLEMENTED if completed else Status.IMPLEMENTING
        if proposal.status != target:
            proposal.transition_to(target, by=officer, kind=ProposalEvent.Kind.IMPLEMENTATION, note=text.strip()[:500])
        else:
            ProposalEvent.objects.create(
                proposal=proposal, actor=officer, kind=ProposalEvent.Kind.IMPLEMENTATION, note=text.strip()[:500]
            )
        notify(
            [proposal.author],
            "proposals.implementation",
            _("News about your proposal"),
            proposal.title,
            link=_link(proposal),
        )
    return update


# --- Sweeps (beat) and fan-out ----------------------------------------------------

VOTER_CHUNK = 1000


def voter_chunks(decision_id):
    """Key ranges of voter ids for the decision fan-out (claimed once)."""
    claimed = Decision.objects.filter(pk=decision_id, voters_notified_at__isnull=True).update(
        voters_notified_at=timezone.now()
    )
    if not claimed:
        return []
    decision = Decision.objects.get(pk=decision_id)
    ids = list(
        ProposalVote.objects.filter(proposal_id=decision.proposal_id)
        .order_by("voter_id")
        .values_list("voter_id", flat=True)
    )
    return [ids[i : i + VOTER_CHUNK] for i in range(0, len(ids), VOTER_CHUNK)]


def notify_voters(*, decision_id, voter_ids) -> int:
    from django.contrib.auth import get_user_model

    decision = Decision.objects.select_related("proposal").filter(pk=decision_id).first()
    if decision is None:
        return 0
    proposal = decision.proposal
    users = list(get_user_model().objects.filter(pk__in=voter_ids, is_active=True))
    created = notify(
        users,
        "proposals.decided_voter",
        _("A proposal you supported was answered"),
        _("“%(title)s”: %(outcome)s") % {"title": proposal.title, "outcome": decision.get_outcome_display()},
        link=_link(proposal),
    )
    return len(created)


def themed_calls_sweep(now=None) -> tuple[int, int]:
    """Open and close themed calls on time. Idempotent (conditional updates)."""
    now = now or timezone.now()
    opened = ThemedCall.objects.filter(status=ThemedCall.Status.SCHEDULED, opens_at__lte=now, closes_at__gt=now).update(
        status=ThemedCall.Status.OPEN
    )
    closed = ThemedCall.objects.filter(
        status__in=[ThemedCall.Status.SCHEDULED, ThemedCall.Status.OPEN], closes_at__lte=now
    ).update(status=ThemedCall.Status.CLOSED)
    return opened, closed


def voting_sweep(now=None) -> int:
    """Close the support period of proposals that did not reach the threshold in time."""
    now = now or timezone.now()
    closed = 0
    for pk in Proposal.objects.filter(status=Status.OPEN, voting_closes_at__lte=now).values_list("pk", flat=True)[
        :1000
    ]:
        with transaction.atomic():
            proposal = _locked(pk)
            if proposal.status != Status.OPEN or proposal.voting_closes_at > now:
                continue
            proposal.transition_to(Status.CLOSED, kind=ProposalEvent.Kind.CLOSED)
            notify(
                [proposal.author],
                "proposals.closed",
                _("The support period of your proposal ended"),
                proposal.title,
                link=_link(proposal),
            )
            closed += 1
    return closed


def reminder_due(assigned_at):
    """When an evaluator who has not answered is reminded: 7 business days later."""
    local = timezone.localtime(assigned_at)
    day = business_calendar.add_business_days(local.date(), REMINDER_BUSINESS_DAYS)
    return business_calendar.end_of_day(day)


def evaluator_reminders_sweep(now=None) -> int:
    """Remind each evaluator once whose evaluation is 7 business days late."""
    now = now or timezone.now()
    candidates = (
        EvaluatorAssignment.objects.filter(
            reminded_at__isnull=True, evaluation__isnull=True, proposal__status=Status.IN_REVIEW
        )
        .filter(assigned_at__lte=now - timedelta(days=REMINDER_BUSINESS_DAYS))
        .select_related("proposal", "evaluator__user")
    )
    sent = 0
    for assignment in candidates[:1000]:
        if reminder_due(assignment.assigned_at) > now:
            continue
        with transaction.atomic():
            claimed = EvaluatorAssignment.objects.filter(pk=assignment.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            notify(
                [assignment.evaluator.user],
                "proposals.evaluation_reminder",
                _("Reminder: an evaluation is waiting"),
                assignment.proposal.title,
                link=f"/proposals/evaluations/{assignment.proposal_id}/",
            )
            ProposalEvent.objects.create(proposal=assignment.proposal, kind=ProposalEvent.Kind.REMINDED)
            sent += 1
    return sent


def themed_call_create(*, officer, department, title, description, opens_at, closes_at) -> ThemedCall:
    permissions.require(officer, "proposals.manage_themed_call", department)
    if closes_at <= opens_at:
        raise DomainError(_("A call closes after it opens."), field="closes_at")
    limits.check_model_fields(ThemedCall, {"title": title, "description": description})
    status = ThemedCall.Status.OPEN if opens_at <= timezone.now() < closes_at else ThemedCall.Status.SCHEDULED
    return ThemedCall.objects.create(
        department=department,
        title=title,
        description=description,
        opens_at=opens_at,
        closes_at=closes_at,
        status=status,
        created_by=officer,
    )
