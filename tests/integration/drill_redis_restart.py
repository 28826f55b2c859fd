"""Drill: Redis restarts and forgets everything, during filing and during an emergency fan-out.

The production stack in small on servers of its own (gunicorn with 2 workers, ``DEBUG=false``,
a Celery worker with 2 processes and beat, PostgreSQL, Redis as broker, cache and throttle).

1. **Filing.** Citizens file cases through the API; a quarter of the way in, Redis stops for a
   few seconds (``/healthz`` and an authenticated API read are asked while it is away) and comes
   back empty. Every filing is answered 201 (never a 500), and afterwards every case is
   acknowledged exactly once: the acknowledgements whose messages Redis forgot are made up by the
   after-filing sweep that beat runs.
2. **Fan-out.** A city-wide alert with SMS is approved, and Redis is restarted empty 0.2 s later,
   losing the chunks not yet started. The alert finishes by the sweep that re-queues a chunk
   that never started, every citizen gets exactly one SMS (the console gateway's file holds each
   idempotency key once), and the time from approval to the end is reported.

Run on its own (as root, with PostgreSQL's server binaries and redis-server installed):
    .venv/bin/python -m tests.integration.drill_redis_restart [--filers 200] [--citizens 2000]
"""

import argparse
import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.integration.drill_postgres_restart import PYTHON, ROOT, environment, manage
from tests.integration.throwaway import ThrowawayPostgres, ThrowawayRedis, free_port

KEY = re.compile(r'"key": "([^"]+)"')

SEED = """
import json
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from civicportal.accounts.models import CitizenProfile, Role, User
from complaints.models import Category
from tests.complaints.factories import RoutingRuleFactory
from tests.factories import DepartmentFactory, district
from tests.notifications.factories import alert_approver, alert_author, make_alert
from civicportal.notifications import alerts
filers, citizens = {filers}, {citizens}
department = DepartmentFactory(code="drill")
RoutingRuleFactory(department=department)
mapo = district()
users = User.objects.bulk_create([User(username=f"drill{{i}}", password="!") for i in range(filers + citizens)])
CitizenProfile.objects.bulk_create([
    CitizenProfile(user=u, district=mapo, consent_sms=True, mobile=f"+8210{{70000000 + i}}")
    for i, u in enumerate(users)
])
Group.objects.get_or_create(name=str(Role.CITIZEN))[0].user_set.add(*users)
tokens = [Token(user=u, key=Token.generate_key()) for u in users[:filers]]
Token.objects.bulk_create(tokens)
author, approver = alert_author(), alert_approver()
alert = make_alert(author, channels=["sms"], area_kind="city")
alerts.alert_submit(alert=alert, by=author)
print(json.dumps({{"tokens": [t.key for t in tokens], "alert": alert.pk}}))
"""

APPROVE = """
from civicportal.notifications import alerts
from civicportal.notifications.models import EmergencyAlert
from tests.notifications.factories import alert_approver
alerts.alert_approve(alert=EmergencyAlert.objects.get(pk={alert}), by=alert_approver())
"""

FILINGS = """
import json
from civicportal.notifications.models import Notification
from complaints.models import Case
per_case = Notification.objects.filter(kind="complaints.filed").values_list("link", flat=True)
print(json.dumps({"cases": Case.objects.count(),
                  "acknowledged": Case.objects.filter(acknowledged_at__isnull=False).count(),
                  "notices": per_case.count(), "distinct_notices": len(set(per_case))}))
"""

ALERT_STATE = """
import json
from civicportal.notifications.models import AlertDelivery, EmergencyAlert
alert = EmergencyAlert.objects.get(pk={alert})
rows = AlertDelivery.objects.filter(alert=alert)
print(json.dumps({{"status": alert.status, "rows": rows.count(),
                  "sent": rows.filter(status="sent").count()}}))
"""


def request(base, path, token=None, body=None, timeout=20):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{base}{path}", data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError as error:
        return f"no answer: {error}", b""


def sms_keys(outbox: Path) -> list[str]:
    path = outbox / "sms.jsonl"
    return KEY.findall(path.read_text(encoding="utf-8")) if path.exists() else []


def shell(env, code) -> dict:
    return json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])


def start(env, args, log_path):
    return subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(log_path, "w"),  # noqa: SIM115 - a file, never a pipe nobody reads
        start_new_session=True,
    )


