"""Browser pages of mVoting: parse, call one service, render."""

import csv
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicportal.accounts import permissions
from civicportal.errors import DomainError, NotFound
from civicportal.files import api_token_accepted, file_response
from polls import services
from polls.forms import DecisionForm, DrawForm, MembersForm, PollForm, ProposalForm, RoomForm
from polls.models import Ballot, Poll, PollOption


def _poll(request, pk):
    try:
        return services.get_poll_for_user(request.user, pk)
    except NotFound:
        raise Http404


def _position(request):
    source = request.POST if request.method == "POST" else request.GET
    return services.parse_position(source.get("lat"), source.get("lon"))


@login_required
def index(request):
    now = timezone.now()
    open_polls = services.open_to(request.user, now=now)
    hot_ids = services.hot_poll_ids(now)
    by_id = {p.pk: p for p in open_polls}
    hot = [by_id[i] for i in hot_ids if i in by_id]
    closing_soon = sorted((p for p in open_polls if p.closes_at <= now + timedelta(days=2)), key=lambda p: p.closes_at)
    near, position_error = [], None
    try:
        position = _position(request)
    except DomainError as exc:
        position, position_error = None, exc.message
    profile = getattr(request.user, "profile", None)
    if position is None and profile is not None and profile.location_consent and profile.home_lat is not None:
        position = (profile.home_lat, profile.home_lon)
    if position is not None:
        near = services.near(open_polls, *position)
    my_ballots = Ballot.objects.filter(voter=request.user).select_related("poll").order_by("-created_at")[:20]
    department_polls = []
    if permissions.is_officer(request.user):
        department_polls = (
            Poll.objects.for_department(permissions.department_ids(request.user))
            .select_related("department")
            .with_totals()
            .order_by("-opens_at")[:50]
        )
    return render(
        request,
        "polls/index.html",
        {
            "open_polls": open_polls,
            "hot": hot,
            "closing_soon": closing_soon,
            "near": near,
            "position": position,
            "position_error": position_error,
            "my_ballots": my_ballots,
            "department_polls": department_polls,
            "is_officer": permissions.is_officer(request.user),
            "room_form": RoomForm(),
            "now": now,
        },
    )


@login_required
def detail(request, pk):
    poll = _poll(request, pk)
    qr = request.GET.get("qr", "")
    return render(request, "polls/detail.html", _detail_context(request, poll, qr=qr))


# Images follow the poll page's rule (get_poll_for_user): an approved poll's to every
# account, a proposed poll's to its author and officers. Their URLs carry a version token
# (Poll.image_url), so the browser may keep them.
IMAGE_CACHE = "private, max-age=86400"


@require_GET
@api_token_accepted
@login_required
def image(request, pk):
    poll = _poll(request, pk)
    return file_response(poll.image, cache=IMAGE_CACHE)


@require_GET
@api_token_accepted
@login_required
def option_image(request, pk, option):
    poll = _poll(request, pk)
    item = get_object_or_404(PollOption, poll=poll, pk=option)
    return file_response(item.image, cache=IMAGE_CACHE)


def _detail_context(request, poll, *, qr="", error=None, submitted=None):
    now = timezone.now()
    context = services.VoterContext.load(request.user, [poll])
    my_ballot = Ballot.objects.filter(poll=poll, voter=request.user).prefetch_related("choices__option").first()
    reason = services.refusal_reason(poll, context, at=now)
    return {
        "poll": poll,
        "options": poll.options.all(),
        "target": services.target_description(poll),
        "status": poll.status_label(now),
        "is_open": poll.is_open(now),
        "my_ballot": my_ballot,
        "refusal": reason,
        "qr": qr,
        "error": error,
        # A refused vote shows the form again with what was chosen and typed (not the password).
        "submitted": submitted or {"options": set(), "lat": "", "lon": ""},
        "can_manage": services.can_manage(request.user, poll),
        "results_visible": services.results_visible(poll, request.user, now),
        "results": _safe_results(poll, request.user),
        "events": poll.events.select_related("actor") if services.can_manage(request.user, poll) else [],
    }


