"""Drill: PostgreSQL restarts while citizens vote.

The production stack in small (gunicorn with 2 workers, ``DEBUG=false``) on a PostgreSQL of its
own; clients vote through the API; a fast restart of the database mid-way. Checked: no 500 and
no hang, every 503 carries ``Retry-After``, the portal serves again without being restarted,
and every acknowledged vote is stored exactly once (an acknowledgement lost in the restart
shows up as "already voted" on the retry, and its ballot is there too).

Run on its own (as root, with PostgreSQL's server binaries installed):
    .venv/bin/python -m tests.integration.drill_postgres_restart [--voters 800] [--clients 24]
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.integration.throwaway import ThrowawayPostgres, free_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")

SEED = """
import json
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from civicportal.accounts.models import CitizenProfile, Role, User
from tests.factories import DepartmentFactory, district
from tests.polls.factories import PollFactory
n = {voters}
dept = DepartmentFactory(code="drill")
officer = User.objects.create(username="drill-officer", password="!")
poll = PollFactory(department=dept, created_by=officer)
mapo = district()
users = User.objects.bulk_create([User(username=f"drill{{i}}", password="!") for i in range(n)])
female = CitizenProfile.Gender.FEMALE
CitizenProfile.objects.bulk_create(
    [CitizenProfile(user=u, birth_year=1990, gender=female, district=mapo, dong="서교동") for u in users])
