from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from civicportal.notifications import services
from civicportal.notifications.models import Notification


@login_required
def inbox(request):
    page = Paginator(Notification.objects.inbox_of(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request, pk=None):
    services.mark_read(user=request.user, notification_id=pk)
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("notifications:inbox")