def _safe_results(poll, user):
    try:
        return services.poll_results(poll=poll, viewer=user)
    except DomainError:
        return None


@login_required
@require_POST
def vote(request, pk):
    poll = _poll(request, pk)
    qr = request.POST.get("qr", "")
    try:
        services.vote_cast(
            poll=poll,
            voter=request.user,
            option_ids=request.POST.getlist("options"),
            position=_position(request),
            qr=qr,
            room_password=request.POST.get("room_password", ""),
        )
    except DomainError as exc:
        submitted = {
            "options": set(request.POST.getlist("options")),
            "lat": request.POST.get("lat", "")[:32],
            "lon": request.POST.get("lon", "")[:32],
        }
        context = _detail_context(request, poll, qr=qr, error=exc.message, submitted=submitted)
        return render(request, "polls/detail.html", context, status=exc.status_code)
    messages.success(request, _("Thank you: your vote was counted."))
    return redirect("polls:detail", pk=poll.pk)


@login_required
def results_partial(request, pk):
    poll = _poll(request, pk)
    results = _safe_results(poll, request.user)
    return render(request, "polls/_results.html", {"poll": poll, "results": results, "live": poll.is_open()})


@login_required
def results(request, pk):
    poll = _poll(request, pk)
    try:
        data = services.poll_results(poll=poll, viewer=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("polls:detail", pk=poll.pk)
    breakdowns = []
    if request.user.has_perm("polls.view_breakdown", poll):
        breakdowns = [services.poll_breakdown(poll=poll, viewer=request.user, dimension=d) for d in services.BREAKDOWNS]
    draw = getattr(poll, "lot_draw", None) if hasattr(poll, "lot_draw") else None
    return render(
        request,
        "polls/results.html",
        {
            "poll": poll,
            "results": data,
            "breakdowns": breakdowns,
            "draw": draw,
            "draw_form": DrawForm(),
            "can_manage": services.can_manage(request.user, poll),
            "closed": poll.is_closed(),
            "live": not poll.is_closed(),
        },
    )


@login_required
def results_csv(request, pk):
    poll = _poll(request, pk)
    try:
        rows = list(services.results_csv_rows(poll=poll, viewer=request.user))
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status_code, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="poll-{poll.pk}-results.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 Korean correctly with a BOM
    csv.writer(response).writerows(rows)
    return response


@login_required
@require_POST
def draw(request, pk):
    poll = _poll(request, pk)
    form = DrawForm(request.POST)
    if form.is_valid():
        try:
            services.draw_lots(
                poll=poll,
                actor=request.user,
                winners_count=form.cleaned_data["winners_count"],
                seed=form.cleaned_data["seed"] or None,
            )
            messages.success(request, _("Lots were drawn."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Give the number of winners."))
    return redirect("polls:results", pk=poll.pk)


@login_required
def qr_png(request, pk):
    poll = _poll(request, pk)
    if not services.can_manage(request.user, poll) or not poll.qr_required:
        raise PermissionDenied
    png = services.qr_png(services.qr_url(poll, request))
    return HttpResponse(png, content_type="image/png")


@login_required
@require_POST
def qr_rotate(request, pk):
    poll = _poll(request, pk)
    try:
        services.poll_rotate_qr(poll=poll, actor=request.user)
        messages.success(request, _("A new QR code was made; the old one no longer works."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("polls:detail", pk=poll.pk)


@login_required
def members(request, pk):
    poll = _poll(request, pk)
    if not services.can_manage(request.user, poll):
        raise PermissionDenied
    form = MembersForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        added, matched = services.members_upload(poll=poll, actor=request.user, identifiers=form.cleaned_data["lines"])
        messages.success(
            request,
            _("%(added)d entries added, %(matched)d matched to accounts.") % {"added": added, "matched": matched},
        )
        return redirect("polls:members", pk=poll.pk)
    entries = poll.members.select_related("user").order_by("identifier")[:500]
    return render(request, "polls/members.html", {"poll": poll, "form": form, "entries": entries})


def _form_initial(poll):
    return {
        "question": poll.question,
        "description": poll.description,
        "options": "\n".join(o.text for o in poll.options.all()),
        "multiple": poll.multiple,
        "max_choices": poll.max_choices,
        "opens_at": timezone.localtime(poll.opens_at),
        "closes_at": timezone.localtime(poll.closes_at),
        "results_visible_while_open": poll.results_visible_while_open,
        "age_min": poll.age_min,
        "age_max": poll.age_max,
        "genders": poll.gender_list,
        "districts": list(poll.districts.all()),
        "dongs": poll.dongs,
        "center_lat": poll.center_lat,
        "center_lon": poll.center_lon,
        "radius_m": poll.radius_m,
        "qr_required": poll.qr_required,
        "room_number": poll.room_number or "",
        "employees_only": poll.employees_only,
    }


@login_required
def create(request):
    department_ids = sorted(permissions.department_ids(request.user))
    if not permissions.is_officer(request.user) or not department_ids:
        raise PermissionDenied
    form = PollForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            poll = services.poll_create(
                actor=request.user,
                department=request.user.memberships.select_related("department").first().department,
                question=data["question"],
                description=data["description"],
                options=data["options"],
                image=data.get("image"),
                multiple=data["multiple"],
                max_choices=data["max_choices"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                results_visible_while_open=data["results_visible_while_open"],
                districts=list(data["districts"]),
                **form.targets(),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The poll was created."))
            return redirect("polls:detail", pk=poll.pk)
    return render(request, "polls/form.html", {"form": form, "title": _("New poll")})


@login_required
def edit(request, pk):
    poll = _poll(request, pk)
    if not services.can_manage(request.user, poll):
        raise PermissionDenied
    form = PollForm(request.POST or None, request.FILES or None, initial=_form_initial(poll))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.poll_update(
                poll=poll,
                actor=request.user,
                question=data["question"],
                description=data["description"],
                image=data.get("image"),
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                results_visible_while_open=data["results_visible_while_open"],
                districts=list(data["districts"]),
                **form.targets(),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The poll was saved."))
            return redirect("polls:detail", pk=poll.pk)
    return render(request, "polls/form.html", {"form": form, "title": _("Edit poll"), "poll": poll})


@login_required
def propose(request):
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            poll = services.poll_propose(
                citizen=request.user,
                question=data["question"],
                description=data["description"],
                options=data["options"],
                multiple=data["multiple"],
                max_choices=data["max_choices"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                department=data["department"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Thank you: your proposal waits for an officer's approval."))
            return redirect("polls:detail", pk=poll.pk)
    return render(request, "polls/form.html", {"form": form, "title": _("Propose a poll")})


@login_required
def queue(request):
    if not permissions.is_officer(request.user):
        raise PermissionDenied
    proposals = (
        Poll.objects.filter(approval=Poll.Approval.PENDING)
        .filter(Q(department__isnull=True) | Q(department_id__in=permissions.department_ids(request.user)))
        .select_related("department", "created_by")
        .prefetch_related("options")
        .order_by("created_at")
    )
    return render(request, "polls/queue.html", {"proposals": proposals})


@login_required
@require_POST
def decide(request, pk):
    poll = _poll(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision and give a reason."))
        return redirect("polls:queue")
    try:
        services.poll_decide(
            poll=poll,
            officer=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("The decision was recorded and the citizen was told."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("polls:queue")


@login_required
@require_POST
def room(request):
    form = RoomForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the room's number and password."))
        return redirect("polls:index")
    try:
        poll = services.room_enter(user=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("polls:index")
    return redirect("polls:detail", pk=poll.pk)
