"""Live counselling over websockets: 1,000 conversations (2,000 sockets) beside a bare echo socket.

Production configuration on this machine: PostgreSQL (its own database, ``civic_bench_chat``,
copied from ``civicportal_template`` and dropped at the end), the Redis channel layer (Redis db 9,
flushed at the end), ``DEBUG=false``, the ASGI application served by uvicorn (or daphne) as a
subprocess with 2 worker processes. Set-up (not measured) creates the conversations through the
120 services and has counsellors accept them. Then, alternating, in the same server run:

* **echo**: as many sockets on ``/ws/echo/`` (``REALTIME_ECHO=true``), each sending a message every
  ``--interval`` seconds; latency is send to the echo's arrival at the same socket;
* **chat**: both sides of every conversation on ``/ws/callcenter/chat/<id>/`` (API tokens), joined,
  each side sending a message every ``--interval`` seconds; latency is send to the arrival at the
  *other* side's socket (stored, then fanned out through the channel layer). A message the other
  side never receives is lost; one it receives twice is duplicated (both must be 0).

Sends are spread evenly over the interval. Finally one ASGI process (1 worker) is given idle echo
sockets until one fails or ``--idle-cap`` is reached; its resident memory gives the cost per socket.

    .venv/bin/python bench/realtime_chat.py                     # 1,000 conversations, 60 s rounds
    .venv/bin/python bench/realtime_chat.py --quick             # 100 conversations, 15 s rounds
    ... --rounds 2 --server daphne --workers 1 --idle-cap 10000 --no-idle
"""

import argparse
import asyncio
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG = "postgres://postgres@127.0.0.1:5432"
BENCH_DB = "civic_bench_chat"
REDIS_URL = "redis://127.0.0.1:6379/9"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=60, help="seconds of sending per round")
    parser.add_argument("--interval", type=float, default=5, help="seconds between a side's messages")
    parser.add_argument("--rounds", type=int, default=1, help="echo/chat pairs, alternating")
    parser.add_argument("--quick", action="store_true", help="100 conversations, 15 s rounds")
    parser.add_argument("--server", choices=("uvicorn", "daphne"), default="uvicorn")
    parser.add_argument("--workers", type=int, default=2, help="ASGI worker processes (uvicorn)")
    parser.add_argument("--port", type=int, default=8761)
    parser.add_argument("--idle-cap", type=int, default=10_000, help="idle sockets to try on one process")
    parser.add_argument("--no-idle", action="store_true", help="skip the idle-socket measurement")
    parser.add_argument("--idle-only", action="store_true", help="only the idle-socket measurement")
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.conversations, args.duration = min(args.conversations, 100), 15
    return args


# --- set-up ------------------------------------------------------------------------------


def create_database():
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", BENCH_DB], check=True)
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", "-T", "civicportal_template", BENCH_DB], check=True
    )


def drop_database():
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", BENCH_DB], check=False)


def flush_redis():
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def server_env():
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/{BENCH_DB}",
        "REDIS_URL": REDIS_URL,
        "CHANNEL_LAYER_PREFIX": "bench:ws",
        "DEBUG": "false",
        "SECRET_KEY": "bench-realtime-chat-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "REALTIME_ECHO": "true",
        "LOG_LEVEL": "WARNING",
        "ENV_FILE": "/dev/null",
    }


def setup_django():
    os.environ.update(server_env())
    os.environ["DJANGO_SETTINGS_MODULE"] = "civicportal.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@dataclass
class Conversation:
    id: str
    citizen_token: str
    counsellor_token: str
    last_seq: int = 0


def setup_conversations(count):
    """``count`` conversations started by citizens and accepted by counsellors, through the services."""
    from bench._realtime_chat_setup import accepted_conversations

    return [Conversation(*row) for row in accepted_conversations(count)]


# --- the server ----------------------------------------------------------------------------


def raise_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def start_server(kind, port, workers):
    if kind == "uvicorn":
        command = [
            str(ROOT / ".venv/bin/uvicorn"),
            "civicportal.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
            "--lifespan",
            "off",
            "--backlog",
            "4096",
            "--timeout-graceful-shutdown",
            "5",
        ]
    else:
        command = [str(ROOT / ".venv/bin/daphne"), "-b", "127.0.0.1", "-p", str(port), "civicportal.asgi:application"]
    process = subprocess.Popen(command, cwd=ROOT, env=server_env(), preexec_fn=raise_file_limit)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except Exception:  # noqa: BLE001 - not up yet
            if process.poll() is not None:
                sys.exit("the ASGI server did not start")
            time.sleep(0.2)
    process.kill()
    sys.exit("the ASGI server did not answer")


