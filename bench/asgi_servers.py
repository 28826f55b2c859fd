"""daphne and uvicorn (and gunicorn for HTTP) in the same run, alternating, production settings.

    apt-get install -y wrk   # if absent
    .venv/bin/python bench/asgi_servers.py [--rounds 3] [--duration 5] [--sockets 200] [--idle 1000]

Production configuration: DEBUG=false, PostgreSQL (its own database civic_asgi_bench, copied
from DATABASE_TEMPLATE or migrated, with the demo data), the Redis channel layer and cache
(REDIS_URL, db 13 by default), static files collected; database connections kept open by
gunicorn (CONN_MAX_AGE=60), closed after each request by the ASGI servers (CONN_MAX_AGE=0: a
first run with 60 exhausted PostgreSQL's connections, one per worker thread).

Servers, each started fresh for each round, in an order that rotates between rounds:

    daphne       daphne civicportal.asgi:application            (one process: daphne has no workers)
    uvicorn      uvicorn civicportal.asgi:application            (one process)
    uvicorn-2    uvicorn --workers 2                              (HTTP only: two processes, as gunicorn)
    gunicorn-2   gunicorn civicportal.wsgi:application -w 2       (HTTP only: the WSGI baseline)

Figures per server (median over rounds):

- HTTP requests/s with wrk (1 thread, --connections connections) on /bench/hello/ (a trivial
  Django JSON view) and on /alerts/ (a real page: templates, the banner, queries);
- websocket echo round trip on /ws/echo/: --sockets sockets open at once, each sending
  --messages messages one after the other (p50, p99 of all, client in Python on the same 2 cores);
- idle /ws/live/ sockets (each subscribed to "alerts", as an open page is) held by one process:
  --idle of them, the server's RSS before and after (memory per socket), then one alert
  push timed until every one of them has it.

Ratios are against uvicorn measured in the same round.
"""

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(args):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "complaints_bench_settings",
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
        "ENV_FILE": "/dev/null",
        "DEBUG": "false",
        "SECRET_KEY": "asgi-bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CONN_MAX_AGE": "60",
        "REALTIME_ECHO": "true",
        "THROTTLE_ANON": "1000000/minute",
    }
    return env


