"""mVoting's topic on ``/ws/live/``: a poll's live results (``poll.<id>``), for whoever the
results page would show them to (the poll's gatekeeper, then ``results_visible``)."""

from django.conf import settings

from civicportal.errors import DomainError
from civicportal.realtime.live import group_of, topic
from civicportal.realtime.publish import announce


@topic(r"poll\.(?P<pk>\d{1,18})")
def _poll_results(user, match):
    from polls import services

    if not getattr(user, "is_authenticated", False):
        return None  # the results pages are for signed-in readers
    try:
        poll = services.get_poll_for_user(user, int(match["pk"]))
    except DomainError:
        return None
    return [group_of(f"poll.{poll.pk}")] if services.results_visible(poll, user) else None


def poll_changed(poll_id: int) -> None:
    """A ballot was counted: readers of the results fetch them again, at most once per
    ``REALTIME_POLL_COALESCE_SECONDS`` (3 s, the old polling period: so a busy poll never costs
    more requests than polling did, and a quiet one costs none; bench/live_results.py)."""
    announce(group_of(f"poll.{poll_id}"), f"poll.{poll_id}", every=settings.REALTIME_POLL_COALESCE_SECONDS)
