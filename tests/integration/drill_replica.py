"""Drill: reads that may lag go to a real streaming replica, and come back when it lags or dies.

A PostgreSQL primary and its streaming replica of their own (``pg_basebackup -R``, on spare
ports: tests/integration/throwaway.py), the portal pointed at both (``DATABASE_URL`` and
``DATABASE_REPLICA_URL``). The portal's part runs in a subprocess of its own (its settings are
made from the environment at start-up); every statement is recorded with the connection that
ran it, so each check says where a query went, not only what came back.

Checked:
* a page marked lag-OK (the open polls list) reads from the replica, and the connection that
  ran it is a server in recovery; a page that is not marked reads from the primary;
* a write is never sent to the replica, inside a lag-OK scope too, and the reads after it in the
  same scope go to the primary;
* read-your-writes: with the replica's replay paused, a citizen who just voted sees the vote in
  the list (read from the primary) while another citizen's list, read from the replica, does not
  yet; after ``DATABASE_REPLICA_STICKY_SECONDS`` the voter is back on the replica;
* a replica that lags more than ``DATABASE_REPLICA_MAX_LAG_SECONDS`` is skipped;
* a replica that is down is skipped, and the page still answers 200.

Run on its own (as root, with PostgreSQL's server binaries installed):
    .venv/bin/python -m tests.integration.drill_replica
"""

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.integration.throwaway import ThrowawayPostgres, ThrowawayReplica

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
STICKY_SECONDS = 3


def environment(primary_url: str, replica_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "CELERY_"))}
    env.update(
        DATABASE_URL=primary_url,
        DATABASE_REPLICA_URL=replica_url,
        DATABASE_REPLICA_STICKY_SECONDS=str(STICKY_SECONDS),
        # Each phase resets the check itself; none expires during it.
        DATABASE_REPLICA_CHECK_SECONDS="600",
        DATABASE_REPLICA_MAX_LAG_SECONDS="60",
        CELERY_BROKER_URL="memory://",
        DEBUG="false",
        SECRET_KEY="drill-" + "x" * 50,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        THROTTLE_USER="100000/minute",
        THROTTLE_ANON="100000/minute",
        DJANGO_SETTINGS_MODULE="civicportal.settings",
        PYTHONPATH=str(ROOT),
    )
    return env


