"""Fan-out of a city-wide emergency alert to N citizens (console SMS + in-app = 2N delivery rows),
with 1 and then 2 worker processes, beside a raw COPY of the same 2N rows in the same run.

    .venv/bin/python bench/alerts_fanout.py                  # 20,000 citizens (quick)
    .venv/bin/python bench/alerts_fanout.py --citizens 200000
    .venv/bin/python bench/alerts_fanout.py --full           # 1,000,000 citizens, 2,000,000 rows

Needs PostgreSQL and Redis: DATABASE_URL (default: a database civic_alerts_bench on
127.0.0.1, created if missing) and REDIS_URL (default redis://127.0.0.1:6379/5).
Each round runs fan-out(1 process), fan-out(2 processes) and COPY alternately, since
this machine's speed drifts; medians and ratios are printed at the end.
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--citizens", type=int, default=20_000)
    parser.add_argument("--full", action="store_true", help="1,000,000 citizens (the issue's size)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--workers", default="1,2", help="worker process counts to compare")
    parser.add_argument("--chunk-size", type=int, default=10_000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5"))
    args = parser.parse_args()
    if args.full:
        args.citizens = 1_000_000
    if not args.database_url:
        args.database_url = "postgres://postgres@127.0.0.1:5432/civic_alerts_bench"
    return args


def ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(
                f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )


def setup(args, outbox):
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "DJANGO_SETTINGS_MODULE": "civicportal.settings",
            "NOTIFICATION_OUTBOX_DIR": str(outbox),
            "ALERT_CHUNK_SIZE": str(args.chunk_size),
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALERT_CHUNK_SIZE = args.chunk_size
    call_command("migrate", verbosity=0)


def populate(n):
    """N bench citizens (bench-0 ... bench-N-1) made by the database itself, once.
    Returns how many citizen profiles the database holds (a city-wide alert targets all)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM accounts_citizenprofile")
        if cursor.fetchone()[0] < n:
            print(f"creating up to {n:,} citizens and profiles...", flush=True)
            cursor.execute(
                "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,"
                " is_staff, is_active, date_joined, full_name)"
                " SELECT '!', false, 'bench-' || g, '', '', 'bench' || g || '@example.org', false, true, now(), ''"
                " FROM generate_series(0, %s) g"
                " WHERE NOT EXISTS (SELECT 1 FROM accounts_user u WHERE u.username = 'bench-' || g)",
                [n - 1],
            )
            cursor.execute(
                "INSERT INTO accounts_citizenprofile (user_id, gender, district_id, dong, mobile, preferred_language,"
                " consent_email, consent_sms, consent_push, consent_in_app, location_consent)"
                " SELECT u.id, 'X', (SELECT id FROM accounts_district ORDER BY id LIMIT 1 OFFSET (u.id %% %s)), '',"
                " '+8210' || lpad((10000000 + u.id)::text, 8, '0'),"
                " (ARRAY['ko','ko','ko','en','zh','ja','vi','mn'])[1 + u.id %% %s], false, true, false, true, false"
                " FROM accounts_user u LEFT JOIN accounts_citizenprofile p ON p.user_id = u.id"
                " WHERE u.username LIKE %s AND p.id IS NULL",
                [25, 8, "bench-%"],
            )
            # As a city's long-lived tables are: vacuumed (the visibility map lets the fan-out's
            # ranking read the profile index alone) and analysed.
            cursor.execute("VACUUM ANALYZE accounts_user")
            cursor.execute("VACUUM ANALYZE accounts_citizenprofile")
        cursor.execute("SELECT COUNT(*) FROM accounts_citizenprofile")
        return cursor.fetchone()[0]


def bench_author():
    from civicportal.accounts.models import User

    return User.objects.get_or_create(username="alertbench.author", defaults={"email": "a@example.org"})[0]


def make_alert():
    from django.utils import timezone

    from civicportal.notifications.alerts import new_identifier
    from civicportal.notifications.models import AlertText, EmergencyAlert

    now = timezone.now()
    author = bench_author()
    # Approved directly (the bench measures the fan-out, not the four-eyes flow).
    alert = EmergencyAlert.objects.create(
        identifier=new_identifier(),
        event="Bench",
        category="Met",
        severity="Extreme",
        urgency="Immediate",
        certainty="Observed",
        area_kind="city",
        channels=["in_app", "sms"],
        onset=now,
        expires=now + timedelta(hours=1),
        status=EmergencyAlert.Status.SENDING,
        author=author,
        approver=author,
        approved_at=now,
        sending_started_at=now,
    )
    AlertText.objects.create(
        alert=alert, language="ko", headline="[벤치마크] 서울 전역 경보", instruction="대피하십시오"
    )
    AlertText.objects.create(alert=alert, language="en", headline="[Bench] City-wide alert", instruction="Evacuate")
    return alert


