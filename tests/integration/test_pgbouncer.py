"""The portal through PgBouncer in transaction mode (``DATABASE_POOLER=pgbouncer``): a PgBouncer of
its own in front of the test database's server, and a portal process connected through it that
votes, is refused a second vote and lists the polls. The whole API suite through it:
tests/integration/through_pgbouncer.py (docs/operations.md, "PgBouncer")."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from tests.integration import throwaway

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.integration]

SCRIPT = """
import json, django
django.setup()
from django.db import connection
from django.test import Client
from tests.integration.drill_replica import _seed
poll, (voter, neighbour) = _seed()
client = Client()
def vote(token):
    return client.post(f"/api/v1/polls/{poll.pk}/vote/", data=json.dumps({"options": [poll.options.first().pk]}),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}").status_code
first, again = vote(voter), vote(voter)
listing = client.get("/api/v1/polls/", HTTP_AUTHORIZATION=f"Token {neighbour}")
poll.refresh_from_db()
print(json.dumps({"vote": first, "again": again, "listing": listing.status_code,
                  "ballots": poll.ballots.count(), "port": connection.settings_dict["PORT"],
                  "prepare_threshold": connection.connection.prepare_threshold,
                  "server_side_cursors_off": connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"]}))
"""


@pytest.fixture
def bouncer(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    if not throwaway.pgbouncer_bin():
        pytest.skip("pgbouncer is not installed")
    if throwaway.available() == "needs root (or sudo) to run initdb as the postgres user":
        pytest.skip("needs root (or sudo) to run PgBouncer as the postgres user")
    bouncer = throwaway.ThrowawayPgBouncer(int(connection.settings_dict["PORT"] or 5432), pool_size=4)
    yield bouncer
    bouncer.stop()


def test_the_portal_votes_and_lists_through_pgbouncer_in_transaction_mode(bouncer):
    database = connection.settings_dict["NAME"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_"))}
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{bouncer.port}/{database}",
        DATABASE_POOLER="pgbouncer",
        CELERY_BROKER_URL="memory://",
        DEBUG="false",
        SECRET_KEY="pgbouncer-" + "x" * 50,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        DJANGO_SETTINGS_MODULE="civicportal.settings",
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {
        "vote": 201,
        "again": 409,
        "listing": 200,
        "ballots": 1,
        "port": bouncer.port,
        "prepare_threshold": None,
        "server_side_cursors_off": True,
    }
    # PgBouncer's own count: the transactions went through it, to the test database.
    stats = {row.split("|")[0]: row.split("|") for row in bouncer.show("STATS").splitlines()}
    assert int(stats[database][1]) > 10
