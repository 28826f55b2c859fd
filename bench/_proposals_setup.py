"""Shared set-up of the Oasis benchmarks: a throw-away PostgreSQL database, Django, timing."""

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def bench_database(name, *, reuse=False):
    """Create database ``name`` (UTF-8) beside DATABASE_URL's and point Django at it."""
    import psycopg

    base = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not base.startswith("postgres"):
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    url = urlparse(base)
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not reuse:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not reuse:
            conn.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
    fresh = not (exists and reuse)
    os.environ["DATABASE_URL"] = url._replace(path=f"/{name}").geturl()
    os.environ.setdefault("DEBUG", "true")  # static files without a manifest
    os.environ.setdefault("THROTTLE_ANON", "1000000/minute")
    os.environ.setdefault("THROTTLE_USER", "1000000/minute")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "civicportal.settings"
    import django

    django.setup()
    if fresh:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    return fresh


def timed(fn, repeat):
    """Run ``fn`` ``repeat`` times; the sorted durations in milliseconds."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def median(values):
    return statistics.median(values)


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