group, _ = Group.objects.get_or_create(name=str(Role.CITIZEN))
group.user_set.add(*users)
tokens = [Token(user=u, key=Token.generate_key()) for u in users]
Token.objects.bulk_create(tokens)
print(json.dumps({{"poll": poll.pk, "option": poll.options.first().pk, "tokens": [t.key for t in tokens]}}))
"""

COUNT = "from polls.models import Ballot; print(Ballot.objects.filter(poll_id={poll}).count())"


def environment(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "CELERY_"))}
    env.update(
        DATABASE_URL=database_url,
        CELERY_BROKER_URL="memory://",
        DEBUG="false",
        SECRET_KEY="drill-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        THROTTLE_USER="100000/minute",
        THROTTLE_ANON="100000/minute",
        DJANGO_SETTINGS_MODULE="civicportal.settings",
    )
    return env


def manage(env, *args, timeout=600) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def vote(base, poll, option, token):
    request = urllib.request.Request(
        f"{base}/api/v1/polls/{poll}/vote/",
        data=json.dumps({"options": [option]}).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status, response.headers.get("Retry-After")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After")
    except OSError as error:
        return f"no answer: {error}", None


def run(voters=800, clients=24, log=print) -> dict:
    pg = ThrowawayPostgres()
    server = None
    try:
        pg.create_database()
        env = environment(pg.url)
        started = time.monotonic()
        manage(env, "migrate", "--noinput")
        seed = json.loads(manage(env, "shell", "-c", SEED.format(voters=voters)).strip().splitlines()[-1])
        log(f"migrated and seeded {voters} voters in {time.monotonic() - started:.1f} s")
        port = free_port(8790)
        # To a file: a pipe nobody reads fills up and blocks the workers' logging.
        server_log = open(pg.dir / "gunicorn.log", "w")  # noqa: SIM115 - closed with the drill's folder
        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "civicportal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "30",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=server_log,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=10)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)

        statuses = collections.Counter()
        first_answer = {}  # token -> the status that settled it (201 or 409)
        missing_retry_after = []
        slowest = [0.0]
        tokens = list(seed["tokens"])
        lock = threading.Lock()
        restarted = threading.Event()

        give_up_at = time.monotonic() + 240  # a drill that hangs fails instead

        def client(mine):
            for token in mine:
                while time.monotonic() < give_up_at:
                    t0 = time.monotonic()
                    status, retry_after = vote(base, seed["poll"], seed["option"], token)
                    with lock:
                        slowest[0] = max(slowest[0], time.monotonic() - t0)
                        statuses[status] += 1
                        if status == 503 and not retry_after:
                            missing_retry_after.append(token)
                    if status in (201, 409):
                        first_answer[token] = status
                        break
                    time.sleep(0.1)  # a client honouring Retry-After, impatiently

        def restart_when_a_quarter_voted():
            while len(first_answer) < voters // 4:
                time.sleep(0.01)
            t0 = time.monotonic()
            pg.restart()
            log(f"PostgreSQL restarted in {time.monotonic() - t0:.2f} s with {len(first_answer)} votes in")
            restarted.set()

        threads = [threading.Thread(target=client, args=(tokens[i::clients],)) for i in range(clients)]
        restarter = threading.Thread(target=restart_when_a_quarter_voted)
        t0 = time.monotonic()
        restarter.start()
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            time.sleep(5)
            with lock:
                log(f"{time.monotonic() - t0:5.1f} s: settled {len(first_answer)}, answers {dict(statuses)}")
        restarter.join()
        elapsed = time.monotonic() - t0
        stored = int(manage(env, "shell", "-c", COUNT.format(poll=seed["poll"])).strip().splitlines()[-1])
        result = {
            "voters": voters,
            "clients": clients,
            "seconds": round(elapsed, 1),
            "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
            "acknowledged": sum(1 for s in first_answer.values() if s == 201),
            "already_counted_on_retry": sum(1 for s in first_answer.values() if s == 409),
            "settled": len(first_answer),
            "stored": stored,
            "missing_retry_after": len(missing_retry_after),
            "slowest_request_s": round(slowest[0], 2),
            "restarted": restarted.is_set(),
        }
        result["restore"] = restore_drill(pg, env, seed["poll"], log)
        log(json.dumps(result, ensure_ascii=False))
        return result
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        pg.stop()


def restore_drill(pg, env, poll, log) -> dict:
    """The backup of docs/operations.md, restored into a new database: the portal serves it."""
    dump = pg.dir / "civic.dump"
    connect = ["-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres"]
    t0 = time.monotonic()
    subprocess.run([str(pg.bin / "pg_dump"), *connect, "-Fc", "-f", str(dump), "civic_drill"], check=True)
    pg.psql("CREATE DATABASE civic_restored TEMPLATE template0 ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'")
    subprocess.run(
        [str(pg.bin / "pg_restore"), *connect, "--no-owner", "-d", "civic_restored", str(dump)],
        check=True,
        capture_output=True,
    )
    seconds = time.monotonic() - t0
    restored = {**env, "DATABASE_URL": env["DATABASE_URL"].rsplit("/", 1)[0] + "/civic_restored"}
    manage(restored, "migrate", "--check")  # nothing left to migrate: the schema came back whole
    ballots = int(manage(restored, "shell", "-c", COUNT.format(poll=poll)).strip().splitlines()[-1])
    health = manage(restored, "shell", "-c", HEALTH).strip().splitlines()[-1]
    log(f"backup restored into a new database in {seconds:.1f} s: {ballots} ballots, healthz {health}")
    return {"seconds": round(seconds, 1), "ballots": ballots, "healthz": health}


HEALTH = (
    "from django.test import Client; r = Client(HTTP_HOST='127.0.0.1').get('/healthz');"
    " print(r.status_code, r.json()['checks']['database'])"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voters", type=int, default=800)
    parser.add_argument("--clients", type=int, default=24)
    args = parser.parse_args()
    result = run(args.voters, args.clients)
    bad = [k for k in result["statuses"] if k not in ("201", "409", "503")]
    ok = (
        not bad
        and result["stored"] == result["settled"] == result["restore"]["ballots"] == args.voters
        and not result["missing_retry_after"]
        and result["restore"]["healthz"].startswith("200")
    )
    print("PASS" if ok else f"FAIL: unexpected answers {bad}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