def _run(env, *args, timeout=600) -> str:
    done = subprocess.run([PYTHON, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        raise RuntimeError(f"{args} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def run(log=print) -> dict:
    primary = ThrowawayPostgres()
    replica = None
    try:
        primary.create_database()
        started = time.monotonic()
        replica = ThrowawayReplica(primary)
        env = environment(primary.url, primary.url.replace(f":{primary.port}/", f":{replica.port}/"))
        _run(env, "manage.py", "migrate", "--noinput")
        log(f"primary, replica and migrations in {time.monotonic() - started:.1f} s")
        result = json.loads(_run(env, "-m", "tests.integration.drill_replica", "up").strip().splitlines()[-1])
        replica.stop()
        replica = None
        result.update(json.loads(_run(env, "-m", "tests.integration.drill_replica", "down").strip().splitlines()[-1]))
        log(json.dumps(result, ensure_ascii=False, indent=1))
        return result
    finally:
        if replica is not None:
            replica.stop()
        primary.stop()


# --- the portal's side (in the subprocess) ---------------------------------------------------


class Recorder:
    """Every statement, by the connection alias that ran it."""

    def __init__(self):
        self.queries = {"default": [], "replica": []}

    @contextlib.contextmanager
    def __call__(self):
        from django.db import connections

        from civicportal.dbrouting import LAG_SQL

        self.queries = {"default": [], "replica": []}

        def record(alias):
            def wrapper(execute, sql, params, many, context):
                if sql != LAG_SQL:
                    self.queries[alias].append(sql)
                return execute(sql, params, many, context)

            return wrapper

        with contextlib.ExitStack() as stack:
            for alias in self.queries:
                stack.enter_context(connections[alias].execute_wrapper(record(alias)))
            yield self.queries


def _writes(sqls):
    return [sql for sql in sqls if sql.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")]


def _touches(sqls, table):
    return sum(1 for sql in sqls if f'"{table}"' in sql)


def _wait_for_replay():
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    for _ in range(200):
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise RuntimeError("the replica did not catch up")


def _seed():
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from civicportal.accounts.models import CitizenProfile, Role, User
    from tests.factories import DepartmentFactory, district
    from tests.polls.factories import PollFactory

    department = DepartmentFactory(code="replica")
    run = str(time.time_ns())  # a run against a database kept from the last one adds its own rows
    officer = User.objects.create(username=f"replica-officer-{run}", password="!")
    poll = PollFactory(department=department, created_by=officer)
    tokens = []
    group, _ = Group.objects.get_or_create(name=str(Role.CITIZEN))
    for name in ("voter", "neighbour"):
        user = User.objects.create(username=f"replica-{name}-{run}", password="!")
        CitizenProfile.objects.create(
            user=user, birth_year=1990, gender=CitizenProfile.Gender.FEMALE, district=district(), dong="서교동"
        )
        group.user_set.add(user)
        tokens.append(Token.objects.create(user=user).key)
    return poll, tokens


def _ballots_seen(client, token, poll_id):
    response = client.get("/api/v1/polls/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200, response.content
    polls = {p["id"]: p for p in response.json()["results"]}
    return polls[poll_id]["total_ballots"] if poll_id in polls else None


def phase_up() -> dict:
    from django.conf import settings
    from django.db import connections
    from django.test import Client

    from civicportal.accounts.models import Department
    from civicportal.dbrouting import health, reads_may_lag

    record = Recorder()
    client = Client()
    poll, (voter, neighbour) = _seed()
    _wait_for_replay()
    out = {}

    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), inet_server_port()")
        out["replica_in_recovery"], out["replica_port"] = cursor.fetchone()
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), inet_server_port()")
        out["primary_in_recovery"], out["primary_port"] = cursor.fetchone()

    # A lag-OK page: its reads go to the replica.
    health.reset()
    with record() as queries:
        out["lag_ok_ballots"] = _ballots_seen(client, neighbour, poll.pk)
    out["lag_ok_poll_queries"] = {alias: _touches(sqls, "polls_poll") for alias, sqls in queries.items()}
    out["replica_healthy"], out["replica_lag"] = health.healthy, health.lag

    # A page that is not marked: the primary only.
    with record() as queries:
        status = client.get(f"/api/v1/polls/{poll.pk}/", HTTP_AUTHORIZATION=f"Token {neighbour}").status_code
    out["unmarked"] = {"status": status, **{alias: len(sqls) for alias, sqls in queries.items()}}

    # A write inside a lag-OK scope goes to the primary, and so do the reads after it.
    with record() as queries, reads_may_lag():
        before = Department.objects.filter(code="replica").count()
        reads_before = {alias: len(sqls) for alias, sqls in queries.items()}
        Department.objects.filter(code="replica").update(name_ko="복제 확인")
        after = Department.objects.get(code="replica").name_ko
    out["scoped_write"] = {
        "reads_before_write": reads_before,
        "replica_writes": _writes(queries["replica"]),
        "primary_writes": len(_writes(queries["default"])),
        "read_after_write_on": "default" if _touches(queries["default"][-1:], Department._meta.db_table) else "replica",
        "value": after,
        "count_before": before,
    }

    # Read-your-writes: the replica stops replaying (still "healthy": the allowed lag is 60 s);
    # the voter votes, then both citizens load the list.
    replica_sql = connections["replica"].cursor()
    replica_sql.execute("SELECT pg_wal_replay_pause()")
    with record() as queries:
        response = client.post(
            f"/api/v1/polls/{poll.pk}/vote/",
            data=json.dumps({"options": [poll.options.first().pk]}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {voter}",
        )
    out["vote"] = {"status": response.status_code, "replica_queries": len(queries["replica"])}
    health.reset()
    with record() as queries:
        out["voter_sees"] = _ballots_seen(client, voter, poll.pk)
    out["voter_poll_queries"] = {alias: _touches(sqls, "polls_poll") for alias, sqls in queries.items()}
    with record() as queries:
        out["neighbour_sees"] = _ballots_seen(client, neighbour, poll.pk)
    out["neighbour_poll_queries"] = {alias: _touches(sqls, "polls_poll") for alias, sqls in queries.items()}
    time.sleep(STICKY_SECONDS + 0.5)
    with record() as queries:
        out["voter_later_sees"] = _ballots_seen(client, voter, poll.pk)
    out["voter_later_poll_queries"] = {alias: _touches(sqls, "polls_poll") for alias, sqls in queries.items()}

    # The same paused replica, now further behind than allowed: skipped.
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 1.0
    health.reset()
    with record() as queries:
        out["lagging_sees"] = _ballots_seen(client, neighbour, poll.pk)
    out["lagging_poll_queries"] = {alias: _touches(sqls, "polls_poll") for alias, sqls in queries.items()}
    out["lagging_health"] = {"healthy": health.healthy, "lag": health.lag}
    replica_sql.execute("SELECT pg_wal_replay_resume()")
    replica_sql.close()
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 60.0
    _wait_for_replay()
    health.reset()
    with record() as queries:
        out["caught_up_sees"] = _ballots_seen(client, neighbour, poll.pk)
    out["caught_up_poll_queries"] = {alias: _touches(sqls, "polls_poll") for alias, sqls in queries.items()}
    return out


def phase_down() -> dict:
    from django.db import connections
    from django.test import Client

    from civicportal.dbrouting import health
    from polls.models import Poll

    record = Recorder()
    client = Client()
    poll = Poll.objects.filter(created_by__username__startswith="replica-officer").last()
    health.reset()
    started = time.monotonic()
    with record() as queries:
        response = client.get("/api/v1/opendata/")
        listing = client.get("/api/v1/opendata/polls/")
    return {
        "down": {
            "statuses": [response.status_code, listing.status_code],
            "healthy": health.healthy,
            "replica_queries": len(queries["replica"]),
            "primary_queries": len(queries["default"]),
            "seconds": round(time.monotonic() - started, 2),
            "poll": poll.pk,
            "replica_connection_open": connections["replica"].connection is not None,
        }
    }


if __name__ == "__main__":
    phase = sys.argv[1] if len(sys.argv) > 1 else ""
    if phase in ("up", "down"):
        import django

        django.setup()
        print(json.dumps(phase_up() if phase == "up" else phase_down(), ensure_ascii=False, default=str))
    else:
        run()
