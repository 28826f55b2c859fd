"""Pages of 120 Dasan: thin views that parse, call a service and render."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from callcenter import case_link, selectors, services
from callcenter.forms import (
    AnswerForm,
    ArticleForm,
    CaseForm,
    CloseForm,
    ContactLogForm,
    CorrectionForm,
    DecisionForm,
    StatisticsForm,
    SuggestionForm,
    SurveyForm,
    WebMessageForm,
)
from callcenter.models import ArticleSuggestion, Contact, KnowledgeArticle
from callcenter.search import search_articles
from civicportal.errors import DomainError, NotFound
from civicportal.files import api_token_accepted, file_response


def _require(request, perm, obj=None):
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _form_error(form, exc: DomainError):
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _contact(request, pk):
    try:
        return services.get_contact_for_user(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


def index(request):
    """The public 120 page: channels, hours, languages, extension 9."""
    return render(request, "callcenter/index.html", {"is_counsellor": request.user.has_perm("callcenter.log_contact")})


@login_required
def message_new(request):
    form = WebMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.web_message_submit(
                citizen=request.user,
                text=form.cleaned_data["message_text"],
                language=form.cleaned_data["language"],
                topic=form.cleaned_data["topic"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Your message was sent. A counsellor will answer it here."))
            return redirect("callcenter:contact_detail", contact.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "callcenter/message_form.html", {"form": form}, status=status)


@login_required
def my_contacts(request):
    contacts = Contact.objects.of_caller(request.user).select_related("topic")
    page = Paginator(contacts, 20).get_page(request.GET.get("page"))
    return render(request, "callcenter/my_contacts.html", {"page_obj": page})


@login_required
def contact_detail(request, pk):
    contact = _contact(request, pk)
    selectors.contact_reads_record(
        contacts=[contact], by=request.user, what="caller's name and masked phone (contact page)", request=request
    )
    is_counsellor = request.user.has_perm("callcenter.handle_contact", contact)
    context = {
        "contact": contact,
        "events": contact.events.select_related("actor"),
        "images": contact.images.all(),
        "is_counsellor": is_counsellor,
        "is_caller": contact.caller_id == request.user.pk,
    }
    if is_counsellor:
        context |= {
            "can_change": request.user.has_perm("callcenter.change_contact", contact),
            "close_form": CloseForm(prefix="close"),
            "correction_form": CorrectionForm(prefix="correct"),
            "case_form": CaseForm(prefix="case", initial={"title": (contact.question or contact.message_text)[:100]}),
            "answer_form": AnswerForm(prefix="answer"),
            "case_access_code": case_link.access_code_of(contact.case_id),
        }
    return render(request, "callcenter/contact_detail.html", context)


@require_GET
@api_token_accepted
@login_required
def contact_image(request, pk, image):
    """An MMS image, to those who may see its contact. Personal data: the browser keeps no copy."""
    contact = _contact(request, pk)
    item = get_object_or_404(contact.images.all(), pk=image)
    return file_response(item.image, cache="private, no-store")


def _contact_action(request, pk, form_class, prefix, call, success):
    """POST a form about a contact to a service; on refusal re-render the detail page with a 4xx."""
    contact = _contact(request, pk)
    _require(request, "callcenter.handle_contact", contact)
    form = form_class(request.POST, prefix=prefix) if form_class else None
    status = 400
    if form is None or form.is_valid():
        try:
            call(contact, form.cleaned_data if form else {})
        except DomainError as exc:
            status = exc.status_code
            if form is not None:
                _form_error(form, exc)
            else:
                messages.error(request, exc.message)
        else:
            messages.success(request, success)
            return redirect("callcenter:contact_detail", contact.pk)
    # Re-render with the failing form in place and the other forms empty.
    response = _render_detail_with(request, contact, prefix, form) if form is not None else contact_detail(request, pk)
    response.status_code = status
    return response


def _render_detail_with(request, contact, prefix, form):
    context = {
        "contact": contact,
        "events": contact.events.select_related("actor"),
        "images": contact.images.all(),
        "is_counsellor": True,
        "is_caller": contact.caller_id == request.user.pk,
        "can_change": request.user.has_perm("callcenter.change_contact", contact),
        "close_form": CloseForm(prefix="close"),
        "correction_form": CorrectionForm(prefix="correct"),
        "case_form": CaseForm(prefix="case"),
        "answer_form": AnswerForm(prefix="answer"),
    }
    context[
        {"close": "close_form", "correct": "correction_form", "case": "case_form", "answer": "answer_form"}[prefix]
    ] = form
    return render(request, "callcenter/contact_detail.html", context)


@require_POST
@login_required
def contact_close(request, pk):
    return _contact_action(
        request,
        pk,
        CloseForm,
        "close",
        lambda c, d: services.contact_close(
            contact=c,
            by=request.user,
            outcome=d["outcome"],
            answer=d["answer"] or None,
            transferred_to=d["transferred_to"],
            callback_due_at=d["callback_due_at"],
        ),
        _("The contact is closed."),
    )


@require_POST
@login_required
def contact_correct(request, pk):
    return _contact_action(
        request,
        pk,
        CorrectionForm,
        "correct",
        lambda c, d: services.contact_correct(
            contact=c,
            by=request.user,
            note=d["note"],
            corrections={k: d[k] for k in ("topic", "question", "answer", "language", "caller_phone")},
        ),
        _("The correction is recorded."),
    )


@require_POST
@login_required
def contact_case(request, pk):
    def call(contact, data):
        updated = services.contact_turn_into_case(
            contact=contact,
            by=request.user,
            **{
                name: data[name]
                for name in ("title", "text", "kind", "location_text", "lat", "lon", "text_is_public", "sms_consent")
            },
        )
        messages.info(
            request,
            _("Tell the caller the tracking number %(n)s and the access code %(code)s.")
            % {"n": updated.case_tracking_number, "code": updated.case_access_code},
        )

    return _contact_action(request, pk, CaseForm, "case", call, _("The case is filed."))


@require_POST
@login_required
def contact_answer(request, pk):
    return _contact_action(
        request,
        pk,
        AnswerForm,
        "answer",
        lambda c, d: services.web_message_answer(contact=c, by=request.user, answer=d["answer"]),
        _("The answer was sent to the citizen."),
    )


@require_POST
@login_required
def callback_claim(request, pk):
    return _contact_action(
        request, pk, None, "", lambda c, d: services.callback_claim(contact=c, by=request.user), _("Callback claimed.")
    )


@require_POST
@login_required
def callback_complete(request, pk):
    return _contact_action(
        request,
        pk,
        None,
        "",
        lambda c, d: services.callback_complete(contact=c, by=request.user, note=request.POST.get("note", "")),
        _("Callback done."),
    )


@require_POST
@login_required
def survey_send(request, pk):
    return _contact_action(
        request, pk, None, "", lambda c, d: services.survey_send(contact=c, by=request.user), _("Survey sent.")
    )


@login_required
def survey(request, pk):
    contact = _contact(request, pk)
    if contact.caller_id != request.user.pk:
        raise Http404
    form = SurveyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.survey_answer(
                    contact=contact,
                    citizen=request.user,
                    score=form.cleaned_data["satisfaction"],
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as exc:
                status = exc.status_code
                _form_error(form, exc)
            else:
                messages.success(request, _("Thank you for your answer."))
                return redirect("callcenter:contact_detail", contact.pk)
    return render(request, "callcenter/survey.html", {"contact": contact, "form": form}, status=status)


def survey_by_link(request, token):
    """The survey for a caller without an account, from the signed link in the text message."""
    try:
        contact = services.contact_for_survey_token(token)
    except DomainError:
        raise Http404 from None
    form = SurveyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.survey_answer_by_link(
                    token=token, score=form.cleaned_data["satisfaction"], comment=form.cleaned_data["comment"]
                )
            except DomainError as exc:
                status = exc.status_code
                _form_error(form, exc)
            else:
                return render(request, "callcenter/survey.html", {"contact": contact, "thanked": True})
    response = render(request, "callcenter/survey.html", {"contact": contact, "form": form}, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


# --- Counsellor console ------------------------------------------------------------------------


@login_required
def console(request):
    _require(request, "callcenter.log_contact")
    form = ContactLogForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                contact = services.contact_log(
                    counsellor=request.user,
                    channel=data["channel"],
                    language=data["language"],
                    caller_phone=data["caller_phone"],
                    topic=data["topic"],
                    question=data["question"],
                    answer=data["answer"],
                    message_text=data["message_text"],
                    images=data["images"],
                    started_at=data["started_at"],
                    ended_at=data["ended_at"],
                    outcome=data["outcome"],
                    transferred_to=data["transferred_to"],
                    callback_due_at=data["callback_due_at"],
                    sms_consent=data["sms_consent"],
                )
            except DomainError as exc:
                status = exc.status_code
                _form_error(form, exc)
            else:
                messages.success(request, _("Contact #%(n)s logged.") % {"n": contact.pk})
                return redirect("callcenter:contact_detail", contact.pk)
    mine_open = Contact.objects.open().filter(counsellor=request.user).select_related("topic")[:10]
    waiting = Contact.objects.web_messages_waiting().select_related("topic").order_by("started_at")[:10]
    return render(
        request,
        "callcenter/console.html",
        {"form": form, "mine_open": mine_open, "waiting": waiting, "articles": search_articles("", limit=5)},
        status=status,
    )


@require_GET
@login_required
def caller_lookup(request):
    _require(request, "callcenter.log_contact")
    error, users, recent = "", [], []
    try:
        phone = services.normalise_phone(request.GET.get("caller_phone", ""))
        users, recent = selectors.find_callers(phone)
        selectors.caller_lookup_record(users=users, by=request.user, request=request)
    except DomainError as exc:
        error = exc.message
    return render(request, "callcenter/_lookup.html", {"error": error, "users": users, "recent": recent})


@require_GET
@login_required
def kb_search(request):
    _require(request, "callcenter.view_knowledge_base")
    query = request.GET.get("q", "")
    return render(request, "callcenter/_kb_results.html", {"articles": search_articles(query), "query": query})


@login_required
def callbacks(request):
    _require(request, "callcenter.handle_contact")
    queue = (
        Contact.objects.callbacks_pending()
        .select_related("topic", "counsellor", "callback_claimed_by")
        .order_by("callback_due_at")
    )
    page = Paginator(queue, 30).get_page(request.GET.get("page"))
    return render(request, "callcenter/callbacks.html", {"page_obj": page, "now": timezone.now()})


# --- Knowledge base ------------------------------------------------------------------------------


@login_required
def kb_list(request):
    _require(request, "callcenter.view_knowledge_base")
    query = request.GET.get("q", "")
    queryset = KnowledgeArticle.objects.all() if request.user.has_perm("callcenter.manage_knowledge_base") else None
    articles = search_articles(query, queryset=queryset, limit=50)
    return render(
        request,
        "callcenter/kb_list.html",
        {
            "articles": articles,
            "query": query,
            "can_manage": request.user.has_perm("callcenter.manage_knowledge_base"),
            "pending": ArticleSuggestion.objects.filter(status=ArticleSuggestion.Status.PENDING).count(),
        },
    )


@login_required
def kb_detail(request, pk):
    _require(request, "callcenter.view_knowledge_base")
    article = get_object_or_404(KnowledgeArticle.objects.select_related("department", "topic"), pk=pk)
    form = SuggestionForm(
        request.POST or None,
        initial={"question": article.question, "answer": article.answer, "keywords": article.keywords},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.article_suggest(article=article, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                status = exc.status_code
                _form_error(form, exc)
            else:
                messages.success(request, _("Your suggestion goes to a lead counsellor."))
                return redirect("callcenter:kb_detail", article.pk)
    context = {
        "article": article,
        "form": form,
        "can_manage": request.user.has_perm("callcenter.manage_knowledge_base"),
        "can_suggest": request.user.has_perm("callcenter.suggest_article_edit"),
    }
    return render(request, "callcenter/kb_detail.html", context, status=status)


@login_required
def kb_edit(request, pk=None):
    _require(request, "callcenter.manage_knowledge_base")
    article = get_object_or_404(KnowledgeArticle, pk=pk) if pk else None
    form = ArticleForm(request.POST or None, instance=article)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
                saved = services.article_save(by=request.user, article=article, **fields)
            except DomainError as exc:
                status = exc.status_code
                _form_error(form, exc)
            else:
                messages.success(request, _("Article saved."))
                return redirect("callcenter:kb_detail", saved.pk)
    return render(request, "callcenter/kb_form.html", {"form": form, "article": article}, status=status)


@login_required
def suggestions(request):
    _require(request, "callcenter.manage_knowledge_base")
    pending = ArticleSuggestion.objects.filter(status=ArticleSuggestion.Status.PENDING).select_related(
        "article", "suggested_by"
    )
    return render(request, "callcenter/suggestions.html", {"suggestions": pending, "form": DecisionForm()})


@require_POST
@login_required
def suggestion_decide(request, pk, decision):
    _require(request, "callcenter.manage_knowledge_base")
    if decision not in ("approve", "reject"):
        raise Http404
    suggestion = get_object_or_404(ArticleSuggestion, pk=pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        services.suggestion_decide(
            suggestion=suggestion,
            by=request.user,
            approve=decision == "approve",
            note=form.cleaned_data.get("note", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("callcenter:suggestions")
    messages.success(request, _("Suggestion approved.") if decision == "approve" else _("Suggestion rejected."))
    return redirect("callcenter:suggestions")


# --- Statistics ------------------------------------------------------------------------------------


def _statistics_range(request):
    today = timezone.localdate()
    default = {"date_from": today.replace(day=1), "date_to": today}
    form = StatisticsForm(request.GET or None, initial=default)
    if request.GET and form.is_valid():
        return form, form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    return form, default["date_from"], default["date_to"]


@login_required
def statistics(request):
    _require(request, "callcenter.view_statistics")
    form, date_from, date_to = _statistics_range(request)
    stats = selectors.statistics(date_from, date_to)
    status = 400 if request.GET and not form.is_valid() else 200
    tables = [
        ("day", _("By day"), stats["by_day"]),
        ("hour", _("By hour"), stats["by_hour"]),
        ("channel", _("By channel"), stats["by_channel"]),
        ("language", _("By language"), stats["by_language"]),
        ("topic", _("By topic"), stats["by_topic"]),
        ("outcome", _("By outcome"), stats["by_outcome"]),
    ]
    charts = {
        name: {"labels": [r["label"] for r in rows], "values": [r["contacts"] for r in rows]}
        for name, _t, rows in tables
    }
    context = {"form": form, "stats": stats, "tables": tables, "charts": charts}
    return render(request, "callcenter/statistics.html", context, status=status)


@login_required
def statistics_csv(request):
    _require(request, "callcenter.view_statistics")
    form, date_from, date_to = _statistics_range(request)
    if request.GET and not form.is_valid():
        return HttpResponse(_("Invalid dates."), status=400, content_type="text/plain; charset=utf-8")
    stats = selectors.statistics(date_from, date_to)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="callcenter-{date_from}-{date_to}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 Korean only with a BOM
    writer = csv.writer(response)
    # One shape for every row: the dimension, a machine key, a label for people, the value
    # (a number of contacts, except the summary's averages and shares, named by their key).
    writer.writerow(["dimension", "key", "label", "value"])
    summary = [
        ("contacts", _("Contacts")),
        ("avg_handling_seconds", _("Average handling time (seconds)")),
        ("answered_on_spot", _("Answered on the spot")),
        ("answered_on_spot_share", _("Share answered on the spot")),
        ("satisfaction_average", _("Average satisfaction (1–5)")),
        ("satisfaction_count", _("Ratings")),
        ("foreign_language", _("Foreign-language contacts")),
        ("sign_language", _("Sign-language contacts")),
    ]
    for name, label in summary:
        writer.writerow(["summary", name, label, stats[name] if stats[name] is not None else ""])
    for dimension in ("day", "hour", "channel", "language", "topic", "outcome"):
        for row in stats[f"by_{dimension}"]:
            writer.writerow([dimension, row["key"], row["label"], row["contacts"]])
    return response
