"""Exactness under load: 64 clients cast 20,000 votes at once through the HTTP API
(gunicorn, 2 sync workers, PostgreSQL), with deliberate duplicates and ineligible
voters. Pass: final count == distinct eligible voters, and no 5xx.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civic_polls_bench \
        .venv/bin/python bench/polls_concurrency.py [--votes 20000] [--clients 64]
"""

import argparse
import http.client
import json
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import _polls_common as common  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--votes", type=int, default=20_000, help="requests in total (default 20,000)")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients (default 64)")
    parser.add_argument("--duplicate-share", type=float, default=0.25, help="share of requests that are repeats")
    parser.add_argument("--ineligible-share", type=float, default=0.05, help="share of voters outside the target")
    args = parser.parse_args()

    common.setup()
    from polls.models import Ballot, Poll

    distinct_voters = int(args.votes * (1 - args.duplicate_share))
    ineligible = int(distinct_voters * args.ineligible_share)
    started = time.perf_counter()
    eligible_voters = common.make_voters(distinct_voters - ineligible, district_code="11440")
    outsiders = common.make_voters(ineligible, district_code="11680")  # Gangnam: refused by a Mapo poll
    poll = common.make_poll("Concurrency benchmark (Mapo-gu)", districts=["11440"])
    options = list(poll.options.values_list("pk", flat=True))
    print(f"set-up: {distinct_voters} voters ({ineligible} ineligible) in {time.perf_counter() - started:.1f}s")

    rng = random.Random(2026)
    voters = [(t, True) for _u, t in eligible_voters] + [(t, False) for _u, t in outsiders]
    requests = list(voters)
    requests += [rng.choice(voters) for _ in range(args.votes - len(voters))]
    rng.shuffle(requests)
    path = f"/api/v1/polls/{poll.pk}/vote/"

    statuses, lock = Counter(), threading.Lock()
    queue = iter(requests)
    queue_lock = threading.Lock()

    with common.Gunicorn() as server:

        def client():
            local = Counter()
            while True:
                with queue_lock:
                    item = next(queue, None)
                if item is None:
                    break
                token, _eligible = item
                body = json.dumps({"options": [rng.choice(options)]})
                for attempt in range(5):
                    try:
                        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                        conn.request(
                            "POST",
                            path,
                            body=body,
                            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
                        )
                        local[conn.getresponse().status] += 1
                        conn.close()
                        break
                    except OSError:
                        time.sleep(0.05 * (attempt + 1))  # connection refused under backlog pressure: retry
                else:
                    local["connection-error"] += 1
            with lock:
                statuses.update(local)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - t0

    poll = Poll.objects.get(pk=poll.pk)
    ballots = Ballot.objects.filter(poll=poll).count()
    counted = sum(poll.options.with_votes().values_list("vote_count", flat=True))
    expected = len(eligible_voters)
    five_xx = sum(n for code, n in statuses.items() if isinstance(code, int) and code >= 500)
    print(f"{args.votes} requests from {args.clients} clients in {elapsed:.1f}s ({args.votes / elapsed:.0f} req/s)")
    print("statuses:", dict(sorted(statuses.items(), key=str)))
    print(
        f"distinct eligible voters {expected}; ballots {ballots}; poll counter {poll.total_ballots}; "
        f"option counters {counted}"
    )
    ok = ballots == expected == poll.total_ballots == counted and five_xx == 0 and not statuses["connection-error"]
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