def prepare(args, env):
    from urllib.parse import urlparse

    url = urlparse(args.database_url)
    name = url.path.lstrip("/")
    where = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    if not args.reuse:
        subprocess.run(["dropdb", *where, "--if-exists", name], check=False, capture_output=True)
        made = subprocess.run(["createdb", *where, "-T", args.template, name], capture_output=True)
        if made.returncode:
            subprocess.run(
                ["createdb", *where, "-T", "template0", "-E", "UTF8", "--lc-ctype=C.UTF-8", "--lc-collate=C.UTF-8"]
                + [name],
                check=True,
            )
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([PY, "manage.py", "load_demo_data"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True, capture_output=True
    )


def command(kind, port):
    app, wsgi = "civicportal.asgi:application", "civicportal.wsgi:application"
    return {
        "daphne": [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "--verbosity", "0", app],
        "uvicorn": [str(BIN / "uvicorn"), app, "--port", str(port), "--log-level", "warning", "--no-access-log"],
        "uvicorn-2": [str(BIN / "uvicorn"), app, "--port", str(port), "--workers", "2", "--log-level", "warning"]
        + ["--no-access-log"],
        "gunicorn-2": [str(BIN / "gunicorn"), wsgi, "-b", f"127.0.0.1:{port}", "-w", "2", "--log-level", "warning"],
    }[kind]


class Server:
    def __init__(self, kind, env):
        self.kind, self.port = kind, free_port()
        # As in production: gunicorn keeps its connections; under ASGI a connection belongs to a
        # worker thread that may never serve again, so they are closed after each request.
        env = {**env, "CONN_MAX_AGE": "60" if kind.startswith("gunicorn") else "0"}
        self.process = subprocess.Popen(
            command(kind, self.port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, start_new_session=True
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"{kind} did not start")
        for path in ("/bench/hello/", "/alerts/"):  # warm: imports, connections, templates
            for _ in range(20):
                subprocess.run(["curl", "-s", "-o", "/dev/null", self.url + path], check=False)

    def rss_kib(self):
        """Resident memory of the server's processes (the process and its children)."""
        pids = [self.process.pid]
        children = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        pids += [int(p) for p in children.split()]
        total = 0
        for pid in pids:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        return total

    def stop(self):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def wrk(url, duration, connections):
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url], capture_output=True, text=True
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}
    return {
        "rps": rate,
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else None,
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


async def echo_round_trips(ws_url, sockets, messages):
    import websockets

    origin = ws_url.replace("ws://", "http://").split("/ws/")[0]
    conns = await asyncio.gather(
        *[websockets.connect(ws_url, origin=origin, max_queue=None, open_timeout=30) for _ in range(sockets)]
    )
    samples = []

    async def one(ws, i):
        for n in range(messages):
            start = time.perf_counter()
            await ws.send(json.dumps({"type": "ping", "i": i, "n": n}))
            await ws.recv()
            samples.append((time.perf_counter() - start) * 1000)

    await asyncio.gather(*[one(ws, i) for i, ws in enumerate(conns)])
    await asyncio.gather(*[ws.close() for ws in conns])
    samples.sort()
    return {
        "p50_ms": samples[len(samples) // 2],
        "p99_ms": samples[int(len(samples) * 0.99)],
        "samples": len(samples),
    }


async def idle_sockets(server, count, redis_url, settle=2.0):
    """Open ``count`` /ws/live/ sockets subscribed to "alerts"; RSS per socket; one push's spread."""
    import websockets

    ws_url = server.url.replace("http://", "ws://") + "/ws/live/"
    before = server.rss_kib()
    conns = []
    failed = 0
    for start in range(0, count, 200):
        batch = await asyncio.gather(
            *[websockets.connect(ws_url, origin=server.url, open_timeout=60) for _ in range(min(200, count - start))],
            return_exceptions=True,
        )
        for ws in batch:
            if isinstance(ws, Exception):
                failed += 1
            else:
                conns.append(ws)
    await asyncio.gather(
        *[ws.send(json.dumps({"type": "subscribe", "topics": ["alerts"]})) for ws in conns], return_exceptions=True
    )
    answers = await asyncio.gather(*[ws.recv() for ws in conns], return_exceptions=True)
    conns = [ws for ws, answer in zip(conns, answers, strict=True) if not isinstance(answer, Exception)]
    failed += len(answers) - len(conns)
    await asyncio.sleep(settle)
    after = server.rss_kib()

    # One push to every open page, sent through the Redis layer as the portal sends it.
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    started = time.perf_counter()
    await layer.group_send("live.alerts", {"type": "live.changed", "topic": "alerts", "version": 1, "every": 0})
    arrivals = await asyncio.gather(*[_arrival(ws, started) for ws in conns])
    got = [a for a in arrivals if a is not None]
    await asyncio.gather(*[ws.close() for ws in conns], return_exceptions=True)
    return {
        "open": len(conns),
        "failed": failed,
        "rss_before_mib": before / 1024,
        "rss_after_mib": after / 1024,
        "kib_per_socket": (after - before) / max(1, len(conns)),
        "push_reached": len(got),
        "push_last_ms": max(got) if got else None,
        "push_p50_ms": statistics.median(got) if got else None,
    }


async def _arrival(ws, started):
    try:
        await asyncio.wait_for(ws.recv(), 20)
    except Exception:  # noqa: BLE001 - counted as not reached
        return None
    return (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--servers", default="daphne,uvicorn,uvicorn-2,gunicorn-2")
    parser.add_argument("--reuse", action="store_true", help="keep the database of a previous run")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/civic_asgi_bench"),
    )
    parser.add_argument("--template", default="civicportal_template")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    args = parser.parse_args()

    env = env_for(args)
    prepare(args, env)
    os.environ.update({k: v for k, v in env.items() if k not in ("PYTHONPATH",)})
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    import django

    django.setup()

    kinds = args.servers.split(",")
    results = {kind: {"hello": [], "page": [], "echo_p50": [], "echo_p99": [], "idle": []} for kind in kinds}
    for round_no in range(args.rounds):
        order = kinds[round_no % len(kinds) :] + kinds[: round_no % len(kinds)]
        for kind in order:
            server = Server(kind, env)
            try:
                hello = wrk(server.url + "/bench/hello/", args.duration, args.connections)
                page = wrk(server.url + "/alerts/", args.duration, args.connections)
                results[kind]["hello"].append(hello["rps"])
                results[kind]["page"].append(page["rps"])
                line = f"round {round_no + 1} {kind:11} hello {hello['rps']:7.0f}/s  /alerts/ {page['rps']:6.0f}/s"
                if hello["non_2xx"] or page["non_2xx"]:
                    line += f"  non-2xx {hello['non_2xx']}+{page['non_2xx']}"
                if kind in ("daphne", "uvicorn"):
                    ws_url = server.url.replace("http://", "ws://") + "/ws/echo/"
                    echo = asyncio.run(echo_round_trips(ws_url, args.sockets, args.messages))
                    results[kind]["echo_p50"].append(echo["p50_ms"])
                    results[kind]["echo_p99"].append(echo["p99_ms"])
                    line += f"  echo p50 {echo['p50_ms']:.1f} ms p99 {echo['p99_ms']:.1f} ms"
                    if round_no == 0 and args.idle:
                        idle = asyncio.run(idle_sockets(server, args.idle, args.redis_url))
                        results[kind]["idle"].append(idle)
                        line += (
                            f"\n      idle /ws/live/: {idle['open']} open ({idle['failed']} failed), "
                            f"RSS {idle['rss_before_mib']:.0f} -> {idle['rss_after_mib']:.0f} MiB "
                            f"({idle['kib_per_socket']:.0f} KiB/socket); one push reached {idle['push_reached']} "
                            f"in {idle['push_last_ms']:.0f} ms (p50 {idle['push_p50_ms']:.0f} ms)"
                        )
                print(line, flush=True)
            finally:
                server.stop()

    med = {
        kind: {metric: (statistics.median(v) if v and metric != "idle" else None) for metric, v in r.items()}
        for kind, r in results.items()
    }
    base = med.get("uvicorn", {})
    print(f"\nmedians of {args.rounds} rounds (ratio to uvicorn, same run)")
    print(f"{'server':11} {'hello/s':>9} {'ratio':>6} {'/alerts/ /s':>11} {'ratio':>6} {'echo p50':>9} {'echo p99':>9}")
    for kind in kinds:
        m = med[kind]

        def ratio(metric, m=m):
            return f"{m[metric] / base[metric]:.2f}" if base.get(metric) and m[metric] else "–"

        echo50 = f"{m['echo_p50']:.1f} ms" if m["echo_p50"] else "–"
        echo99 = f"{m['echo_p99']:.1f} ms" if m["echo_p99"] else "–"
        print(
            f"{kind:11} {m['hello']:9.0f} {ratio('hello'):>6} {m['page']:11.0f} {ratio('page'):>6} "
            f"{echo50:>9} {echo99:>9}"
        )


if __name__ == "__main__":
    main()
