"""Benchmark: filing cases through the API with 16 concurrent clients against gunicorn,
beside a trivial Django JSON endpoint measured in the same run with the same settings.

    .venv/bin/python bench/complaints_filing.py                 # 2 x 10 s per endpoint
    .venv/bin/python bench/complaints_filing.py --duration 30 --rounds 3

Needs wrk and PostgreSQL (DATABASE_URL's server; its own database civic_complaints_bench_filing).
With REDIS_URL set (the production configuration: broker, cache and throttle in Redis), a last
phase measures the *sustained* rate: a Celery worker (2 processes) runs on the same machine
while the clients file, and the phase ends only when every case filed in it has had its
after-filing work done (noun index and acknowledgement; the queue drained). Without REDIS_URL
the after-filing tasks are never run, and the script says so. gunicorn: 2 sync workers (the
honest default on 2 cores), DEBUG off, connections kept open (CONN_MAX_AGE=60).
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token %(token)s"
wrk.body = '%(body)s'
"""


def prepare(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "complaints_bench_settings"
    import django

    django.setup()
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from civicportal.accounts import demo
    from civicportal.accounts.models import User
    from complaints import demo as complaints_demo

    call_command("migrate", verbosity=0)
    demo.load_all()
    complaints_demo.load()
    token, _created = Token.objects.get_or_create(user=User.objects.get(username="citizen"))
    return token.key


def wrk(url, duration, script=None):
    command = ["wrk", "-t2", "-c16", f"-d{duration}s", "--latency"]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    p99 = re.search(r"99%\s+([\d.]+\w+)", output)
    return rate, int(non2xx.group(1)) if non2xx else 0, p99.group(1) if p99 else "?"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", default="civic_complaints_bench_filing")
    args = parser.parse_args()

    server = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    host, port, user = server.hostname or "127.0.0.1", str(server.port or 5432), server.username or "postgres"
    subprocess.run(["dropdb", "-h", host, "-p", port, "-U", user, "--if-exists", args.database], check=True)
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
            args.database,
        ],
        check=True,
    )
    database_url = f"{server.scheme}://{server.netloc}/{args.database}"
    token = prepare(database_url)

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "complaints_bench_settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "SECURE_SSL_REDIRECT": "false",
        "THROTTLE_USER": "10000000/minute",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",
    }
    gunicorn = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--pythonpath",
            f"{ROOT / 'bench'},{ROOT}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "civicportal.wsgi",
        ],
        env=env,
        cwd=str(ROOT),
    )
    base = f"http://127.0.0.1:{args.port}"
    body = json.dumps(
        {
            "kind": "complaint",
            "title": "불법 주차 신고",
            "text": "집 앞 골목에 불법 주차 차량이 있습니다.",
            "district": "11440",
        },
        ensure_ascii=False,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/bench/hello/", timeout=1)  # noqa: S310 - local URL
                break
            except OSError:
                time.sleep(0.2)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA % {"token": token, "body": body.replace("'", "\\'")})
        # Warm up both workers: kiwi's model loads on a worker's first filing (seconds on a busy machine).
        request = urllib.request.Request(
            f"{base}/api/v1/complaints/cases/",
            data=body.encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        )
        for _ in range(6):
            urllib.request.urlopen(request, timeout=120)  # noqa: S310 - local URL
        wrk(f"{base}/api/v1/complaints/cases/", 3, script.name)
        wrk(f"{base}/bench/hello/", 2)
        hello, insert_one, filing = [], [], []
        for round_number in range(args.rounds):  # alternate: this machine drifts within minutes
            hello.append(wrk(f"{base}/bench/hello/", args.duration))
            insert_one.append(wrk(f"{base}/bench/insert-one/", args.duration, script.name))
            filing.append(wrk(f"{base}/api/v1/complaints/cases/", args.duration, script.name))
            print(
                f"round {round_number + 1}: hello {hello[-1][0]:.0f} req/s (p99 {hello[-1][2]}), "
                f"DRF insert-one {insert_one[-1][0]:.0f} req/s (p99 {insert_one[-1][2]}), "
                f"filing {filing[-1][0]:.0f} cases/s (p99 {filing[-1][2]}, non-2xx {filing[-1][1]})"
            )
        sustained = sustained_phase(base, script.name, args.duration * 2, env)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    from complaints.models import Case

    h = statistics.median(r[0] for r in hello)
    f = statistics.median(r[0] for r in filing)
    print(f"cases filed: {Case.objects.count():,}; errors: {sum(r[1] for r in filing)}")
    one = statistics.median(r[0] for r in insert_one)
    print(f"median: trivial JSON {h:.0f} req/s, DRF insert-one {one:.0f} req/s ({100 * one / h:.1f}%), ")
    print(
        f"        filing {f:.0f} cases/s: {100 * f / h:.1f}% of trivial (target >= 12%), "
        f"{100 * f / one:.0f}% of insert-one"
    )
    if sustained:
        filed, seconds = sustained
        print(
            f"sustained (worker on the same machine, queue drained): {filed / seconds:.0f} cases/s = "
            f"{100 * filed / seconds / h:.1f}% of trivial "
            f"({filed:,} cases, every one acknowledged after {seconds:.1f} s)"
        )


def sustained_phase(base, script, duration, env):
    """File for ``duration`` s with a worker running; returns (cases, seconds until all are done)."""
    from civicportal.celery import app
    from complaints.models import Case

    print(f"configuration: DEBUG={env['DEBUG']}, REDIS_URL={'set' if os.environ.get('REDIS_URL') else 'unset'}")
    if not os.environ.get("REDIS_URL"):
        print("sustained rate: not measured (needs REDIS_URL: without it the after-filing work never runs)")
        return None
    print(f"purged {app.control.purge()} after-filing tasks of the rounds above (never run: rate without workers)")
    first = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "-A", "civicportal", "worker", "-c", "2", "-l", "WARNING"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=env,
        cwd=str(ROOT),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(5)  # connected, kiwi loaded on the first task
        t0 = time.monotonic()
        wrk(f"{base}/api/v1/complaints/cases/", duration, script)
        filed = Case.objects.filter(pk__gte=first)
        while filed.filter(acknowledged_at__isnull=True).exists():
            if time.monotonic() - t0 > duration + 900:
                print("sustained rate: the worker did not drain the queue within 15 minutes")
                return None
            time.sleep(0.2)
        return filed.count(), time.monotonic() - t0
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=60)


if __name__ == "__main__":
    main()