def start_worker(processes):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "civicportal",
            "worker",
            "-c",
            str(processes),
            "-P",
            "prefork",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
            "-n",
            f"bench{processes}@%h",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    from civicportal.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            return process
    raise RuntimeError("the worker did not start")


def stop_worker(process):
    process.send_signal(signal.SIGTERM)  # warm shutdown of the worker (it stops its pool)
    process.wait(timeout=60)


def run_fan_out(processes, n, outbox):
    from civicportal.notifications.models import AlertDelivery, EmergencyAlert
    from civicportal.notifications.tasks_alerts import fan_out_alert

    alert = make_alert()
    worker = start_worker(processes)
    try:
        started = time.perf_counter()
        fan_out_alert.delay(alert.pk)
        while EmergencyAlert.objects.filter(pk=alert.pk).values_list("status", flat=True)[0] != "sent":
            if time.perf_counter() - started > 600:
                chunks = alert.chunks.count()
                raise RuntimeError(f"the fan-out did not finish in 10 minutes ({chunks} chunks made)")
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
    finally:
        stop_worker(worker)
    rows = AlertDelivery.objects.filter(alert=alert).count()
    sent = AlertDelivery.objects.filter(alert=alert, status="sent").count()
    sms_lines = sum(1 for _ in open(Path(outbox) / "sms.jsonl", encoding="utf-8"))
    assert rows == sent == 2 * n, (rows, sent)
    assert sms_lines == n, sms_lines
    cleanup(outbox)
    return elapsed, rows


def cleanup(outbox):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications_alertdelivery")
    for f in Path(outbox).glob("*.jsonl"):
        f.unlink()


def run_copy(n):
    """The same 2N rows (in_app + sms) COPYed into a table like the delivery table (same indexes)."""
    from django.db import connection

    from civicportal.notifications.models import AlertDelivery

    alert = make_alert()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute("CREATE TABLE bench_copy (LIKE notifications_alertdelivery INCLUDING ALL)")
        cursor.execute("SELECT user_id, mobile FROM accounts_citizenprofile ORDER BY user_id")
        users = cursor.fetchall()[:n]
    raw = connection.connection
    started = time.perf_counter()
    with raw.cursor() as cur:
        with cur.copy(
            "COPY bench_copy (alert_id, user_id, channel, status, language, attempts, last_error, created_at, address)"
            " FROM STDIN"
        ) as copy:
            for channel in ("in_app", "sms"):
                for uid, mobile in users:
                    address = mobile if channel == "sms" else ""
                    row = (alert.pk, uid, channel, "queued", "ko", 0, "", "2026-01-01T00:00:00+09:00", address)
                    copy.write_row(row)
    raw.commit() if not raw.autocommit else None
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bench_copy")
        assert cursor.fetchone()[0] == 2 * n
        cursor.execute("DROP TABLE bench_copy")
    AlertDelivery.objects.filter(alert=alert).delete()
    return elapsed


def main():
    args = parse()
    ensure_database(args.database_url)
    outbox = Path(tempfile.mkdtemp(prefix="alerts-bench-"))
    try:
        setup(args, outbox)
        from civicportal.celery import app

        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")
        n = args.citizens
        have = populate(n)
        if have != n:
            print(f"note: the database holds {have:,} bench citizens; the alert targets all of them")
            n = have
        workers = [int(w) for w in args.workers.split(",")]
        results = {w: [] for w in workers}
        copies = []
        print(f"{n:,} citizens, {2 * n:,} delivery rows per fan-out, chunks of {args.chunk_size:,}", flush=True)
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
        for r in range(args.rounds):
            for w in workers:
                elapsed, rows = run_fan_out(w, n, outbox)
                results[w].append(elapsed)
                print(
                    f"round {r + 1}: fan-out with {w} process(es): {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s)",
                    flush=True,
                )
            elapsed = run_copy(n)
            copies.append(elapsed)
            print(f"round {r + 1}: COPY of {2 * n:,} rows: {elapsed:.2f} s ({2 * n / elapsed:,.0f} rows/s)", flush=True)
        print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
        copy = statistics.median(copies)
        print("\nmedians")
        print(f"  COPY baseline          {copy:8.2f} s  {2 * n / copy:12,.0f} rows/s")
        for w in workers:
            m = statistics.median(results[w])
            print(f"  fan-out, {w} process(es) {m:8.2f} s  {2 * n / m:12,.0f} rows/s  = {m / copy:5.1f} x COPY time")
        if len(workers) > 1:
            a, b = statistics.median(results[workers[0]]), statistics.median(results[workers[-1]])
            print(f"  speed-up {workers[0]} -> {workers[-1]} processes: {a / b:.2f} x")
    finally:
        shutil.rmtree(outbox, ignore_errors=True)


if __name__ == "__main__":
    main()
