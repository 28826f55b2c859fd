"""120 Dasan statistics at scale, on PostgreSQL.

Generates contacts with COPY into its own database (``<DATABASE_URL name>_bench``), computes the
daily summaries, then times, alternating with a baseline measured in the same run:

* the daily summary task for one day (target: < 5 s at ~22,000 contacts a day);
* the statistics page for a month, rendered through Django (target: < 500 ms), and the same
  month computed from the raw rows (what the summaries save);
* baseline: the portal's /healthz page (one SELECT 1) through the same Django client.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civic_callcenter .venv/bin/python bench/callcenter_stats.py
    ... --full          # a year: 365 days x 22,000 = 8,030,000 contacts
    ... --days 31 --per-day 22000 --repeat 7 --keep   # defaults; --keep reuses generated rows
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SEOUL = ZoneInfo("Asia/Seoul")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="a year of contacts (8,030,000 rows)")
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--per-day", type=int, default=22_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="reuse the rows of a previous run if the count matches")
    args = parser.parse_args()
    if args.full:
        args.days = 365
    return args


def setup_database(suffix="_bench"):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the bench creates <name>_bench beside it).")
    import psycopg

    base, name = url.rsplit("/", 1)
    bench_name = f"{name}{suffix}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (bench_name,)).fetchone()
        if not exists:
            conn.execute(
                f'CREATE DATABASE "{bench_name}" TEMPLATE template0 ENCODING UTF8 '
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
    os.environ["DATABASE_URL"] = f"{base}/{bench_name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicportal.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    os.environ.setdefault("DEBUG", "false")  # no query log, as in production
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    import django

    django.setup()
    from django.conf import settings

    # No collectstatic in a bench: plain static URLs instead of the manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return bench_name


def generate(days, per_day, keep):
    from django.db import connection

    from callcenter.models import Contact, Topic
    from civicportal.accounts.models import Department, Role
    from tests.factories import UserFactory

    counsellors = [UserFactory(username=f"bench_counsellor{i}", roles=[Role.COUNSELLOR]) for i in range(40)]
    department, _ = Department.objects.get_or_create(
        code="bench-dept", defaults={"name_ko": "벤치", "name_en": "Bench", "kind": "division"}
    )
    topics = [
        Topic.objects.get_or_create(code=f"bench-{i}", defaults={"name_ko": f"주제{i}", "name_en": f"Topic {i}"})[0]
        for i in range(30)
    ]
    total = days * per_day
    if keep and Contact.objects.count() == total:
        print(f"reusing {total:,} contacts")
        return
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE callcenter_contact, callcenter_dailysummary CASCADE")
    today = dt.datetime.now(SEOUL).date()
    first = today - dt.timedelta(days=days)
    rng = random.Random(120)
    channels = ["voice"] * 70 + ["sms_mms"] * 8 + ["text_chat"] * 8 + ["social_media"] * 4 + ["video"] * 3
    channels += ["sign_language"] * 2 + ["walk_in"] * 2 + ["web_message"] * 3
    languages = ["ko"] * 95 + ["en", "en", "zh", "ja", "vi"]
    outcomes = ["answered"] * 80 + ["transferred"] * 10 + ["callback"] * 6 + ["case"] * 4
    # Calls cluster in office hours: weights per hour of the day.
    hour_weights = [1, 1, 1, 1, 1, 1, 2, 4, 8, 12, 12, 11, 9, 11, 12, 12, 11, 9, 6, 4, 3, 2, 2, 1]
    columns = (
        "channel, language, caller_phone, counsellor_id, topic_id, question, answer, message_text, started_at, "
        "ended_at, duration_seconds, outcome, transferred_to_id, case_tracking_number, satisfaction, "
        "satisfaction_comment, status, created_at, closed_at"
    )
    counsellor_ids = [c.pk for c in counsellors]
    topic_ids = [t.pk for t in topics]
    started = time.perf_counter()
    raw = connection.connection  # the psycopg 3 connection
    # COPY compact rows (epoch seconds, small codes) into a staging table, then let the server
    # build the real rows with one INSERT ... SELECT: Python formatting datetimes was the bottleneck.
    with raw.cursor() as cursor:
        cursor.execute(
            "CREATE UNLOGGED TABLE IF NOT EXISTS bench_contact_stage (started bigint, duration int, channel text, "
            "language text, counsellor bigint, topic bigint, outcome text, score smallint)"
        )
        cursor.execute("TRUNCATE bench_contact_stage")
        with cursor.copy("COPY bench_contact_stage FROM STDIN") as copy:
            for day_index in range(days):
                day = first + dt.timedelta(days=day_index)
                midnight = int(dt.datetime.combine(day, dt.time.min, tzinfo=SEOUL).timestamp())
                n = per_day
                hours = rng.choices(range(24), weights=hour_weights, k=n)
                lines = []
                for hour, channel, language, outcome, counsellor, topic, score in zip(
                    hours,
                    rng.choices(channels, k=n),
                    rng.choices(languages, k=n),
                    rng.choices(outcomes, k=n),
                    rng.choices(counsellor_ids, k=n),
                    rng.choices(topic_ids, k=n),
                    rng.choices(("\\N", "\\N", "\\N", "3", "4", "5", "5"), k=n),
                    strict=True,
                ):
                    started_at = midnight + hour * 3600 + rng.randrange(3600)
                    duration = int(rng.expovariate(1 / 180)) + 20
                    lines.append(
                        f"{started_at}\t{duration}\t{channel}\t{language}\t{counsellor}\t{topic}\t{outcome}\t{score}\n"
                    )
                copy.write("".join(lines))
        copied = time.perf_counter()
        # The generated rows reference existing users, topics and a department: skip the per-row
        # foreign-key triggers while loading (needs a superuser, as on the bench machine).
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            f"INSERT INTO callcenter_contact ({columns}) "
            "SELECT channel, language, '+821012345678', counsellor, topic, '문의', '안내', '', "
            "to_timestamp(started), to_timestamp(started + duration), duration, outcome, "
            "CASE WHEN outcome = 'transferred' THEN %s END, '', score, '', 'closed', "
            "to_timestamp(started + duration), to_timestamp(started + duration) FROM bench_contact_stage",
            (department.pk,),
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("DROP TABLE bench_contact_stage")
        print(f"  COPY {copied - started:.1f} s, INSERT ... SELECT {time.perf_counter() - copied:.1f} s")
    raw.commit()
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE callcenter_contact")
    rate = total / elapsed
    print(f"generated {total:,} contacts over {days} days in {elapsed:.1f} s ({rate:,.0f} rows/s, COPY + INSERT)")


def median_ms(samples):
    return statistics.median(samples) * 1000


def timed(fn):
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main():
    args = parse_args()
    bench_db = setup_database()
    print(f"database: {bench_db}; {args.days} days x {args.per_day:,} contacts")
    generate(args.days, args.per_day, args.keep)

    from django.test import Client

    from callcenter import selectors
    from civicportal.accounts.models import User

    today = dt.datetime.now(SEOUL).date()
    yesterday = today - dt.timedelta(days=1)
    month_from = yesterday - dt.timedelta(days=min(args.days, 30) - 1)

    started = time.perf_counter()
    for i in range((yesterday - month_from).days + 1):
        selectors.daily_summary_recompute(month_from + dt.timedelta(days=i))
    print(f"summaries of the month computed in {time.perf_counter() - started:.1f} s")

    client = Client()
    client.force_login(User.objects.get(username="bench_counsellor0"))
    url = f"/callcenter/statistics/?date_from={month_from}&date_to={yesterday}"
    assert client.get(url).status_code == 200
    assert client.get("/healthz").status_code in (200, 503)

    samples = {"daily summary task (1 day)": [], "statistics page (month)": [], "baseline /healthz": []}
    raw_samples = []
    for _ in range(args.repeat):
        samples["baseline /healthz"].append(timed(lambda: client.get("/healthz")))
        samples["statistics page (month)"].append(timed(lambda: client.get(url)))
        samples["daily summary task (1 day)"].append(timed(lambda: selectors.daily_summary_recompute(yesterday)))
    for _ in range(max(1, args.repeat // 3)):
        raw_samples.append(timed(lambda: selectors.statistics(month_from, yesterday, use_summaries=False)))

    base = median_ms(samples["baseline /healthz"])
    print(f"\nmedians over {args.repeat} alternating runs:")
    for name, values in samples.items():
        print(f"  {name:<32} {median_ms(values):9.1f} ms   ({median_ms(values) / base:7.1f} x baseline)")
    print(f"  {'month from raw rows (no summary)':<32} {median_ms(raw_samples):9.1f} ms")
    page = median_ms(samples["statistics page (month)"])
    task = median_ms(samples["daily summary task (1 day)"])
    print(
        f"\ntargets: statistics page < 500 ms: {'OK' if page < 500 else 'MISSED'} ({page:.0f} ms); "
        f"daily summary < 5 s: {'OK' if task < 5000 else 'MISSED'} ({task / 1000:.2f} s)"
    )


if __name__ == "__main__":
    main()
