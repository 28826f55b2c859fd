"""Emergency alerts' topics on ``/ws/live/``.

``alerts``: anyone (the banner is on every page); the page fetches its banner again, so a
district alert still reaches only that district's residents. ``alerts.progress.<id>``: the
fan-out progress of one alert, for those who may open its progress page.
"""

from civicportal.errors import DomainError
from civicportal.realtime.live import group_of, topic
from civicportal.realtime.publish import announce, announce_now


@topic(r"alerts")
def _alerts(user, match):
    return [group_of("alerts")]


@topic(r"alerts\.progress\.(?P<pk>\d{1,18})")
def _progress(user, match):
    from civicportal.notifications import alerts

    if not getattr(user, "is_authenticated", False):
        return None
    try:
        alert = alerts.get_alert_for_officer(user, int(match["pk"]))
    except DomainError:
        return None
    return [group_of(f"alerts.progress.{alert.pk}")]


def alerts_changed(*, now: bool = False) -> None:
    """An alert went into force or left it (approved, updated, cancelled, all-cleared), or its
    deliveries landed in inboxes: open pages fetch their banner and bell again. ``now`` from
    code that runs after the commit (an on-commit callback, a worker's task)."""
    (announce_now if now else announce)(group_of("alerts"), "alerts")


def alert_progress_changed(alert_id: int, *, now: bool = False) -> None:
    """The fan-out of an alert moved on (from the worker: reaches sockets with a Redis layer)."""
    (announce_now if now else announce)(group_of(f"alerts.progress.{alert_id}"), f"alerts.progress.{alert_id}")
