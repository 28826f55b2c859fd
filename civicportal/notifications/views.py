from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from civicportal.errors import NotFound
from civicportal.notifications import alerts, services
from civicportal.notifications.models import AlertDelivery, Notification


@login_required
def inbox(request):
    page = Paginator(Notification.objects.inbox_of(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "alerts": alerts_for(request.user)})


def alerts_for(user, limit=20):
    """The emergency alerts delivered to ``user``'s inbox (the in-app AlertDelivery rows are the inbox),
    each with its text in the language it was delivered in."""
    rows = (
        AlertDelivery.objects.filter(user=user, channel="in_app", status=AlertDelivery.Status.SENT)
        .select_related("alert")
        .prefetch_related("alert__texts")
        .order_by("-sent_at", "-id")[:limit]
    )
    for row in rows:
        row.text = row.alert.text_for(row.language)
    return rows


@login_required
@require_POST
def mark_read(request, pk=None):
    try:
        services.mark_read(user=request.user, notification_id=pk)
    except NotFound:
        raise Http404 from None
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_alert_read(request, identifier):
    try:
        alert = alerts.get_public_alert(identifier)
    except NotFound:
        raise Http404 from None
    alerts.alert_mark_read(user=request.user, alert=alert)
    return redirect("notifications:inbox")
