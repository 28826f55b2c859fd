"""A poll's live results: N open pages polling every 3 s (as before) vs pushed over /ws/live/.

    .venv/bin/python bench/live_results.py [--pages 200] [--duration 15] [--rounds 2] [--votes 0,10]

One uvicorn process with the production settings of bench/asgi_servers.py (DEBUG=false,
PostgreSQL civic_asgi_bench, Redis layer and cache on db 13). Each "page" is a signed-in
reader (its own session) of one poll's results:

    poll   GET /polls/<id>/results/live/ every 3 s (the old hx-trigger="every 3s")
    push   one /ws/live/ socket subscribed to poll.<id>; on "changed", GET the same partial once

while votes arrive at --votes per second (cast through the service by this process, so
each is announced through the Redis layer as a vote from another web process would be).
Per mode and vote rate: partial requests per second, the server process's CPU (% of one
core, from /proc), and how stale a page is (seconds from a vote to the end of the first
fetch that shows it; median and max). Modes alternate within each round.
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]
import asgi_servers as common  # noqa: E402


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def setup_poll(pages):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from civicportal.accounts.models import Department
    from polls.models import Poll, PollOption

    User = get_user_model()
    department = Department.objects.get(code="parking")
    creator = User.objects.get(username="officer")
    from datetime import timedelta

    from django.utils import timezone

    poll = Poll.objects.create(
        department=department,
        created_by=creator,
        question=f"live results bench {time.time()}",
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=1),
        results_visible_while_open=True,
        approval=Poll.Approval.APPROVED,
    )
    for i, text in enumerate(["찬성", "반대"]):
        PollOption.objects.create(poll=poll, text=text, position=i)
    stamp = int(time.time())
    readers = User.objects.bulk_create(
        [User(username=f"lr{stamp}r{i}", password="!") for i in range(pages)], batch_size=1000
    )
    cookies = []
    for reader in readers:
        client = Client()
        client.force_login(reader)
        cookies.append(client.cookies["sessionid"].value)
    return poll, cookies


def make_voters(count):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    stamp = int(time.time() * 1000)
    return User.objects.bulk_create([User(username=f"lv{stamp}v{i}", password="!") for i in range(count)])


async def fetch(session_cookie, url):
    """One GET over a fresh connection (as a browser page's XHR would reuse one; close enough)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", int(url.split(":")[2].split("/")[0]))
    path = "/" + url.split("/", 3)[3]
    writer.write(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nHX-Request: true\r\nAccept-Language: en\r\n"
            f"Cookie: sessionid={session_cookie}\r\nConnection: close\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    data = await reader.read()
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def ballots_in(body):
    import re

    match = re.search(rb"(\d+) ballots?", body)
    return int(match.group(1)) if match else -1


async def mode_run(mode, server, poll, cookies, voters, rate, duration, spread=2.5):
    import websockets

    from polls import services

    url = f"{server.url}/polls/{poll.pk}/results/live/"
    counts = {"requests": 0, "errors": 0}
    seen_at = {}  # ballots count -> first time a page showed it
    stop = asyncio.Event()

    async def get(cookie):
        try:
            status, body = await fetch(cookie, url)
        except OSError:
            counts["errors"] += 1
            return
        counts["requests"] += 1
        if status != 200:
            counts["errors"] += 1
            return
        n = ballots_in(body)
        seen_at.setdefault(n, time.monotonic())

    async def poller(cookie, offset):
        await asyncio.sleep(offset)
        while not stop.is_set():
            await get(cookie)
            try:
                await asyncio.wait_for(stop.wait(), 3.0)
            except TimeoutError:
                pass

    async def pushed(cookie):
        ws_url = server.url.replace("http://", "ws://") + "/ws/live/"
        async with websockets.connect(
            ws_url, origin=server.url, additional_headers={"Cookie": f"sessionid={cookie}"}, open_timeout=60
        ) as ws:
            await ws.send(json.dumps({"type": "subscribe", "topics": [f"poll.{poll.pk}"]}))
            await ws.recv()
            ready.append(1)
            while not stop.is_set():
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 0.5))
                except TimeoutError:
                    continue
                if message.get("type") == "changed":
                    await asyncio.sleep(random.random() * spread)  # live.js: data-live-spread
                    await get(cookie)

    cast_at = {}

    async def voter():
        loop = asyncio.get_running_loop()
        if not rate:
            await stop.wait()
            return
        for i, user in enumerate(voters):
            if stop.is_set():
                return
            option = poll_options[i % len(poll_options)]
            cast = lambda u=user, o=option: services.vote_cast(poll=poll, voter=u, option_ids=[o])  # noqa: E731
            await loop.run_in_executor(None, cast)
            cast_at[len(cast_at) + 1 + base_ballots] = time.monotonic()
            await asyncio.sleep(1 / rate)

    from asgiref.sync import sync_to_async

    poll_options = await sync_to_async(lambda: list(poll.options.values_list("pk", flat=True)))()
    base_ballots = await sync_to_async(
        lambda: services.poll_results(poll=poll, viewer=poll.created_by)["total_ballots"]
    )()
    ready = []
    tasks = []
    if mode == "poll":
        tasks = [asyncio.create_task(poller(c, 3.0 * i / len(cookies))) for i, c in enumerate(cookies)]
    else:
        tasks = [asyncio.create_task(pushed(c)) for c in cookies]
        while len(ready) < len(cookies):
            await asyncio.sleep(0.1)
    await asyncio.sleep(3.5)  # every page has loaded once / settled
    counts["requests"] = 0
    cpu0, t0 = cpu_seconds(server.process.pid), time.monotonic()
    vote_task = asyncio.create_task(voter())
    await asyncio.sleep(duration)
    stop.set()
    cpu1, t1 = cpu_seconds(server.process.pid), time.monotonic()
    await asyncio.gather(vote_task, *tasks, return_exceptions=True)
    stale = [seen_at[n] - at for n, at in cast_at.items() if n in seen_at]
    # A count skipped by a later fetch showing a larger one counts as seen then.
    for n, at in cast_at.items():
        if n not in seen_at:
            later = [t for m, t in seen_at.items() if m > n]
            if later:
                stale.append(min(later) - at)
    return {
        "rps": counts["requests"] / (t1 - t0),
        "cpu": 100 * (cpu1 - cpu0) / (t1 - t0),
        "errors": counts["errors"],
        "stale_p50": statistics.median(stale) if stale else None,
        "stale_max": max(stale) if stale else None,
        "votes": len(cast_at),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--votes", default="0,10", help="vote rates per second to try")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/civic_asgi_bench")
    parser.add_argument("--template", default="civicportal_template")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()

    env = common.env_for(args)
    common.prepare(args, env)
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    sys.path[:0] = [str(common.ROOT), str(common.ROOT / "bench")]
    import django

    django.setup()
    rates = [float(r) for r in args.votes.split(",")]
    results = {}
    for round_no in range(args.rounds):
        for rate in rates:
            modes = ["poll", "push"] if round_no % 2 == 0 else ["push", "poll"]
            for mode in modes:
                poll, cookies = setup_poll(args.pages)
                voters = make_voters(int(rate * args.duration) + 5) if rate else []
                server = common.Server("uvicorn", env)
                try:
                    r = asyncio.run(mode_run(mode, server, poll, cookies, voters, rate, args.duration))
                finally:
                    server.stop()
                results.setdefault((rate, mode), []).append(r)
                stale = f"stale p50 {r['stale_p50']:.2f} s max {r['stale_max']:.2f} s" if r["stale_p50"] else "–"
                print(
                    f"round {round_no + 1} votes {rate:4.0f}/s {mode:4}: {r['rps']:6.1f} req/s, "
                    f"server CPU {r['cpu']:5.1f} %, {r['votes']} votes, {stale}, errors {r['errors']}",
                    flush=True,
                )
    print(f"\nmedians, {args.pages} open result pages, {args.rounds} rounds")
    for rate in rates:
        row = {}
        for mode in ("poll", "push"):
            rs = results[(rate, mode)]
            row[mode] = {k: statistics.median([r[k] for r in rs if r[k] is not None] or [0]) for k in rs[0]}
        ratio = row["push"]["cpu"] / row["poll"]["cpu"] if row["poll"]["cpu"] else float("nan")
        print(
            f"votes {rate:4.0f}/s: poll {row['poll']['rps']:6.1f} req/s {row['poll']['cpu']:5.1f} % CPU"
            f" (stale p50 {row['poll']['stale_p50']:.2f} s) | push {row['push']['rps']:6.1f} req/s"
            f" {row['push']['cpu']:5.1f} % CPU (stale p50 {row['push']['stale_p50']:.2f} s) | CPU push/poll {ratio:.2f}"
        )


if __name__ == "__main__":
    main()
