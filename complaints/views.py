"""Browser pages of Eung-Dap-So. Thin: parse, call a service or selector, render."""

import csv
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicportal.accounts import permissions
from civicportal.dbrouting import reads_may_lag
from civicportal.errors import DomainError, NotAllowed, NotFound
from civicportal.files import api_token_accepted, file_response
from civicportal.throttling import address_allowed
from complaints import filing, selectors, services, suggestions
from complaints.forms import (
    AdditionalAnswerForm,
    AnswerForm,
    AssignForm,
    CaseFileForm,
    DuplicateForm,
    NoteForm,
    RateForm,
    SearchForm,
    StaffCaseFileForm,
    TrackForm,
    TransferForm,
)
from complaints.models import Attachment, Case, Channel, Kind, Status


def _case(request, number, perm="complaints.view_case"):
    try:
        return selectors.get_case_for_user(request.user, number, perm)
    except NotFound:
        raise Http404


def _require(request, perm):
    if not permissions.can(request.user, perm):
        raise Http404


def index(request):
    return render(
        request,
        "complaints/index.html",
        {
            "search_form": SearchForm(),
            "is_officer": permissions.can(request.user, "complaints.view_queue"),
            "is_monitor": permissions.can(request.user, "complaints.view_board"),
        },
    )


@login_required
def file_case(request):
    form = CaseFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = filing.case_file(
                citizen=request.user,
                filed_by=request.user,
                channel=Channel.WEB,
                kind=data["kind"],
                category=data["category"],
                title=data["title"],
                text=data["text"],
                location_text=data["location_text"],
                district=data["district"],
                lat=data["lat"],
                lon=data["lon"],
                anonymous_reporter=data["anonymous_reporter"],
                text_is_public=data["text_is_public"],
                attachments=data["attachments"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Your case %(number)s was received. Its access code is %(code)s.")
                % {"number": case.tracking_number, "code": case.access_code_display},
            )
            return redirect(case)
    status = 400 if request.method == "POST" else 200
    return render(request, "complaints/file.html", {"form": form}, status=status)


@login_required
def file_for_citizen(request):
    """Staff file a case received by visit, email, social media or phone."""
    _require(request, "complaints.file_case_for_citizen")
    form = StaffCaseFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = filing.case_file(
                citizen=data["citizen_username"],
                filed_by=request.user,
                channel=data["channel"],
                source_url=data["source_url"],
                **{
                    k: data[k] for k in ("kind", "category", "title", "text", "location_text", "district", "lat", "lon")
                },
                anonymous_reporter=data["anonymous_reporter"],
                text_is_public=data["text_is_public"],
                attachments=data["attachments"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Case %(number)s was filed. Give the citizen its access code: %(code)s.")
                % {"number": case.tracking_number, "code": case.access_code_display},
            )
            return redirect("complaints:file_for_citizen")
    status = 400 if request.method == "POST" else 200
    return render(request, "complaints/file.html", {"form": form, "staff": True}, status=status)


@login_required
def my_cases(request):
    page = Paginator(selectors.cases_of_citizen(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "complaints/mine.html", {"page": page})


def _detail_context(request, case, **forms):
    is_citizen = permissions.can(request.user, "complaints.rate_case", case)
    events = case.events.select_related("actor", "to_department", "from_department")
    if not permissions.can(request.user, "complaints.handle_case", case):
        events = events.filter(is_internal=False)
    answered = case.status in (Status.ANSWERED, Status.CLOSED)
    rated = case.ratings.filter(answer_round=case.answer_round).first() if answered else None
    return {
        "case": case,
        "events": events,
        "attachments": case.attachments.all(),
        "is_citizen": is_citizen,
        "rated": rated,
        "can_rate": is_citizen and answered and rated is None,
        "can_ask": is_citizen and answered,
        "rate_form": forms.get("rate_form") or RateForm(),
        "additional_form": forms.get("additional_form") or AdditionalAnswerForm(),
        "can_handle": permissions.can(request.user, "complaints.handle_case", case),
        "track_url": request.build_absolute_uri(reverse("complaints:track")),
        "now": timezone.now(),
    }


@login_required
def detail(request, number):
    case = _case(request, number)
    selectors.case_reads_record(cases=[case], by=request.user, what="text and place (case page)", request=request)
    return render(request, "complaints/detail.html", _detail_context(request, case))


@login_required
@require_POST
def rate(request, number):
    case = _case(request, number)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.case_rate(case=case, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect(case)
    return render(request, "complaints/detail.html", _detail_context(request, case, rate_form=form), status=400)


@login_required
@require_POST
def additional_answer(request, number):
    case = _case(request, number)
    form = AdditionalAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.case_request_additional_answer(case=case, by=request.user, text=form.cleaned_data["text"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your request for an additional answer was sent."))
            return redirect(case)
    return render(request, "complaints/detail.html", _detail_context(request, case, additional_form=form), status=400)


@require_GET
@api_token_accepted
@login_required
def attachment(request, pk):
    """A case's attachment, to whoever may see the case (the API lists these URLs)."""
    item = get_object_or_404(Attachment.objects.select_related("case"), pk=pk)
    _case(request, item.case.tracking_number)
    return file_response(
        item.file, content_type=item.content_type, filename=item.original_name, cache="private, no-store"
    )


def track(request):
    """Follow a case without an account. A wrong code answers exactly as a missing case does;
    tries are counted per address with the API's throttle."""
    initial = {"tracking_number": request.GET.get("number", "")[:12]}
    form = TrackForm(request.POST or None, initial=initial)
    context = {"form": form, "tracked": None}
    status = 200
    if request.method == "POST":
        if not address_allowed(request, "case_track"):
            context["throttled"] = True
            return render(request, "complaints/track.html", context, status=429)
        if form.is_valid():
            try:
                case = selectors.get_case_by_access_code(
                    form.cleaned_data["tracking_number"], form.cleaned_data["access_code"]
                )
            except NotFound:
                context["not_found"] = True
                status = 404
            else:
                context["tracked"] = selectors.tracked_case_fields(case)
        else:
            status = 400
    response = render(request, "complaints/track.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


# --- officers ---------------------------------------------------------------------------


@login_required
def queue(request):
    _require(request, "complaints.view_queue")
    get = request.GET
    filters = {
        "status": get.get("status", "open"),
        "kind": get.get("kind", ""),
        "channel": get.get("channel", ""),
        "district": get.get("district", ""),
        "overdue": get.get("overdue") == "1",
        "assigned": get.get("assigned", ""),
        "sort": get.get("sort", "due"),
    }
    page = Paginator(selectors.queue_for(request.user, **filters), 25).get_page(get.get("page"))
    page.object_list = suggestions.attach_for_desk(page.object_list)
    from civicportal.accounts.models import District

    context = {
        "page": page,
        "filters": filters,
        "now": timezone.now(),
        "statuses": Status.choices,
        "kinds": Kind.choices,
        "channels": Channel.choices,
        "districts": District.objects.all(),
        "querystring": get.urlencode(),
    }
    template = "complaints/_queue_rows.html" if request.htmx else "complaints/queue.html"
    return render(request, template, context)


@login_required
@require_POST
def claim(request, number):
    case = _case(request, number, "complaints.handle_case")
    try:
        services.case_claim(case=case, by=request.user)
        messages.success(request, _("You took case %(number)s.") % {"number": case.tracking_number})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("complaints:workspace", case.tracking_number)


WORKSPACE_ACTIONS = {
    "answer": AnswerForm,
    "note": NoteForm,
    "transfer": TransferForm,
    "assign": AssignForm,
    "duplicate": DuplicateForm,
}


def _run_action(request, case, action, form):
    data = form.cleaned_data
    if action == "answer":
        services.case_answer(case=case, by=request.user, text=data["text"])
        return _("The answer was sent to the citizen.")
    if action == "note":
        services.case_add_note(case=case, by=request.user, text=data["text"])
        return _("Note added.")
    if action == "transfer":
        services.case_transfer(case=case, by=request.user, to_department=data["to_department"], reason=data["reason"])
        return _("The case was transferred.")
    if action == "assign":
        services.case_assign(case=case, by=request.user, officer=data["officer"])
        return _("The case was assigned.")
    primary = Case.objects.filter(tracking_number=data["primary"].strip()).first()
    services.case_mark_duplicate(case=case, primary=primary, by=request.user)
    return _("The case was linked to %(number)s.") % {"number": data["primary"]}


@login_required
def workspace(request, number):
    case = _case(request, number, "complaints.handle_case")
    forms = {
        name: cls(department=case.department) if name == "assign" else cls() for name, cls in WORKSPACE_ACTIONS.items()
    }
    status = 200
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "simple":
        try:
            services.case_mark_simple(case=case, by=request.user, simple=request.POST.get("simple") == "1")
            return redirect("complaints:workspace", case.tracking_number)
        except DomainError as exc:
            messages.error(request, exc.message)
    elif request.method == "POST" and action in WORKSPACE_ACTIONS:
        cls = WORKSPACE_ACTIONS[action]
        form = cls(request.POST, department=case.department) if action == "assign" else cls(request.POST)
        forms[action] = form
        if form.is_valid():
            try:
                message = _run_action(request, case, action, form)
            except NotAllowed as exc:
                messages.error(request, exc.message)
                return redirect("complaints:queue")
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, message)
                if action == "transfer":
                    return redirect("complaints:queue")
                return redirect("complaints:workspace", case.tracking_number)
        status = 400
    context = _detail_context(request, case)
    context.update({f"{name}_form": form for name, form in forms.items()})
    context["similar"] = selectors.similar_open_cases(case) if case.is_open and not case.duplicate_of_id else []
    context["routing_suggestions"] = routing = suggestions.for_transfer(case)
    elsewhere = [s.department.pk for s in routing if s.department.pk != case.department_id]
    if elsewhere and not context["transfer_form"].is_bound:
        context["transfer_form"] = TransferForm(initial={"to_department": elsewhere[0]})
    selectors.case_reads_record(
        cases=[case], by=request.user, what="reporter's name, text and place (workspace)", request=request
    )
    return render(request, "complaints/workspace.html", context, status=status)


# --- public examples and FAQ ----------------------------------------------------------------


@reads_may_lag
def examples(request):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(selectors.public_examples(query), 10).get_page(request.GET.get("page"))
    faq = list(selectors.faq_entries(query)[:10])
    return render(request, "complaints/examples.html", {"form": form, "query": query, "page": page, "faq": faq})


# --- monitoring board and report --------------------------------------------------------------


@reads_may_lag
@login_required
def board(request):
    _require(request, "complaints.view_board")
    data = selectors.board()
    template = "complaints/_board_live.html" if request.htmx else "complaints/board.html"
    return render(request, template, {"board": data, "kinds": dict(Kind.choices), "channels": dict(Channel.choices)})


@reads_may_lag
@login_required
def board_cases(request):
    """The list behind a board figure: what the monitor clicked, case by case (no personal data)."""
    _require(request, "complaints.view_board")
    get = request.GET
    filters = {
        "period": "today" if get.get("period") == "today" else "",
        "department": get.get("department", "")[:40],
        "district": get.get("district", "")[:10],
        "kind": get.get("kind", "") if get.get("kind", "") in Kind.values else "",
        "channel": get.get("channel", "") if get.get("channel", "") in Channel.values else "",
        "overdue": get.get("overdue") == "1",
    }
    page = Paginator(selectors.board_cases(**filters), 50).get_page(get.get("page"))
    context = {"page": page, "filters": filters, "querystring": get.urlencode(), "now": timezone.now()}
    return render(request, "complaints/board_cases.html", context)


def _report_period(request):
    now = timezone.localtime()
    try:
        year = int(request.GET.get("year", now.year))
        month = int(request.GET["month"]) if request.GET.get("month") else None
    except ValueError:
        raise Http404
    if not 2000 <= year <= 2100 or (month is not None and not 1 <= month <= 12):
        raise Http404
    return year, month


@reads_may_lag
@login_required
def report(request):
    _require(request, "complaints.view_board")
    year, month = _report_period(request)
    data = selectors.report(year, month)
    kinds, channels = dict(Kind.choices), dict(Channel.choices)
    chart = {
        "series": {
            "labels": [row["period"].strftime("%m-%d" if month else "%Y-%m") for row in data["series"]],
            "values": [row["n"] for row in data["series"]],
            "label": _("Cases filed"),
            "title": _("Cases filed over time"),
        },
        "kinds": {
            "labels": [str(kinds.get(row["kind"], row["kind"])) for row in data["by_kind"]],
            "values": [row["n"] for row in data["by_kind"]],
            "label": _("By kind"),
            "title": _("Cases by kind"),
        },
        "channels": {
            "labels": [str(channels.get(row["channel"], row["channel"])) for row in data["by_channel"]],
            "values": [row["n"] for row in data["by_channel"]],
            "label": _("By channel"),
            "title": _("Cases by channel"),
        },
    }
    return render(
        request,
        "complaints/report.html",
        {
            "report": data,
            "year": year,
            "month": month,
            "months": range(1, 13),
            "chart": json.loads(json.dumps(chart)),
            "kinds": kinds,
            "channels": channels,
        },
    )


@reads_may_lag
@login_required
def report_csv(request):
    _require(request, "complaints.view_board")
    year, month = _report_period(request)
    data = selectors.report(year, month)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"complaints-{year}" + (f"-{month:02d}" if month else "")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 Korean correctly with a BOM
    writer = csv.writer(response)
    # One shape for every row: the section, a machine key, a label for people, the value.
    writer.writerow(["section", "key", "label", "value"])
    kinds, channels = dict(Kind.choices), dict(Channel.choices)
    for row in data["series"]:
        day = row["period"].date().isoformat()
        writer.writerow(["period", day, day, row["n"]])
    for row in data["by_kind"]:
        writer.writerow(["kind", row["kind"], kinds.get(row["kind"], row["kind"]), row["n"]])
    for row in data["by_channel"]:
        writer.writerow(["channel", row["channel"], channels.get(row["channel"], row["channel"]), row["n"]])
    english = get_language() == "en"
    for row in data["top_categories"]:
        label = row["category__name_en"] if english and row["category__name_en"] else row["category__name_ko"]
        writer.writerow(["category", row["category__code"], label, row["n"]])
    avg, sat = data["avg_processing"], data["satisfaction"]
    hours = f"{avg.total_seconds() / 3600:.1f}" if avg else ""
    summary = [
        ("cases", _("Cases filed"), data["total"]),
        (
            "avg_processing_hours",
            _("Average processing time (hours)"),
            hours,
        ),
        ("satisfaction_average", _("Average satisfaction (1–5)"), f"{sat['avg']:.2f}" if sat["avg"] else ""),
        ("satisfaction_count", _("Ratings"), sat["n"]),
    ]
    for key, label, value in summary:
        writer.writerow(["summary", key, label, value])
    return response