def children_of(pid):
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def stop_server(process):
    """Stop the server and its worker processes (a worker must not outlive it holding the database)."""
    workers = children_of(process.pid)
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for pid in workers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def cpu_seconds(pid):
    """User + system CPU time of ``pid`` and its children (uvicorn's workers), in seconds."""
    total = 0
    for each in [pid, *children_of(pid)]:
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def resident_kib(pid):
    """Resident memory of ``pid`` and its children (uvicorn's workers), in KiB."""
    total = 0
    for each in [pid, *children_of(pid)]:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


# --- the clients ---------------------------------------------------------------------------


@dataclass
class Tally:
    sent: dict = field(default_factory=dict)  # client_id -> perf_counter at send
    delivered: set = field(default_factory=set)
    latencies: list = field(default_factory=list)
    duplicates: int = 0
    acks: int = 0
    errors: Counter = field(default_factory=Counter)
    connect_failures: int = 0
    connect_seconds: float = 0.0
    closing: bool = False  # set when the client closes its sockets at the end of the round

    def closed_early(self, ws):
        """A socket the server closed during the round: counted by close code."""
        if not self.closing:
            self.errors[f"closed_{ws.close_code}"] += 1

    def arrived(self, client_id):
        if client_id in self.delivered:
            self.duplicates += 1
            return
        sent_at = self.sent.get(client_id)
        if sent_at is None:
            return  # from an earlier round
        self.delivered.add(client_id)
        self.latencies.append(time.perf_counter() - sent_at)

    def summary(self):
        lat = sorted(self.latencies)

        def pct(p):
            return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

        return {
            "sent": len(self.sent),
            "delivered": len(self.delivered),
            "lost": len(self.sent) - len(self.delivered & self.sent.keys()),
            "duplicated": self.duplicates,
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "max_ms": lat[-1] * 1000 if lat else float("nan"),
            "errors": dict(self.errors),
            "connect_failures": self.connect_failures,
            "connect_s": self.connect_seconds,
        }


async def open_socket(url, token=None, *, semaphore):
    from websockets.asyncio.client import connect

    headers = {"Authorization": f"Token {token}"} if token else None
    origin = None if token else "http://127.0.0.1"
    async with semaphore:
        return await connect(
            url,
            additional_headers=headers,
            origin=origin,
            open_timeout=60,
            ping_interval=None,
            max_queue=None,
            compression=None,
        )


async def sender(ws, tally, make, start_at, end_at, interval):
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, start_at - loop.time()))
    tick = start_at
    while tick < end_at:
        client_id = uuid.uuid4().hex
        tally.sent[client_id] = time.perf_counter()
        try:
            await ws.send(json.dumps(make(client_id)))
        except Exception:  # noqa: BLE001 - a closed socket: counted as lost
            tally.errors["send_failed"] += 1
            return
        tick += interval
        await asyncio.sleep(max(0.0, tick - loop.time()))


async def echo_round(url, sockets, args):
    tally = Tally()
    semaphore = asyncio.Semaphore(200)
    started = time.perf_counter()
    opened = await asyncio.gather(
        *(open_socket(f"{url}/ws/echo/", semaphore=semaphore) for _ in range(sockets)), return_exceptions=True
    )
    tally.connect_seconds = time.perf_counter() - started
    live = [ws for ws in opened if not isinstance(ws, BaseException)]
    tally.connect_failures = len(opened) - len(live)

    async def reader(ws):
        try:
            async for raw in ws:
                message = json.loads(raw)
                if message.get("type") == "ping":
                    tally.arrived(message["client_id"])
                elif message.get("type") == "error":
                    tally.errors[message.get("code")] += 1
        except Exception:  # noqa: BLE001 - closed at the end
            pass
        tally.closed_early(ws)

    readers = [asyncio.create_task(reader(ws)) for ws in live]
    await drive(live, tally, lambda i, cid: {"type": "ping", "client_id": cid}, args)
    tally.closing = True
    await close_all(live, readers)
    return tally


