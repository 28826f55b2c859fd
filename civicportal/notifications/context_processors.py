from django.utils.translation import get_language

from civicportal.notifications import alert_selectors
from civicportal.notifications.models import Notification


def unread_notifications(request):
    """The bell: unread inbox messages and unread alerts in force; and the banner of alerts in force."""
    cached = getattr(request, "_notifications_context", None)
    if cached is not None:
        return cached  # a page that renders several templates asks once
    user = getattr(request, "user", None)
    language = "en" if (get_language() or "ko").startswith("en") else "ko"
    banner = []
    for alert in alert_selectors.alerts_for_viewer(user):
        headline, headline_language = alert.headline_in(language)
        banner.append(
            {
                "identifier": alert.identifier,
                "severity": alert.severity,
                "severity_label": alert.severity_label,
                "headline": headline,
                "lang": headline_language if headline_language != language else "",
                "expires": alert.expires,
            }
        )
    context = {"alerts_in_force": banner}
    if user is not None and user.is_authenticated:
        context["unread_notifications"] = Notification.objects.inbox_of(
            user
        ).unread().count() + alert_selectors.unread_alert_count(user)
    request._notifications_context = context
    return context
