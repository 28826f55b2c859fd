"""Logging contacts through the API with 16 concurrent counsellors, beside a trivial endpoint.

Starts gunicorn (2 sync workers, the honest default on 2 cores) on its own PostgreSQL database
(``<DATABASE_URL name>_bench_logging``), gives 16 counsellors a token each, and drives with wrk
(16 threads x 1 connection: one counsellor per connection), alternating rounds of

* baseline: ``GET /api/v1/me/`` (DRF, token auth, one user read), and
* ``POST /api/v1/callcenter/contacts/`` (validate, insert the contact and its event, close it).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civic_callcenter .venv/bin/python bench/callcenter_logging.py
    ... --duration 10 --rounds 3 --counsellors 16
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

LUA = """
local tokens = {%(tokens)s}
local counter = 1
function setup(thread)
  thread:set("token", tokens[counter])
  counter = counter + 1
end
function init(args)
  wrk.headers["Authorization"] = "Token " .. token
  wrk.headers["Content-Type"] = "application/json"
end
request = function()
  return wrk.format("%(method)s", "%(path)s", nil, %(body)s)
end
"""

BODY = {
    "channel": "voice",
    "language": "ko",
    "caller_phone": "010-1234-5678",
    "question": "쓰레기 수거일 문의",
    "answer": "화요일과 금요일입니다.",
    "outcome": "answered",
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--counsellors", type=int, default=16)
    parser.add_argument("--port", type=int, default=8731)
    return parser.parse_args()


def run_wrk(url, script, counsellors, duration):
    out = subprocess.run(
        ["wrk", f"-t{counsellors}", f"-c{counsellors}", f"-d{duration}s", "--latency", "-s", script, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, float(p99.group(1)) * scale, int(errors.group(1)) if errors else 0


def main():
    args = parse_args()
    from callcenter_stats import setup_database

    bench_db = setup_database(suffix="_bench_logging")
    from rest_framework.authtoken.models import Token

    from callcenter.models import Contact
    from civicportal.accounts.models import Role
    from tests.factories import UserFactory

    tokens = []
    for i in range(args.counsellors):
        user = UserFactory(username=f"bench_logger{i}", roles=[Role.COUNSELLOR])
        tokens.append(Token.objects.get_or_create(user=user)[0].key)
    Contact.objects.all().delete()

    env = {
        **os.environ,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "THROTTLE_USER": "1000000/minute",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "civicportal.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.2)
        with tempfile.TemporaryDirectory() as tmp:
            quoted = ", ".join(f'"{t}"' for t in tokens)
            trivial = Path(tmp, "trivial.lua")
            trivial.write_text(LUA % {"tokens": quoted, "method": "GET", "path": "/api/v1/me/", "body": "nil"})
            logging = Path(tmp, "logging.lua")
            body = json.dumps(json.dumps(BODY, ensure_ascii=False), ensure_ascii=False)
            logging.write_text(
                LUA % {"tokens": quoted, "method": "POST", "path": "/api/v1/callcenter/contacts/", "body": body}
            )
            results = {"trivial GET /api/v1/me/": [], "log a contact (POST)": []}
            errors = 0
            for _ in range(args.rounds):
                for name, script in (("trivial GET /api/v1/me/", trivial), ("log a contact (POST)", logging)):
                    rps, p99, failed = run_wrk(f"{base}/", str(script), args.counsellors, args.duration)
                    results[name].append((rps, p99))
                    errors += failed
    finally:
        server.terminate()
        server.wait(timeout=10)
    logged = Contact.objects.count()
    print(
        f"database: {bench_db}; {args.counsellors} counsellors (wrk connections), gunicorn 2 sync workers, "
        f"{args.rounds} alternating rounds of {args.duration} s"
    )
    base_rps = statistics.median(r for r, _ in results["trivial GET /api/v1/me/"])
    for name, values in results.items():
        rps = statistics.median(r for r, _ in values)
        p99 = statistics.median(p for _, p in values)
        print(f"  {name:<26} {rps:8.0f} req/s  p99 {p99:7.1f} ms   ({rps / base_rps:.2f} x trivial)")
    print(f"  contacts in the database after the run: {logged:,}; non-2xx responses: {errors}")


if __name__ == "__main__":
    main()