async def chat_round(url, conversations, args):
    tally = Tally()
    semaphore = asyncio.Semaphore(200)
    sides = [(c, role) for c in conversations for role in ("citizen", "counsellor")]
    started = time.perf_counter()

    async def open_side(conversation, role):
        token = conversation.citizen_token if role == "citizen" else conversation.counsellor_token
        ws = await open_socket(f"{url}/ws/callcenter/chat/{conversation.id}/", token, semaphore=semaphore)
        await ws.send(json.dumps({"type": "join", "after": conversation.last_seq}))
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), 60))
            if message.get("type") == "joined":
                return ws
            if message.get("type") == "error":
                raise RuntimeError(message)

    opened = await asyncio.gather(*(open_side(c, role) for c, role in sides), return_exceptions=True)
    tally.connect_seconds = time.perf_counter() - started
    live = [(ws, c, role) for ws, (c, role) in zip(opened, sides, strict=True) if not isinstance(ws, BaseException)]
    tally.connect_failures = len(sides) - len(live)
    for failure in [ws for ws in opened if isinstance(ws, BaseException)][:3]:
        print(f"  connect failure: {failure!r}", flush=True)

    async def reader(ws, conversation, role):
        try:
            async for raw in ws:
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "message":
                    conversation.last_seq = max(conversation.last_seq, message.get("seq") or 0)
                    if message.get("from") != role:
                        tally.arrived(message.get("client_id"))
                elif kind == "ack":
                    tally.acks += 1
                elif kind == "error":
                    tally.errors[message.get("code")] += 1
        except Exception:  # noqa: BLE001 - closed at the end
            pass
        tally.closed_early(ws)

    readers = [asyncio.create_task(reader(*entry)) for entry in live]
    text = "대기 중인 민원 처리 상황을 알려 주세요."
    await drive(
        [ws for ws, _c, _r in live], tally, lambda i, cid: {"type": "message", "client_id": cid, "text": text}, args
    )
    tally.closing = True
    await close_all([ws for ws, _c, _r in live], readers)
    return tally


async def drive(sockets, tally, make, args):
    loop = asyncio.get_running_loop()
    begin = loop.time() + 1.0
    end = begin + args.duration
    count = max(1, len(sockets))
    await asyncio.gather(
        *(
            sender(ws, tally, lambda cid, i=i: make(i, cid), begin + args.interval * i / count, end, args.interval)
            for i, ws in enumerate(sockets)
        )
    )
    # What is still on its way gets a few seconds to arrive.
    for _ in range(100):
        if len(tally.delivered) >= len(tally.sent):
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)


async def close_all(sockets, readers):
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)


