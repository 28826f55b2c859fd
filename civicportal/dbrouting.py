"""Reads that may be a few seconds old go to a streaming replica; everything else to the primary.

Only with ``DATABASE_REPLICA_URL`` set (settings then add the ``replica`` alias, this router and
``ReadYourWritesMiddleware``); without it nothing here runs.

A read goes to the replica only when all of these hold:

* it runs inside a "reads may lag" scope: a view or API view marked ``@reads_may_lag`` (the
  monitoring board, reports, statistics, open data, public lists, public alert pages) answering a
  GET or HEAD, or code that enters ``with reads_may_lag():`` itself;
* nothing in the request wrote yet (any ``db_for_write`` turns the rest of the request to the
  primary) and no transaction is open on the primary;
* the client did not write in the last ``DATABASE_REPLICA_STICKY_SECONDS`` (read-your-writes:
  a request that wrote, or any POST/PUT/PATCH/DELETE, marks its client — API token, session or
  address — in the shared cache, so the next pages show what it just did, whichever web host
  answers them);
* the replica answers and replays within ``DATABASE_REPLICA_MAX_LAG_SECONDS`` (checked with a
  short connect timeout, the answer kept ``DATABASE_REPLICA_CHECK_SECONDS`` per process).

Writes always go to the primary, and migrations run only there (the replica follows by WAL).
"""

import contextlib
import hashlib
import logging
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections

log = logging.getLogger(__name__)

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD"})


@dataclass
class _Scope:
    may_lag: bool = False
    wrote: bool = False


_scope: ContextVar[_Scope | None] = ContextVar("civicportal_db_scope", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


# --- the lag-OK scope -----------------------------------------------------------------------


class _ReadsMayLag:
    """``@reads_may_lag`` on a view function, a class-based view or a DRF view/viewset marks it
    (the middleware opens the scope for its GET/HEAD requests, rendering and streaming included);
    ``with reads_may_lag():`` opens the scope for a block of code."""

    def __call__(self, view=None):
        if view is None:
            return self._block()
        view.reads_may_lag = True
        return view

    @contextmanager
    def _block(self):
        scope = _scope.get()
        token = None
        if scope is None:
            token = _scope.set(scope := _Scope())
        previous = scope.may_lag
        scope.may_lag = not scope.wrote
        try:
            yield scope
        finally:
            scope.may_lag = previous
            if token is not None:
                _scope.reset(token)


reads_may_lag = _ReadsMayLag()


def view_reads_may_lag(view) -> bool:
    """Whether the resolved view (a function, ``as_view()``'s result or a Feed instance) is marked."""
    if getattr(view, "reads_may_lag", False):
        return True
    for attribute in ("view_class", "cls"):
        if getattr(getattr(view, attribute, None), "reads_may_lag", False):
            return True
    return False


@contextmanager
def primary_only():
    """A block whose reads must see the latest committed rows, whatever the scope around it."""
    token = _scope.set(_Scope(may_lag=False, wrote=True))
    try:
        yield
    finally:
        _scope.reset(token)


# --- read-your-writes across requests ---------------------------------------------------------


def client_key(request) -> str:
    """Who the next request will come from: the API token, else the session, else the address."""
    identity = request.META.get("HTTP_AUTHORIZATION", "")
    if not identity:
        session = getattr(request, "session", None)
        identity = (session.session_key if session is not None else "") or ""
        identity = identity or request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    if not identity:
        identity = "addr:" + request.META.get("REMOTE_ADDR", "")
    return "civic:db:wrote:" + hashlib.sha256(identity.encode()).hexdigest()[:32]


def wrote_recently(request) -> bool:
    return bool(cache.get(client_key(request)))


def remember_write(request):
    seconds = settings.DATABASE_REPLICA_STICKY_SECONDS
    if seconds > 0:
        cache.set(client_key(request), 1, timeout=seconds)


class ReadYourWritesMiddleware:
    """Opens the per-request scope; lets a marked view read from the replica unless the client
    wrote recently; remembers a client that wrote, for ``DATABASE_REPLICA_STICKY_SECONDS``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        scope = _Scope()
        token = _scope.set(scope)
        try:
            response = self.get_response(request)
            if scope.wrote or request.method not in SAFE_METHODS:
                # After the view: a login's new session key is the one the next request carries.
                remember_write(request)
            if response.streaming and scope.may_lag:
                response.streaming_content = _within(scope, response.streaming_content)
            return response
        finally:
            _scope.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        scope = _scope.get()
        if (
            scope is not None
            and request.method in SAFE_METHODS
            and view_reads_may_lag(view_func)
            and not wrote_recently(request)
        ):
            scope.may_lag = True


def _within(scope, chunks):
    token = _scope.set(scope)
    try:
        yield from chunks
    finally:
        _scope.reset(token)


# --- replica health ---------------------------------------------------------------------------

LAG_SQL = (
    "SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)


class _Health:
    """The replica's last known state, per process: a cache with a time limit
    (``DATABASE_REPLICA_CHECK_SECONDS``) so a request never pays the check twice in a row."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        self.checked_at = float("-inf")
        self.healthy = False
        self.lag = None

    def is_healthy(self) -> bool:
        now = time.monotonic()
        if now - self.checked_at < settings.DATABASE_REPLICA_CHECK_SECONDS:
            return self.healthy
        with self._lock:
            if now - self.checked_at >= settings.DATABASE_REPLICA_CHECK_SECONDS:
                self.healthy, self.lag = self._check()
                self.checked_at = time.monotonic()
        return self.healthy

    def _check(self) -> tuple[bool, float | None]:
        connection = connections[REPLICA]
        try:
            with connection.cursor() as cursor:
                cursor.execute(LAG_SQL)
                in_recovery, lag = cursor.fetchone()
        except Exception as error:  # noqa: BLE001 - a replica that fails in any way is not used
            log.warning("replica unavailable, reading from the primary: %s", error)
            with contextlib.suppress(Exception):
                connection.close()
            return False, None
        lag = float(lag or 0)
        healthy = bool(in_recovery) and lag <= settings.DATABASE_REPLICA_MAX_LAG_SECONDS
        if not healthy:
            log.warning("replica lags %.1f s (in recovery: %s), reading from the primary", lag, in_recovery)
        return healthy, lag


health = _Health()


# --- the router ------------------------------------------------------------------------------


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        scope = _scope.get()
        if scope is None or not scope.may_lag or scope.wrote:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            # Inside a transaction on the primary, reads belong to that transaction.
            return DEFAULT_DB_ALIAS
        return REPLICA if health.is_healthy() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        scope = _scope.get()
        if scope is not None:
            scope.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # One database seen through two doors: rows from either may relate.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
