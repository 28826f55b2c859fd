"""Pages of emergency alerts: public list, detail, CAP XML, Atom feed; officer form, approval, progress."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, rfc3339_date
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from civicportal.dbrouting import reads_may_lag
from civicportal.errors import DomainError, NotFound
from civicportal.notifications import alert_selectors, alerts, cap, fanout
from civicportal.notifications.alert_forms import AlertForm
from civicportal.notifications.models import AlertEvent, EmergencyAlert, MsgType


def ui_language():
    return "en" if (get_language() or "ko").startswith("en") else "ko"


def _with_text(alert_list):
    language = ui_language()
    for alert in alert_list:
        alert.text = alert.text_for(language)
        alert.event_name = cap.event_in(alert, language)
    return alert_list


@reads_may_lag
def index(request):
    now = timezone.now()
    published = EmergencyAlert.objects.published().prefetch_related("texts", "districts")
    # In force as the banner says (an updated original or an all-cleared one is no longer);
    # an all-clear itself is listed while it lasts, so that people see it.
    in_force = {a.pk for a in alert_selectors.alerts_in_force(now)}
    current = [
        a
        for a in published.current(now).order_by("-approved_at")[:50]
        if a.pk in in_force or a.msg_type == MsgType.CANCEL
    ]
    _with_text(current)
    current_ids = [a.pk for a in current]
    recent = _with_text(
        list(published.exclude(pk__in=current_ids).filter(approved_at__gte=now - timedelta(days=90))[:50])
    )
    return render(request, "notifications/alerts/index.html", {"current": current, "recent": recent})


@require_GET
@never_cache
def banner(request):
    """The banner of alerts in force and the bell, for the reader: what a page under the header
    shows, fetched again when ``/ws/live/`` says the "alerts" topic changed."""
    return render(request, "includes/alert_banner_live.html")


@reads_may_lag
def detail(request, identifier):
    try:
        alert = alerts.get_public_alert(identifier)
    except NotFound:
        raise Http404
    _with_text([alert])
    # Opening the alert is reading it: the bell stops counting it (as the inbox's button does).
    alerts.alert_mark_read(user=request.user, alert=alert)
    return render(
        request,
        "notifications/alerts/detail.html",
        {"alert": alert, "area": cap.area_description(alert, ui_language()), "texts": alert.texts.all()},
    )


@reads_may_lag
def cap_xml(request, identifier):
    try:
        alert = alerts.get_public_alert(identifier)
    except NotFound:
        raise Http404
    return HttpResponse(cap.alert_xml(alert), content_type=f"{cap.CONTENT_TYPE}; charset=utf-8")


# The date part of the tag URIs (RFC 4151): a year in which the sender's address was the city's.
# Never change it: the ids of every entry would change with it.
ATOM_TAG_YEAR = "2026"


def entry_id(alert) -> str:
    """The Atom id of an alert: a tag URI (RFC 4151) minted by the CAP sender, stable for ever."""
    return f"tag:{cap.SENDER},{ATOM_TAG_YEAR}:alert:{alert.identifier}"


class CAPAtomFeed(Atom1Feed):
    """Atom 1.0 (RFC 4287) whose entries link to their CAP document as ``application/cap+xml``
    (the link aggregators follow) and to the alert's page as ``text/html``; summaries are plain text."""

    def add_item_elements(self, handler, item):
        handler.addQuickElement("title", item["title"], {"type": "text"})
        handler.addQuickElement("link", "", {"href": item["link"], "rel": "alternate", "type": cap.CONTENT_TYPE})
        handler.addQuickElement("link", "", {"href": item["page"], "rel": "alternate", "type": "text/html"})
        handler.addQuickElement("published", rfc3339_date(item["pubdate"]))
        handler.addQuickElement("updated", rfc3339_date(item["updateddate"]))
        handler.addQuickElement("id", item["unique_id"])
        if item["description"]:
            handler.addQuickElement("summary", item["description"], {"type": "text"})
        for category in item["categories"]:
            handler.addQuickElement("category", "", {"term": category})