async def idle_sockets(url, cap, pid):
    """Open idle echo sockets on one process until one fails or ``cap``; memory at each step."""
    semaphore = asyncio.Semaphore(100)
    held = []
    warm = await asyncio.gather(*(open_socket(f"{url}/ws/echo/", semaphore=semaphore) for _ in range(20)))
    await asyncio.gather(*(ws.close() for ws in warm))  # the first sockets load what every socket uses
    await asyncio.sleep(1)
    before = resident_kib(pid)
    steps = []
    failure = None
    while len(held) < cap and failure is None:
        batch = min(500, cap - len(held))
        opened = await asyncio.gather(
            *(open_socket(f"{url}/ws/echo/", semaphore=semaphore) for _ in range(batch)), return_exceptions=True
        )
        for ws in opened:
            if isinstance(ws, BaseException):
                failure = failure or ws
            else:
                held.append(ws)
        await asyncio.sleep(0.5)
        steps.append((len(held), resident_kib(pid)))
    # The process still answers on the sockets it holds.
    probe = held[:: max(1, len(held) // 50)]
    answered = 0
    for ws in probe:
        try:
            await ws.send(json.dumps({"type": "ping", "client_id": "probe"}))
            await asyncio.wait_for(ws.recv(), 10)
            answered += 1
        except Exception:  # noqa: BLE001
            pass
    await asyncio.gather(*(ws.close() for ws in held), return_exceptions=True)
    return before, steps, failure, answered, len(probe)


# --- the run ---------------------------------------------------------------------------------


def line(name, s):
    return (
        f"  {name:5} sent {s['sent']:6}  delivered {s['delivered']:6}  lost {s['lost']}  dup {s['duplicated']}  "
        f"p50 {s['p50_ms']:7.1f} ms  p99 {s['p99_ms']:7.1f} ms  max {s['max_ms']:7.1f} ms  "
        f"connect {s['connect_s']:.1f} s ({s['connect_failures']} failed)  errors {s['errors']}\n"
        f"          CPU over {s['wall_s']:.0f} s: server {s['server_cpu_s']:.1f} s "
        f"({1000 * s['server_cpu_s'] / max(1, s['sent']):.2f} ms per message sent), client {s['client_cpu_s']:.1f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


def run_rounds(args, conversations, url):
    process = start_server(args.server, args.port, args.workers)
    try:
        sockets = 2 * len(conversations)
        results = {"echo": [], "chat": []}
        for round_number in range(1, args.rounds + 1):
            for name in ("echo", "chat"):
                server_cpu, client_cpu, wall = cpu_seconds(process.pid), own_cpu_seconds(), time.perf_counter()
                if name == "echo":
                    tally = asyncio.run(echo_round(url, sockets, args))
                else:
                    tally = asyncio.run(chat_round(url, conversations, args))
                summary = tally.summary()
                # What the round cost (connecting and joining included): the server's processes and
                # this client, in CPU seconds, against the wall-clock seconds of the round.
                summary["server_cpu_s"] = cpu_seconds(process.pid) - server_cpu
                summary["client_cpu_s"] = own_cpu_seconds() - client_cpu
                summary["wall_s"] = time.perf_counter() - wall
                results[name].append(summary)
                print(f"round {round_number}", line(name, summary), flush=True)
        print(
            f"\n{args.server}, {args.workers} worker(s); {len(conversations)} conversations = {sockets} sockets; "
            f"each side every {args.interval:g} s for {args.duration:g} s; {args.rounds} round(s), alternating"
        )
        for name in ("echo", "chat"):
            rows = results[name]
            print(
                f"  {name}: p50 {statistics.median(r['p50_ms'] for r in rows):.1f} ms, "
                f"p99 {statistics.median(r['p99_ms'] for r in rows):.1f} ms, "
                f"sent {sum(r['sent'] for r in rows)}, lost {sum(r['lost'] for r in rows)}, "
                f"duplicated {sum(r['duplicated'] for r in rows)}"
            )
        ratios_50 = [c["p50_ms"] / e["p50_ms"] for e, c in zip(results["echo"], results["chat"], strict=True)]
        ratios_99 = [c["p99_ms"] / e["p99_ms"] for e, c in zip(results["echo"], results["chat"], strict=True)]
        print(
            f"  chat / echo: p50 ×{statistics.median(ratios_50):.2f}, p99 ×{statistics.median(ratios_99):.2f} "
            f"(per round: {', '.join(f'{a:.2f}/{b:.2f}' for a, b in zip(ratios_50, ratios_99, strict=True))})"
        )
    finally:
        stop_server(process)


def main():
    args = parse_args()
    raise_file_limit()
    print(f"command: {' '.join([sys.executable, *sys.argv])}", flush=True)
    print(f"load average before: {os.getloadavg()[0]:.1f}", flush=True)
    create_database()
    process = None
    try:
        flush_redis()
        t0 = time.perf_counter()
        setup_django()
        conversations = [] if args.idle_only else setup_conversations(args.conversations)
        print(f"set-up: {len(conversations)} accepted conversations in {time.perf_counter() - t0:.0f} s", flush=True)
        from django.db import connections

        connections.close_all()
        url = f"ws://127.0.0.1:{args.port}"
        if not args.idle_only:
            run_rounds(args, conversations, url)

        if not args.no_idle:
            process = start_server(args.server, args.port, 1)
            before, steps, failure, answered, probed = asyncio.run(idle_sockets(url, args.idle_cap, process.pid))
            held, after = steps[-1]
            per_socket = (after - before) / held if held else float("nan")
            print(
                f"\nidle sockets on one {args.server} process: {held} held"
                f" ({'stopped by: ' + repr(failure) if failure else 'the cap'}); "
                f"{answered}/{probed} sampled still answered; resident memory {before / 1024:.0f} MiB -> "
                f"{after / 1024:.0f} MiB = {per_socket:.1f} KiB per socket"
            )
            print(
                "  steps (sockets, MiB): "
                + ", ".join(f"{n}:{kib / 1024:.0f}" for n, kib in steps[:: max(1, len(steps) // 10)])
            )
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
        if process is not None:
            stop_server(process)
        from django.db import connections

        connections.close_all()
        flush_redis()
        if not args.keep_database:
            drop_database()


if __name__ == "__main__":
    main()
