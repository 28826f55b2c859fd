"""Send news to the sockets of a group once the change that made it is committed.

Groups are named by their subject (``alerts``, ``poll.12``, ``callcenter.queue``); a consumer
that joined the group receives ``{"type": "push", ...}`` and forwards it to its reader. A socket
that was closed misses it and reads the page again on reconnect, so a push is news, never the
only copy of anything.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def send_now(group: str, message: dict) -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # noqa: BLE001 - news that cannot be sent must not fail the change that made it
        logger.warning("realtime: could not publish to %s", group, exc_info=True)
        return False
    return True


def publish(group: str, event: str, **payload) -> None:
    """Push ``{"type": "push", "event": event, ...payload}`` to ``group`` after commit."""
    message = {"type": "push", "event": event, **payload}
    transaction.on_commit(lambda: send_now(group, message))
