"""Run tests with the portal connected through PgBouncer in transaction mode.

A PgBouncer of its own (tests/integration/throwaway.py) in front of the PostgreSQL server of
``DATABASE_URL``; ``DATABASE_URL`` then points at PgBouncer and ``DATABASE_POOLER=pgbouncer``
turns off what transaction pooling cannot carry (prepared statements, server-side cursors).
The test database is made through PgBouncer too; it is kept to the end of the run
(``--reuse-db``), since PgBouncer holds server connections to it, and dropped afterwards.
Prints PgBouncer's own count of the transactions it carried, to show the traffic went through it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicportal DATABASE_TEST_TEMPLATE=civicportal_template \\
        .venv/bin/python -m tests.integration.through_pgbouncer tests/api tests/polls -q
"""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.integration.throwaway import ThrowawayPgBouncer

ROOT = Path(__file__).resolve().parents[2]


def _dropdb(port: int, name: str):
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "--if-exists", "--force", name],
        check=True,
        capture_output=True,
    )


def main(pytest_args: list[str]) -> int:
    url = os.environ["DATABASE_URL"]
    server_port = urlsplit(url).port or 5432
    test_name = os.environ.get("DATABASE_TEST_NAME") or "t_through_pgbouncer"
    _dropdb(server_port, test_name)
    bouncer = ThrowawayPgBouncer(server_port)
    try:
        env = dict(
            os.environ,
            DATABASE_URL=url.replace(f":{server_port}/", f":{bouncer.port}/"),
            DATABASE_POOLER="pgbouncer",
            DATABASE_TEST_NAME=test_name,
        )
        started = time.monotonic()
        done = subprocess.run(
            [str(ROOT / ".venv/bin/pytest"), "-p", "no:cacheprovider", "--reuse-db", *pytest_args], cwd=ROOT, env=env
        )
        print(
            f"through PgBouncer (port {bouncer.port}, transaction mode): exit {done.returncode}, "
            f"{time.monotonic() - started:.1f} s"
        )
        stats = bouncer.show("STATS").splitlines()
        for row in stats:
            fields = row.split("|")
            if fields[0] == test_name:
                print(f"PgBouncer carried {fields[1]} transactions and {fields[2]} queries to {test_name}")
        return done.returncode
    finally:
        bouncer.stop()
        _dropdb(server_port, test_name)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
