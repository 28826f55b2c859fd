"""Open-data export at 1,000,000 cases, on PostgreSQL: time and peak memory.

Works in its own database (default ``civic_bench_opendata``, created from
``civicportal_template`` if missing, like
``createdb -h 127.0.0.1 -U postgres -T civicportal_template civic_bench_opendata``), fills
``complaints_case`` with COPY (generated cases over a year, 25 districts, their dongs, 20
categories), then runs each step in a fresh child process that reports its wall time and its
peak resident memory (``ru_maxrss``):

* ``refresh``: the nightly rebuild of the published cases (anonymise, coarsen, withhold);
* ``csv`` / ``json``: the download through Django (``/opendata/cases.csv`` and ``.json``, a
  streamed response consumed to the end), at every row and at the first 10,000 rows only:
  constant memory means the two peaks are the same;
* baseline: ``COPY (SELECT the same columns) TO STDOUT`` of the published table, the
  database's own floor, timed in the same child right after the export (machines drift).

    .venv/bin/python bench/opendata_export.py                 # 1,000,000 cases
    .venv/bin/python bench/opendata_export.py --cases 100000 --keep
"""

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SEOUL = ZoneInfo("Asia/Seoul")
DB = "civic_bench_opendata"
SMALL = 10_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="reuse the cases of a previous run if the count matches")
    parser.add_argument("--child", choices=["refresh", "csv", "json"], help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args()


def database_url():
    base = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    return f"{base}/{DB}"


def ensure_database():
    import psycopg

    base = database_url().rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB,)).fetchone():
            conn.execute(f'CREATE DATABASE "{DB}" TEMPLATE civicportal_template')


def setup_django():
    os.environ["DATABASE_URL"] = database_url()
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicportal.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    os.environ.setdefault("DEBUG", "false")  # no query log, as in production
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    import django

    django.setup()


def generate(total, keep):
    from django.db import connection

    from civicportal.accounts import geo
    from civicportal.accounts.models import Department, District
    from complaints.models import Case, Category

    if keep and Case.objects.count() == total:
        print(f"reusing {total:,} cases")
        return
    departments = [
        Department.objects.get_or_create(
            code=f"bench-{i}", defaults={"name_ko": f"벤치부서{i}", "name_en": f"Bench {i}", "kind": "division"}
        )[0].pk
        for i in range(10)
    ]
    categories = [
        Category.objects.get_or_create(code=f"bench-{i}", defaults={"name_ko": f"분야{i}", "name_en": f"Category {i}"})[
            0
        ].pk
        for i in range(20)
    ]
    districts = dict(District.objects.values_list("code", "pk"))
    gazetteer = geo._data()  # the dong of each district, as the resolver knows them
    places = [(districts[code], area.name) for code, areas in gazetteer.dongs_by_gu.items() for area in areas]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE complaints_case CASCADE")
    rng = random.Random(16)
    start = dt.datetime(2025, 1, 1, tzinfo=SEOUL)
    # Categories and places are skewed, as real ones are: a few take most cases.
    category_weights = [1 / (i + 1) for i in range(len(categories))]
    place_weights = [rng.paretovariate(1.5) for _ in places]
    columns = (
        "tracking_number, kind, category_id, channel, status, title, text, nouns, anonymous_reporter, source_url, "
        "text_is_public, access_code, department_id, lat, lon, district_id, dong, location_text, is_simple, "
        "filed_at, clock_started_at, due_at, warn_at, answer, answered_at, answer_round"
    )
    started = time.perf_counter()
    raw = connection.connection
    with raw.cursor() as cursor, cursor.copy(f"COPY complaints_case ({columns}) FROM STDIN") as copy:
        chunk = 50_000
        for offset in range(0, total, chunk):
            n = min(chunk, total - offset)
            cats = rng.choices(categories, weights=category_weights, k=n)
            where = rng.choices(places, weights=place_weights, k=n)
            for i in range(n):
                filed = start + dt.timedelta(seconds=rng.randrange(365 * 86400))
                answered = filed + dt.timedelta(hours=rng.randrange(1, 200)) if rng.random() < 0.8 else None
                district, dong = where[i]
                public = rng.random() < 0.1
                copy.write_row(
                    (
                        f"2025-{offset + i + 1:07d}",
                        "complaint",
                        cats[i],
                        "web",
                        "answered" if answered else "received",
                        "제목",
                        "내용",
                        "",
                        False,
                        "",
                        public,
                        "ABCDEFGH",
                        rng.choice(departments),
                        f"{37.45 + rng.random() * 0.2:.6f}",
                        f"{126.8 + rng.random() * 0.35:.6f}",
                        district,
                        dong,
                        "",
                        False,
                        filed,
                        filed,
                        filed + dt.timedelta(days=7),
                        filed + dt.timedelta(days=6),
                        "답변" if answered else "",
                        answered,
                        1 if answered else 0,
                    )
                )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE complaints_case")
    print(f"generated {total:,} cases in {time.perf_counter() - started:.1f} s (COPY)")


