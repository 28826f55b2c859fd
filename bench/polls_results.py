"""Results of a poll with 1,100,000 ballots (Seoul's mVoting had 1.1 million
participants): the results endpoint reads the per-option counters, so it should answer
in well under 200 ms however many ballots there are.

Loads the ballots server-side (INSERT ... SELECT), sets the counters from them, then
measures GET /api/v1/polls/<id>/results/ through gunicorn, beside the trivial JSON
endpoint in the same run, and the officer's breakdown (a GROUP BY over all ballots,
cached afterwards) once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civic_polls_bench \
        .venv/bin/python bench/polls_results.py [--ballots 1100000] [--requests 200]
"""

import argparse
import http.client
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import _polls_common as common  # noqa: E402


def timed_get(port, path, token, count):
    times, status = [], None
    for _ in range(count):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        conn.request("GET", path, headers={"Authorization": f"Token {token}"})
        response = conn.getresponse()
        response.read()
        times.append((time.perf_counter() - started) * 1000)
        status = response.status
        conn.close()
    return times, status


def load_ballots(poll, count):
    """``count`` voters and their ballots on ``poll``, spread over options, age bands,
    genders and districts; the counters are set from the ballots."""
    from django.db import connection

    from polls.models import Poll

    prefix = f"r{poll.pk}-"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, "
            "is_staff, is_active, date_joined, full_name) "
            "SELECT '!', false, %s || g, '', '', '', false, true, now(), '' FROM generate_series(1, %s) g",
            [prefix, count],
        )
        cursor.execute(
            "INSERT INTO polls_ballot (poll_id, voter_id, created_at, age_band, gender, district_id) "
            "SELECT %s, u.id, now() - (random() * interval '20 hours'), "
            "(ARRAY['-19','20-29','30-39','40-49','50-59','60-69','70+'])[1 + (u.id %% 7)], "
            "(ARRAY['F','M','X'])[1 + (u.id %% 3)], "
            "(SELECT id FROM accounts_district ORDER BY id OFFSET (u.id %% 25) LIMIT 1) "
            "FROM accounts_user u WHERE u.username LIKE %s",
            [poll.pk, prefix + "%"],
        )
        options = list(poll.options.order_by("pk").values_list("pk", flat=True))
        cursor.execute(
            "INSERT INTO polls_ballotchoice (ballot_id, option_id) "
            "SELECT b.id, (%s::bigint[])[1 + ((b.id * 7919) %% %s)] FROM polls_ballot b WHERE b.poll_id = %s",
            [options, len(options), poll.pk],
        )
        # The counters as voting leaves them: each ballot in its voter's shard.
        cursor.execute(
            "INSERT INTO polls_optiontally (option_id, shard, votes) SELECT c.option_id, b.voter_id %% 16, count(*) "
            "FROM polls_ballotchoice c JOIN polls_ballot b ON b.id = c.ballot_id WHERE b.poll_id = %s "
            "GROUP BY 1, 2",
            [poll.pk],
        )
        cursor.execute(
            "INSERT INTO polls_polltally (poll_id, shard, ballots) SELECT poll_id, voter_id %% 16, count(*) "
            "FROM polls_ballot WHERE poll_id = %s GROUP BY 1, 2",
            [poll.pk],
        )
        cursor.execute("ANALYZE polls_ballot; ANALYZE polls_ballotchoice; ANALYZE accounts_user")
    return Poll.objects.get(pk=poll.pk)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ballots", type=int, default=1_100_000, help="ballots on the poll (default 1,100,000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint (default 200)")
    args = parser.parse_args()

    common.setup()
    from civicportal.accounts.models import DepartmentMembership, Role
    from polls import services

    started = time.perf_counter()
    poll = common.make_poll(f"Results benchmark ({args.ballots} ballots)")
    poll = load_ballots(poll, args.ballots)
    print(f"loaded {poll.total_ballots} ballots in {time.perf_counter() - started:.1f}s")
    (_uid, token), *_ = common.make_voters(1)

    officer = poll.created_by
    DepartmentMembership.objects.get_or_create(user=officer, department=poll.department)
    from django.contrib.auth.models import Group

    officer.groups.add(Group.objects.get_or_create(name=Role.OFFICER)[0])
    started = time.perf_counter()
    table = services.poll_breakdown(poll=poll, viewer=officer, dimension="age_band")
    breakdown_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    services.poll_breakdown(poll=poll, viewer=officer, dimension="age_band")
    cached_ms = (time.perf_counter() - started) * 1000

    with common.Gunicorn() as server:
        path = f"/api/v1/polls/{poll.pk}/results/"
        timed_get(server.port, path, token, 20)  # warm up
        hello_ms, results_ms = [], []
        for _ in range(4):  # alternate, the machine drifts
            hello_ms += timed_get(server.port, "/bench/hello", token, args.requests // 4)[0]
            times, status = timed_get(server.port, path, token, args.requests // 4)
            results_ms += times
            assert status == 200, status

    results_ms.sort()
    p95 = results_ms[int(len(results_ms) * 0.95) - 1]
    print(f"\nresults endpoint on {poll.total_ballots:,} ballots ({args.requests} sequential requests):")
    print(f"  median {common.median(results_ms):.1f} ms, p95 {p95:.1f} ms, max {results_ms[-1]:.1f} ms")
    print(f"  trivial JSON endpoint median {common.median(hello_ms):.1f} ms (same run)")
    print(f"  target < 200 ms: {'PASS' if p95 < 200 else 'FAIL'}")
    print(
        f"officer breakdown by age band (GROUP BY over all ballots): {breakdown_ms:.0f} ms first, "
        f"{cached_ms:.1f} ms cached; groups {table['groups']}"
    )


if __name__ == "__main__":
    main()
