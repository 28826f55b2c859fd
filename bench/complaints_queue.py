"""Benchmark: the officer queue (page and API) and the monitoring board with N cases in PostgreSQL.

    .venv/bin/python bench/complaints_queue.py                  # 100,000 cases (reduced)
    .venv/bin/python bench/complaints_queue.py --cases 1000000  # the full size

Creates (or reuses, with --reuse) its own database ``civic_complaints_bench`` on the server
of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/), loads the cases with COPY,
then measures server time in-process (Django test client, no network) and prints medians,
query counts, and the ratio to a trivial endpoint measured alternately in the same run.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_database(args):
    server = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    base = f"{server.scheme}://{server.netloc}"
    name = args.database
    if not args.reuse:
        host, port, user = server.hostname or "127.0.0.1", str(server.port or 5432), server.username or "postgres"
        subprocess.run(["dropdb", "-h", host, "-p", port, "-U", user, "--if-exists", name], check=True)
        subprocess.run(
            [
                "createdb",
                "-h",
                host,
                "-p",
                port,
                "-U",
                user,
                "-T",
                "template0",
                "-E",
                "UTF8",
                "--lc-ctype=C.UTF-8",
                "--lc-collate=C.UTF-8",
                name,
            ],
            check=True,
        )
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicportal.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    if not args.reuse:
        call_command("migrate", verbosity=0)


def load(count):
    from django.db import connection
    from django.utils import timezone

    from civicportal.accounts import demo
    from civicportal.accounts.models import Department, District, User
    from complaints.models import ACCESS_CODE_ALPHABET, OPEN_STATUSES, Case

    demo.load_all()
    departments = list(Department.objects.exclude(kind__in=Department.EXTERNAL_KINDS).values_list("pk", flat=True))
    districts = list(District.objects.values_list("pk", flat=True))
    citizen = User.objects.get(username="citizen").pk
    officer = User.objects.get(username="officer").pk
    parking = Department.objects.get(code="parking").pk
    rng = random.Random(42)
    now = timezone.now()
    kinds = ["complaint"] * 6 + ["inquiry"] * 3 + ["proposal"]
    channels = ["web"] * 4 + ["mobile"] * 3 + ["120"] * 2 + ["visit", "email", "social"]
    columns = [
        "tracking_number",
        "kind",
        "channel",
        "status",
        "title",
        "text",
        "nouns",
        "citizen_id",
        "filed_by_id",
        "anonymous_reporter",
        "source_url",
        "department_id",
        "officer_id",
        "district_id",
        "location_text",
        "is_simple",
        "filed_at",
        "clock_started_at",
        "due_at",
        "warn_at",
        "answer",
        "answered_at",
        "answer_round",
        "text_is_public",
        "access_code",
    ]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        copy_sql = f"COPY complaints_case ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for i in range(count):
                filed = now - timedelta(minutes=i * 525600 // max(count, 1) + rng.randint(0, 59))
                due = filed + timedelta(days=rng.choice((1, 9, 9, 18)))
                department = parking if i % 30 == 0 else rng.choice(departments)
                open_case = due > now - timedelta(days=3) and rng.random() < 0.5
                status = rng.choice(OPEN_STATUSES) if open_case else "answered"
                answered = None if open_case else filed + timedelta(hours=rng.randint(2, 200))
                copy.write_row(
                    (
                        f"{2000 + i // 9_000_000}-{i % 9_000_000:07d}",
                        rng.choice(kinds),
                        rng.choice(channels),
                        status,
                        f"민원 {i}",
                        "불법 주차 차량 신고",
                        "불법 주차 차량 신고",
                        citizen,
                        citizen,
                        False,
                        "",
                        department,
                        officer if (department == parking and rng.random() < 0.3) else None,
                        rng.choice(districts),
                        "",
                        False,
                        filed,
                        filed,
                        due,
                        filed + (due - filed) * 0.8,
                        "" if open_case else "처리하였습니다",
                        answered,
                        0 if open_case else 1,
                        False,
                        "".join(rng.choices(ACCESS_CODE_ALPHABET, k=8)),
                    )
                )
        cursor.execute(
            "INSERT INTO complaints_rating (case_id, answer_round, score, comment, rated_at) "
            "SELECT id, 1, 1 + (id % 5), '', answered_at FROM complaints_case "
            "WHERE answered_at IS NOT NULL AND id % 7 = 0"
        )
        cursor.execute("ANALYZE")
    print(f"loaded {Case.objects.count():,} cases in {time.perf_counter() - started:.1f}s")


def median_ms(fn, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def measure(runs):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    from civicportal.accounts.models import User
    from complaints import selectors

    officer = User.objects.get(username="officer")
    token, _created = Token.objects.get_or_create(user=officer)
    page = Client()
    page.force_login(officer)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    monitor = Client()
    monitor.force_login(User.objects.get(username="monitor"))

    def get(client, url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    targets = {
        "queue page": lambda: get(page, "/complaints/queue/"),
        "queue page, overdue filter": lambda: get(page, "/complaints/queue/?overdue=1&sort=-filed"),
        "queue API": lambda: get(api, "/api/v1/complaints/queue/"),
        "board numbers (selector)": lambda: selectors.board(),
        "board page": lambda: get(monitor, "/complaints/board/"),
    }
    baseline = lambda: get(api, "/api/v1/me/")  # noqa: E731 - a trivial authenticated endpoint
    for fn in [baseline, *targets.values()]:
        fn()  # warm up
    for name, url in (("queue page", "/complaints/queue/"), ("queue API", "/api/v1/complaints/queue/")):
        with CaptureQueriesContext(connection) as queries:
            get(page if name == "queue page" else api, url)
        print(f"{name}: {len(queries)} queries")
    print(f"{'target':32} {'median ms':>10} {'baseline ms':>12} {'ratio':>7}")
    for name, fn in targets.items():
        base, value = [], []
        for _ in range(3):  # alternate with the baseline: this machine drifts
            base.append(median_ms(baseline, runs))
            value.append(median_ms(fn, runs))
        b, v = statistics.median(base), statistics.median(value)
        print(f"{name:32} {v:10.1f} {b:12.1f} {v / b:7.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--database", default="civic_complaints_bench")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database of a previous run")
    args = parser.parse_args()
    setup_database(args)
    if not args.reuse:
        load(args.cases)
    measure(args.runs)


if __name__ == "__main__":
    main()
