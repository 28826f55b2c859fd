"""Eung-Dap-So's topics on ``/ws/live/``: a department's queue and the monitoring board.

Who may follow them is what the pages decide: the queue for officers (each hears only the
departments whose rows the queue shows them), the board for monitors and administrators.
"""

from django.conf import settings

from civicportal.accounts import permissions
from civicportal.realtime.live import group_of, topic
from civicportal.realtime.publish import announce


@topic(r"complaints\.queue")
def _queue(user, match):
    if not permissions.can(user, "complaints.view_queue"):
        return None
    return [group_of(f"complaints.queue.{pk}") for pk in sorted(permissions.department_ids(user))]


@topic(r"complaints\.board")
def _board(user, match):
    return [group_of("complaints.board")] if permissions.can(user, "complaints.view_board") else None


def case_changed(*department_ids) -> None:
    """A case was filed or changed in these departments' queues: their queues and the board
    hear of it after commit (coalesced, so a burst of filings is one push a second)."""
    for pk in sorted({pk for pk in department_ids if pk}):
        announce(group_of(f"complaints.queue.{pk}"), "complaints.queue")
    # The board is city-wide aggregates: a case somewhere every few seconds is the normal day,
    # so it hears at most every REALTIME_BOARD_COALESCE_SECONDS (its old polling period).
    announce(group_of("complaints.board"), "complaints.board", every=settings.REALTIME_BOARD_COALESCE_SECONDS)
