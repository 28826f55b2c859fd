"""Browser pages of Oasis: parse, call one service, render."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicportal.accounts import permissions
from civicportal.dbrouting import reads_may_lag
from civicportal.errors import DomainError, NotAllowed, NotFound
from civicportal.files import api_token_accepted, file_response
from proposals import selectors, services
from proposals.forms import (
    AssignForm,
    CommentForm,
    DecisionForm,
    EvaluationForm,
    ImplementationForm,
    ProposalForm,
    RevisionForm,
    ThemedCallForm,
)
from proposals.models import EvaluatorAssignment, Proposal, ProposalRevision, ProposalVote, ThemedCall
from proposals.pagination import CachedCountPaginator


def _page(request, qs, per_page=20, *, public=False):
    """A page of ``qs``; public lists cache their total briefly (see proposals.pagination)."""
    paginator = CachedCountPaginator if public else Paginator
    return paginator(qs, per_page).get_page(request.GET.get("page"))


def _form_error(form, exc):
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


# --- Public --------------------------------------------------------------------


@reads_may_lag
def index(request):
    kind = request.GET.get("list", "newest")
    if kind not in selectors.LISTS:
        kind = "newest"
    page = _page(request, selectors.public_list(kind), public=True)
    calls = ThemedCall.objects.open_at().select_related("department")[:5]
    return render(
        request,
        "proposals/index.html",
        {
            "page": page,
            "proposals": page.object_list,
            "list": kind,
            "open_calls": calls,
            "threshold": services.vote_threshold(),
        },
    )


def detail(request, pk):
    try:
        proposal = services.get_proposal_for_user(request.user, pk)
    except DomainError:
        raise Http404 from None
    user = request.user
    context = {
        "proposal": proposal,
        "images": proposal.images.all(),
        "events": proposal.events.all(),
        "comments": proposal.comments.filter(hidden=False).select_related("author"),
        "comment_form": CommentForm(),
        "updates": proposal.implementation_updates.all(),
        "decision": getattr(proposal, "decision", None),
        "has_voted": user.is_authenticated and ProposalVote.objects.filter(proposal=proposal, voter=user).exists(),
        "can_vote": proposal.status == Proposal.Status.OPEN and user.is_authenticated and user.pk != proposal.author_id,
        "is_author": user.is_authenticated and user.pk == proposal.author_id,
        "pending_revision": proposal.revisions.filter(consent=ProposalRevision.Consent.PENDING).first()
        if user.is_authenticated and user.pk == proposal.author_id
        else None,
        "revisions": proposal.revisions.exclude(consent=ProposalRevision.Consent.PENDING),
        "threshold": services.vote_threshold(),
        "is_department": permissions.can(user, "proposals.review_proposal", proposal),
    }
    return render(request, "proposals/detail.html", context)


@require_GET
@api_token_accepted
def image(request, pk, image):
    """An image of a proposal, to whoever may see the proposal: anyone once it is submitted,
    the author alone while it is a draft."""
    try:
        proposal = services.get_proposal_for_user(request.user, pk)
    except DomainError:
        raise Http404 from None
    item = get_object_or_404(proposal.images.all(), pk=image)
    # An image never changes under its id, and a submitted proposal stays public.
    return file_response(item.image, cache="private, max-age=86400" if proposal.is_public else "private, no-cache")


@reads_may_lag
def themed_calls(request):
    now = timezone.now()
    calls = (
        ThemedCall.objects.select_related("department")
        .annotate(proposal_count=Count("proposals", filter=~Q(proposals__status=Proposal.Status.DRAFT)))
        .order_by("-opens_at", "-id")
    )
    return render(
        request,
        "proposals/themed_calls.html",
        {
            "open_calls": calls.open_at(now),
            "upcoming": calls.filter(opens_at__gt=now).exclude(status=ThemedCall.Status.CANCELLED),
            "past": calls.filter(closes_at__lte=now)[:50],
        },
    )


def themed_call_detail(request, pk):
    call = get_object_or_404(ThemedCall.objects.select_related("department"), pk=pk)
    page = _page(
        request, Proposal.objects.public().filter(themed_call=call).order_by("-vote_count", "-id"), public=True
    )
    return render(
        request, "proposals/themed_call_detail.html", {"call": call, "page": page, "proposals": page.object_list}
    )


@reads_may_lag
def statistics(request):
    return render(request, "proposals/statistics.html", {"rows": selectors.yearly_statistics()})


@reads_may_lag
def statistics_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="oasis-statistics.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM
    writer = csv.writer(response)
    writer.writerow(["year", "received", "adopted", "not_adopted", "adoption_rate_percent"])
    for row in selectors.yearly_statistics():
        writer.writerow([row["year"], row["received"], row["adopted"], row["rejected"], row["rate"]])
    return response


def similar(request):
    """htmx partial: public proposals similar to the title being typed."""
    title = request.GET.get("title", "")[:200]
    found = selectors.similar_proposals(title=title) if len(title.strip()) >= 4 else []
    return render(request, "proposals/_similar.html", {"similar": found})


# --- Citizen -------------------------------------------------------------------


@login_required
def submit(request, pk=None):
    """New proposal or a draft being edited: "save draft" or "submit"."""
    draft = None
    if pk is not None:
        draft = get_object_or_404(Proposal, pk=pk, author=request.user, status=Proposal.Status.DRAFT)
    initial = {}
    if draft:
        initial = {f: getattr(draft, f) for f in ("title", "problem", "idea", "expected_effect", "location_text")}
        initial.update(themed_call=draft.themed_call, department=draft.department, district=draft.district)
    elif request.GET.get("call"):
        initial["themed_call"] = request.GET["call"]
    form = ProposalForm(request.POST or None, request.FILES or None, initial=initial)
    similar = []
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "submit")
        data = form.service_data()
        images = form.cleaned_data.get("images") or []
        try:
            if action == "draft":
                proposal = services.proposal_save_draft(author=request.user, proposal=draft, images=images, **data)
                messages.success(request, _("Your draft is saved."))
                return redirect("proposals:edit", pk=proposal.pk)
            if not request.POST.get("confirm_similar"):
                similar = selectors.similar_proposals(title=data["title"], exclude_id=draft.pk if draft else None)
            if not similar:
                proposal = services.proposal_submit(author=request.user, proposal=draft, images=images, **data)
                messages.success(request, _("Your proposal is published. Citizens can now support it."))
                return redirect("proposals:detail", pk=proposal.pk)
        except DomainError as exc:
            _form_error(form, exc)
    return render(request, "proposals/submit.html", {"form": form, "draft": draft, "similar": similar})


@login_required
@require_POST
def vote(request, pk):
    try:
        services.proposal_vote(voter=request.user, proposal_id=pk)
        messages.success(request, _("Thank you: your support is counted."))
    except DomainError as exc:
        messages.error(request, exc.message)
        if exc.status_code == 404:
            raise Http404 from None
    return redirect("proposals:detail", pk=pk)


@login_required
@require_POST
def comment(request, pk):
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_comment(author=request.user, proposal_id=pk, text=form.cleaned_data["text"])
            messages.success(request, _("Your comment is posted."))
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Write a comment first."))
    return redirect("proposals:detail", pk=pk)


@login_required
@require_POST
def revision_answer(request, pk):
    try:
        services.revision_answer(author=request.user, revision_id=pk, accept=request.POST.get("accept") == "yes")
        messages.success(request, _("Thank you for your answer."))
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    revision = ProposalRevision.objects.filter(pk=pk).values_list("proposal_id", flat=True).first()
    return redirect("proposals:detail", pk=revision) if revision else redirect("proposals:mine")


@login_required
def mine(request):
    proposals = Proposal.objects.filter(author=request.user).select_related("department").order_by("-updated_at")
    return render(request, "proposals/mine.html", {"proposals": proposals})


@login_required
def my_votes(request):
    votes = (
        ProposalVote.objects.filter(voter=request.user).select_related("proposal__department").order_by("-created_at")
    )
    page = _page(request, votes)
    return render(request, "proposals/my_votes.html", {"page": page, "votes": page.object_list})


# --- Department workspace ---------------------------------------------------------


@login_required
def workspace(request):
    monitor = permissions.can(request.user, "accounts.read_everything")
    if not (permissions.is_officer(request.user) or monitor):
        raise PermissionDenied
    department_ids = permissions.department_ids(request.user)
    scope = Proposal.objects.all() if monitor else Proposal.objects.filter(department_id__in=department_ids)
    in_review = (
        scope.filter(status=Proposal.Status.IN_REVIEW)
        .select_related("department")
        .annotate(
            assigned=Count("assignments", distinct=True),
            evaluated=Count("assignments__evaluation", distinct=True),
        )
        .order_by("reviewed_at")
    )
    adopted = scope.filter(status__in=[Proposal.Status.ADOPTED, Proposal.Status.IMPLEMENTING]).order_by("decided_at")
    return render(
        request,
        "proposals/workspace.html",
        {"in_review": in_review, "adopted": adopted, "can_open_calls": permissions.is_officer(request.user)},
    )


@login_required
def workspace_detail(request, pk):
    try:
        proposal = services.get_proposal_for_review(request.user, pk)
    except NotFound:
        raise Http404 from None
    except NotAllowed:
        raise PermissionDenied from None
    can_act = permissions.can(request.user, "proposals.review_proposal", proposal)
    forms = {
        "assign": AssignForm(prefix="assign"),
        "decision": DecisionForm(prefix="decision"),
        "revision": RevisionForm(
            prefix="revision",
            initial={f: getattr(proposal, f) for f in ("title", "problem", "idea", "expected_effect")},
        ),
        "implementation": ImplementationForm(prefix="implementation"),
    }
    if request.method == "POST":
        if not can_act:
            raise PermissionDenied
        action = request.POST.get("action")
        if action in forms:
            form = type(forms[action])(request.POST, prefix=action)
            forms[action] = form
            if form.is_valid():
                try:
                    _workspace_action(request.user, proposal, action, form.cleaned_data)
                    messages.success(request, _("Saved."))
                    return redirect("proposals:workspace_detail", pk=pk)
                except DomainError as exc:
                    _form_error(form, exc)
    assignments = proposal.assignments.select_related("evaluator__user", "evaluation")
    return render(
        request,
        "proposals/workspace_detail.html",
        {
            "proposal": proposal,
            "assignments": assignments,
            "forms": forms,
            "events": proposal.events.all(),
            "revisions": proposal.revisions.all(),
            "can_act": can_act,
        },
    )


def _workspace_action(officer, proposal, action, data):
    if action == "assign":
        return services.evaluator_assign(
            officer=officer, proposal_id=proposal.pk, evaluator_user_ids=[s.user_id for s in data["evaluators"]]
        )
    if action == "decision":
        return services.proposal_decide(officer=officer, proposal_id=proposal.pk, **data)
    if action == "revision":
        return services.revision_propose(officer=officer, proposal_id=proposal.pk, **data)
    return services.implementation_update(officer=officer, proposal_id=proposal.pk, **data)


@login_required
def themed_call_new(request):
    if not permissions.is_officer(request.user):
        raise PermissionDenied
    form = ThemedCallForm(request.POST or None, department_ids=permissions.department_ids(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            call = services.themed_call_create(officer=request.user, **form.cleaned_data)
            messages.success(request, _("The themed call is published."))
            return redirect("proposals:themed_call", pk=call.pk)
        except DomainError as exc:
            _form_error(form, exc)
    return render(request, "proposals/themed_call_form.html", {"form": form})


# --- Evaluator workspace ------------------------------------------------------------


@login_required
def evaluations(request):
    if not permissions.is_evaluator(request.user):
        raise PermissionDenied
    assignments = (
        EvaluatorAssignment.objects.filter(evaluator__user=request.user)
        .select_related("proposal", "evaluation")
        .order_by("assigned_at")
    )
    todo = [a for a in assignments if not a.is_done and a.proposal.status == Proposal.Status.IN_REVIEW]
    done = [a for a in assignments if a.is_done]
    return render(request, "proposals/evaluations.html", {"todo": todo, "done": done})


@login_required
def evaluate(request, pk):
    try:
        assignment = services.get_assignment_for_evaluator(request.user, pk)
    except NotAllowed:
        raise PermissionDenied
    proposal = assignment.proposal
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_submit(evaluator=request.user, proposal_id=pk, **form.cleaned_data)
            messages.success(request, _("Your evaluation is submitted. Thank you."))
            return redirect("proposals:evaluations")
        except DomainError as exc:
            _form_error(form, exc)
    return render(
        request,
        "proposals/evaluate.html",
        {"proposal": proposal, "assignment": assignment, "form": form, "images": proposal.images.all()},
    )
