"""Shared set-up of the polls benchmarks: a PostgreSQL database, voters with tokens,
gunicorn with 2 sync workers, and a trivial JSON endpoint as the baseline."""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/civic_polls_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/8"

BENCH_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-" + "x" * 50,
    "SECURE_SSL_REDIRECT": "false",
    "LOG_LEVEL": "WARNING",
    "CONN_MAX_AGE": "600",
    "THROTTLE_USER": "1000000/minute",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
}


def setup(database_url=None, *, fresh=False):
    """Point Django at the benchmark database (created if missing, dropped first when
    ``fresh``) and migrate it."""
    os.environ["DATABASE_URL"] = database_url or os.environ.get("DATABASE_URL") or DEFAULT_DB
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("The polls benchmarks need PostgreSQL: set DATABASE_URL=postgres://...")
    for key, value in BENCH_ENV.items():
        os.environ.setdefault(key, value)
    # The production configuration: cache, throttle and broker in Redis (a db of the benchmarks').
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS)
    print(
        f"configuration: DEBUG={os.environ['DEBUG']}, REDIS_URL={os.environ['REDIS_URL']}, "
        f"database {os.environ['DATABASE_URL'].rsplit('/', 1)[-1]}, gunicorn 2 sync workers"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicportal.settings")
    sys.path.insert(0, str(ROOT))
    _create_database(os.environ["DATABASE_URL"], fresh=fresh)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _create_database(url, fresh=False):
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING UTF8 LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )


def make_voters(count, *, district_code="11440", prefix=None, birth_year=1990):
    """``count`` citizens with profiles and API tokens, in bulk; returns [(user_id, token)]."""
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from civicportal.accounts.models import CitizenProfile, District, Role, User

    prefix = prefix or f"bench-{secrets.token_hex(3)}-"
    district = District.objects.get(code=district_code)
    users = User.objects.bulk_create(
        [User(username=f"{prefix}{i}", password="!", email="") for i in range(count)], batch_size=5000
    )
    CitizenProfile.objects.bulk_create(
        [CitizenProfile(user=u, birth_year=birth_year, gender="F", district=district) for u in users], batch_size=5000
    )
    group, _ = Group.objects.get_or_create(name=Role.CITIZEN)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users], batch_size=5000
    )
    tokens = [Token(key=Token.generate_key(), user=u) for u in users]
    Token.objects.bulk_create(tokens, batch_size=5000)
    return [(t.user.pk, t.key) for t in tokens]


def make_poll(question="Benchmark poll", **targets):
    from datetime import timedelta

    from django.utils import timezone

    from civicportal.accounts.models import Department, District, User
    from polls.models import Poll, PollOption

    department, _ = Department.objects.get_or_create(
        code="parking", defaults={"name_ko": "주차계획과", "name_en": "Parking", "kind": "division"}
    )
    author, _ = User.objects.get_or_create(username="bench-officer")
    districts = targets.pop("districts", ())
    poll = Poll.objects.create(
        department=department,
        created_by=author,
        question=question,
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=1),
        **targets,
    )
    PollOption.objects.bulk_create([PollOption(poll=poll, text=t, position=i) for i, t in enumerate("ABCD")])
    if districts:
        poll.districts.set(District.objects.filter(code__in=districts))
    return poll


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn with 2 sync workers serving the portal plus /bench/hello."""

    def __init__(self, workers=2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "bench.polls_wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "--backlog",
                "2048",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/bench/hello", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