def stop(process):
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def wait_until(check, timeout, interval=1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return False


def run(filers=200, citizens=2000, log=print) -> dict:
    pg, redis = ThrowawayPostgres(), ThrowawayRedis()
    work = Path(tempfile.mkdtemp(prefix="civic-drill-redis-run-"))
    outbox = work / "outbox"
    processes = []
    try:
        pg.create_database()
        env = environment(pg.url)
        env.pop("CELERY_BROKER_URL")
        env.update(REDIS_URL=redis.url, NOTIFICATION_OUTBOX_DIR=str(outbox), CACHE_TIMEOUT="0.5")
        manage(env, "migrate", "--noinput")
        seed = shell(env, SEED.format(filers=filers, citizens=citizens))
        log(f"seeded {filers} filers and {citizens + filers} citizens with SMS consent")

        port = free_port(8890)
        base = f"http://127.0.0.1:{port}"
        gunicorn = [str(ROOT / ".venv/bin/gunicorn"), "civicportal.wsgi:application", "--workers", "2"]
        processes.append(start(env, [*gunicorn, "--bind", f"127.0.0.1:{port}"], work / "gunicorn.log"))
        celery = [PYTHON, "-m", "celery", "-A", "civicportal"]
        processes.append(
            start(env, [*celery, "worker", "-c", "2", "--without-gossip", "--without-mingle"], work / "worker.log")
        )
        processes.append(start(env, [*celery, "beat", "-s", str(work / "beat-schedule")], work / "beat.log"))
        assert wait_until(lambda: request(base, "/healthz")[0] == 200, 60, 0.2), "the portal did not start"

        # 1. Filing, with Redis away for a few seconds and back empty.
        statuses = collections.Counter()
        while_down = {}
        tokens = list(seed["tokens"])
        answered = []
        lock = threading.Lock()

        def file_cases(mine):
            for n, token in enumerate(mine):
                body = {"kind": "complaint", "title": "불법 주차 신고", "text": f"골목을 막은 차량 {n}"}
                status, _ = request(base, "/api/v1/complaints/cases/", token, body)
                with lock:
                    statuses[status] += 1
                    answered.append(status)

        def redis_away():
            while len(answered) < filers // 4:
                time.sleep(0.01)
            redis.stop(keep_dir=True)
            health_status, health = request(base, "/healthz")
            while_down["healthz"] = f"{health_status} {json.loads(health or b'{}').get('status')}"
            while_down["api_read"] = request(base, "/api/v1/complaints/cases/", tokens[0])[0]
            time.sleep(3)
            redis.start()
            log(f"Redis was away for about 3 s and came back empty, {len(answered)} filings answered")

        t0 = time.monotonic()
        threads = [threading.Thread(target=file_cases, args=(tokens[i::8],)) for i in range(8)]
        away = threading.Thread(target=redis_away)
        away.start()
        for thread in threads:
            thread.start()
        for thread in [*threads, away]:
            thread.join()
        filing_seconds = time.monotonic() - t0
        log(f"filing answered {dict(statuses)} in {filing_seconds:.1f} s; while Redis was away: {while_down}")

        def all_acknowledged():
            state = shell(env, FILINGS)
            return state["acknowledged"] == state["cases"] == filers

        recovered = wait_until(all_acknowledged, 240, 5)
        filings = shell(env, FILINGS)
        filings_recovered_s = time.monotonic() - t0
        log(f"filings after recovery: {filings} ({filings_recovered_s:.0f} s after the first filing)")

        # 2. An emergency alert, Redis restarted empty 0.2 s after the approval.
        approved_at = time.monotonic()
        manage(env, "shell", "-c", APPROVE.format(alert=seed["alert"]))
        time.sleep(0.2)
        redis.restart()
        recipients = filers + citizens

        def alert_finished():
            state = shell(env, ALERT_STATE.format(alert=seed["alert"]))
            return state["status"] == "sent" and state["sent"] == recipients

        finished = wait_until(alert_finished, 300, 2)
        fanout_seconds = time.monotonic() - approved_at
        keys = sms_keys(outbox)
        repeated = sum(count - 1 for count in collections.Counter(keys).values() if count > 1)
        alert_sms = {key for key in keys if key.startswith(f"alert-{seed['alert']}-")}
        result = {
            "filers": filers,
            "filing_statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
            "while_redis_away": while_down,
            "filings": filings,
            "filings_recovered": recovered,
            "filings_recovered_seconds": round(filings_recovered_s),
            "alert_recipients": recipients,
            "alert": shell(env, ALERT_STATE.format(alert=seed["alert"])),
            "alert_finished": finished,
            "alert_seconds": round(fanout_seconds, 1),
            "alert_sms": len(alert_sms),
            "other_sms": len(set(keys) - alert_sms),  # the filings' acknowledgements
            "sms_repeated": repeated,
        }
        log(json.dumps(result, ensure_ascii=False))
        return result
    finally:
        for process in processes:
            stop(process)
        redis.stop()
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--filers", type=int, default=200)
    parser.add_argument("--citizens", type=int, default=2000)
    args = parser.parse_args()
    result = run(args.filers, args.citizens)
    ok = (
        set(result["filing_statuses"]) == {"201"}
        and result["filings_recovered"]
        and result["filings"]["notices"] == result["filings"]["distinct_notices"] == args.filers
        and result["alert_finished"]
        and result["alert_sms"] == result["alert_recipients"]
        and result["other_sms"] == args.filers
        and result["sms_repeated"] == 0
    )
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
