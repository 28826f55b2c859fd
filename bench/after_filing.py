"""Benchmark: what one filing costs in the request and in its after-filing task, in-process.

Per case, medians over ``--cases`` cases in the same run: the filing itself (``case_file``,
the request's share), the noun index and the acknowledgement (the task's share: nouns for the
duplicate finder, then the notification rows and the queueing of their delivery), with the
queries each makes. Production configuration: PostgreSQL (``DATABASE_URL``), Redis
(``REDIS_URL``, the delivery task is queued there and purged at the end), ``DEBUG=false``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civic_after_filing REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/after_filing.py [--cases 300]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=300)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicportal.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from civicportal.accounts import demo
    from civicportal.accounts.models import User
    from civicportal.celery import app
    from complaints import demo as complaints_demo
    from complaints import filing

    print(f"database {connection.vendor}, REDIS_URL {'set' if settings.REDIS_URL else 'unset'}, DEBUG={settings.DEBUG}")
    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="citizen").exists():
        demo.load_all()
        complaints_demo.load()
    app.conf.task_always_eager = False
    citizen = User.objects.get(username="citizen")
    text = "집 앞 골목에 불법 주차 차량이 있습니다. 며칠째 같은 차량이 소화전 앞을 막고 있어 위험합니다."

    def file_one():
        return filing.case_file(
            citizen=citizen, filed_by=citizen, kind="complaint", title="불법 주차", text=text, channel="web"
        )

    for _ in range(5):  # warm: kiwi's model, prepared statements, the Redis connection
        case = file_one()
        filing.case_index(case_id=case.pk)
        filing.case_acknowledge(case_id=case.pk)
    timings = {"filing": [], "noun index": [], "acknowledgement": []}
    queries = {}
    for n in range(args.cases):
        t0 = time.perf_counter()
        case = file_one()
        t1 = time.perf_counter()
        filing.case_index(case_id=case.pk)
        t2 = time.perf_counter()
        filing.case_acknowledge(case_id=case.pk)
        t3 = time.perf_counter()
        for name, seconds in zip(timings, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            timings[name].append(seconds)
        if n == 0:
            for name, step in (
                ("filing", file_one),
                ("noun index", lambda c=case: filing.case_index(case_id=file_one().pk)),
            ):
                with CaptureQueriesContext(connection) as captured:
                    step()
                queries[name] = len(captured)
            fresh = file_one()
            with CaptureQueriesContext(connection) as captured:
                filing.case_acknowledge(case_id=fresh.pk)
            queries["acknowledgement"] = len(captured)
    queries["noun index"] -= queries["filing"]  # its step filed a case first
    for name, values in timings.items():
        print(f"{name:16} median {1000 * statistics.median(values):6.2f} ms  ({queries[name]} queries)")
    task = statistics.median(timings["noun index"]) + statistics.median(timings["acknowledgement"])
    ratio = task / statistics.median(timings["filing"])
    print(f"after-filing task {1000 * task:.2f} ms per case = {ratio:.1f}x the filing")
    print(f"purged {app.control.purge()} queued delivery tasks")


if __name__ == "__main__":
    main()
