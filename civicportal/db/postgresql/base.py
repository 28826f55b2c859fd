"""PostgreSQL, with a health check that costs no round trip on a busy connection.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every
request that reuses a connection. On the voting and filing endpoints that is one round
trip in four. Here a connection that passed a real check less than ``TRUSTED_SECONDS``
ago is checked locally instead: it must be open, idle (no transaction left behind) and
have nothing waiting on its socket. A server that restarted, or an administrator who
terminated the session, leaves a message or an end-of-file there, which sends the
connection to the real check, which fails, and Django connects again before the request
runs. What the local check cannot see (a network that dropped silently) the real check
catches within ``TRUSTED_SECONDS``. After any error in a request, Django's own full
check runs as before (``is_usable``)."""

import select
import time

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

TRUSTED_SECONDS = 10.0


def _has_input(fileno: int) -> bool:
    poller = select.poll()
    poller.register(fileno, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


class DatabaseWrapper(base.DatabaseWrapper):
    _trusted_until = 0.0

    def connect(self):
        super().connect()
        self._trusted_until = time.monotonic() + TRUSTED_SECONDS

    def _looks_healthy(self) -> bool:
        connection = self.connection
        try:
            return (
                not connection.closed
                and connection.info.transaction_status == TransactionStatus.IDLE
                and not _has_input(connection.fileno())
            )
        except Exception:  # noqa: BLE001 - anything odd goes to the real check
            return False

    def close_if_health_check_failed(self):
        if self.connection is None or not self.health_check_enabled or self.health_check_done or self.pool:
            return super().close_if_health_check_failed()
        if time.monotonic() < self._trusted_until and self._looks_healthy():
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
        if self.connection is not None:
            self._trusted_until = time.monotonic() + TRUSTED_SECONDS