@reads_may_lag
class CurrentAlertsFeed(Feed):
    """Atom index of the alerts in force, Cancel and Update messages included (an aggregator
    learns of a cancellation from them); each entry links to its CAP XML."""

    feed_type = CAPAtomFeed
    title = gettext_lazy("Seoul emergency alerts")

    def subtitle(self):
        text = _("Current emergency alerts of the Seoul Metropolitan Government (CAP 1.2)")
        if not cap.is_signed():
            text += " " + _("The CAP messages are not signed.")
        return text

    def author_name(self):
        return cap.SENDER_NAME[ui_language()]

    def author_email(self):
        return cap.SENDER

    def feed_guid(self):
        return f"tag:{cap.SENDER},{ATOM_TAG_YEAR}:alerts"

    def link(self):
        return reverse("alerts:index")

    def items(self):
        return _with_text(
            list(
                EmergencyAlert.objects.current(timezone.now())
                .prefetch_related("texts")
                .order_by("-approved_at", "-id")[:100]
            )
        )

    def item_title(self, item):
        return f"[{item.severity}] {item.text.headline if item.text else item.event}"

    def item_description(self, item):
        return item.text.description if item.text else ""

    def item_link(self, item):
        return reverse("alerts:cap", args=[item.identifier])

    def item_extra_kwargs(self, item):
        return {"page": self.request.build_absolute_uri(reverse("alerts:detail", args=[item.identifier]))}

    def get_feed(self, obj, request):
        self.request = request
        return super().get_feed(obj, request)

    def item_guid(self, item):
        return entry_id(item)

    def item_categories(self, item):
        return [item.category, item.msg_type]

    def item_pubdate(self, item):
        return item.approved_at

    def item_updateddate(self, item):
        return item.approved_at


# --- Officer pages ------------------------------------------------------------------


def _officer_alert(request, pk):
    try:
        return alerts.get_alert_for_officer(request.user, pk)
    except NotFound:
        raise Http404


@login_required
def manage(request):
    if not request.user.has_perm("notifications.view_alert_progress"):
        raise Http404
    rows = _with_text(list(EmergencyAlert.objects.select_related("author").prefetch_related("texts")[:100]))
    return render(request, "notifications/alerts/manage.html", {"alerts": rows})


@login_required
def create(request, pk=None):
    original = _officer_alert(request, pk) if pk else None
    if not request.user.has_perm("notifications.write_alert"):
        raise Http404
    form = AlertForm(request.POST or None, update_of=original)
    if request.method == "POST" and form.is_valid():
        try:
            alert = alerts.alert_create(author=request.user, **form.service_kwargs())
            if "submit" in request.POST:
                alerts.alert_submit(alert=alert, by=request.user, immediately="immediately" in request.POST)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Alert %(id)s saved.") % {"id": alert.identifier})
            return redirect("alerts:officer_detail", pk=alert.pk)
    return render(
        request,
        "notifications/alerts/form.html",
        {"form": form, "original": original, "may_send_immediately": alerts.may_send_immediately(request.user)},
    )


@login_required
def officer_detail(request, pk):
    alert = _officer_alert(request, pk)
    _with_text([alert])
    user = request.user
    S = EmergencyAlert.Status
    return render(
        request,
        "notifications/alerts/officer_detail.html",
        {
            "alert": alert,
            "texts": alert.texts.all(),
            "area": cap.area_description(alert, ui_language()),
            "events": AlertEvent.objects.filter(alert=alert).select_related("actor"),
            "can_submit": alert.status == S.DRAFT and user.has_perm("notifications.submit_alert", alert),
            "can_approve": alert.status == S.PENDING_APPROVAL and user.has_perm("notifications.approve_alert", alert),
            "can_cancel": alert.status in (S.DRAFT, S.PENDING_APPROVAL, S.SENDING)
            and user.has_perm("notifications.cancel_alert", alert),
            "can_update": alert.status in (S.SENDING, S.SENT) and user.has_perm("notifications.write_alert"),
            "may_send_immediately": alerts.may_send_immediately(user),
        },
    )


def _act(request, pk, action, success):
    alert = _officer_alert(request, pk)
    try:
        action(alert)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("alerts:officer_detail", pk=pk)
    messages.success(request, success)
    return redirect(
        "alerts:progress" if alert.status != EmergencyAlert.Status.PENDING_APPROVAL else "alerts:officer_detail", pk=pk
    )


@login_required
@require_POST
def submit(request, pk):
    return _act(
        request,
        pk,
        lambda a: alerts.alert_submit(alert=a, by=request.user, immediately="immediately" in request.POST),
        _("Sent for approval."),
    )


@login_required
@require_POST
def approve(request, pk):
    return _act(request, pk, lambda a: alerts.alert_approve(alert=a, by=request.user), _("Approved: sending."))


@login_required
@require_POST
def cancel(request, pk):
    return _act(request, pk, lambda a: alerts.alert_cancel(alert=a, by=request.user), _("Alert cancelled."))


@login_required
def progress(request, pk):
    alert = _officer_alert(request, pk)
    _with_text([alert])
    context = {"alert": alert, "p": fanout.progress(alert)}
    template = "notifications/alerts/progress.html"
    if request.htmx or request.GET.get("panel"):
        template = "notifications/alerts/_progress_panel.html"
    return render(request, template, context)
