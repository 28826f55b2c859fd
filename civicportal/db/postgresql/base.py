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
check runs as before (``is_usable``).

``prepared_cursor()`` is for the few fixed statements of the busiest endpoints (the API
token lookup, a vote, a filing): their parameters are bound on the server and the
statement is prepared once per connection, so PostgreSQL stops parsing and planning it
on every request (half of a vote's statement time, measured). Everything else keeps
Django's client-side binding. ``DATABASE_PREPARED_STATEMENTS=false`` turns it off, for a
pooler in transaction mode that cannot keep prepared statements."""

import select
import time

from django.conf import settings
from django.db.backends.postgresql import base, operations
from psycopg.pq import TransactionStatus

TRUSTED_SECONDS = 10.0


def _has_input(fileno: int) -> bool:
    poller = select.poll()
    poller.register(fileno, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


class PreparingCursor(base.ServerBindingCursor):
    """Server-side binding, each statement prepared on its first run on the connection."""

    def execute(self, query, params=None, **kwargs):
        kwargs.setdefault("prepare", True)
        return super().execute(query, params, **kwargs)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        """The statement with its values, for query logs and counts (Django reads it off
        a client-side cursor, which a prepared statement's is not)."""
        if isinstance(cursor, PreparingCursor):
            try:
                return self.compose_sql(sql, params)
            except Exception:  # noqa: BLE001 - a log line must not fail the query
                return sql
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    _trusted_until = 0.0

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if connection.prepare_threshold is None and getattr(settings, "DATABASE_PREPARED_STATEMENTS", True):
            # Django turns psycopg's statement preparation off; allow it, but only where
            # asked (``prepare=True``): no count ever reaches this threshold by itself.
            connection.prepare_threshold = 2**31 - 1
        return connection

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

    def prepared_cursor(self):
        """A cursor for a statement that runs again and again: prepared on the server."""
        if not getattr(settings, "DATABASE_PREPARED_STATEMENTS", True):
            return self.cursor()
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            return self._prepare_cursor(PreparingCursor(self.connection))