def child(step, limit):
    setup_django()
    from django.db import connection
    from django.test import Client

    from opendata import exports, services
    from opendata.datasets import CASES

    started = time.perf_counter()
    result = {"step": step, "limit": limit}
    if step == "refresh":
        dataset = services.dataset_refresh(slug="cases")
        result.update(rows=dataset.row_count, coarsened=dataset.coarsened_count, withheld=dataset.withheld_count)
        result["seconds"] = time.perf_counter() - started
    else:
        if limit:
            rows = exports._rows

            def first_rows(spec):
                queryset = spec.model.objects.order_by("pk").values_list(*spec.field_names)[:limit]
                return queryset.iterator(chunk_size=exports.CHUNK)

            exports._rows = first_rows
            assert rows
        response = Client().get(f"/opendata/cases.{step}")
        size = sum(len(chunk) for chunk in response.streaming_content)
        result["seconds"] = time.perf_counter() - started
        result["megabytes"] = size / 1e6
        # Baseline: the same columns straight out of PostgreSQL.
        columns = ", ".join(f'"{name}"' for name in CASES.field_names)
        table = CASES.model._meta.db_table
        sql = f"COPY (SELECT {columns} FROM {table} ORDER BY id{f' LIMIT {limit}' if limit else ''}) TO STDOUT"
        form = " WITH (FORMAT csv)"
        started = time.perf_counter()
        copied = 0
        with connection.cursor() as cursor, cursor.cursor.copy(sql + form) as copy:
            for block in copy:
                copied += len(block)
        result["copy_seconds"] = time.perf_counter() - started
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def run_child(step, limit=0):
    out = subprocess.run(
        [sys.executable, __file__, "--child", step, "--limit", str(limit)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    args = parse_args()
    if args.child:
        child(args.child, args.limit)
        return
    ensure_database()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    generate(args.cases, args.keep)
    refresh = run_child("refresh")
    print(
        f"refresh of {args.cases:,} cases: {refresh['seconds']:.1f} s, peak {refresh['peak_mb']:.0f} MB; "
        f"published {refresh['rows']:,} (coarsened {refresh['coarsened']:,}), withheld {refresh['withheld']:,}"
    )
    for step in ("csv", "json"):
        small = run_child(step, SMALL)
        full = run_child(step)
        print(
            f"{step}: {refresh['rows']:,} rows ({full['megabytes']:.0f} MB) in {full['seconds']:.1f} s "
            f"({refresh['rows'] / full['seconds']:,.0f} rows/s), peak {full['peak_mb']:.0f} MB; "
            f"first {SMALL:,} rows: peak {small['peak_mb']:.0f} MB; "
            f"COPY of the same rows: {full['copy_seconds']:.1f} s "
            f"(export/COPY {full['seconds'] / full['copy_seconds']:.1f}x)"
        )


if __name__ == "__main__":
    main()
