"""Votes per second through the API with 32 concurrent clients (wrk) against gunicorn
(2 sync workers), beside a trivial Django JSON endpoint, a minimal DRF endpoint
inserting one ballot (token auth, no checks) on the same server, and a raw
``INSERT ... ON CONFLICT DO NOTHING`` rate into the same ballot table (pgbench, counting the
rows it actually inserted), all in the same run, alternating rounds, each round on fresh polls;
prints medians and the ratio vote / trivial. Production configuration: ``DEBUG=false`` and
Redis for cache, throttle and broker (``REDIS_URL``, default db 8); printed at the start.

Eligibility is checked on every vote (a Mapo-gu, aged 20-59 poll; voters match).

    apt-get install -y wrk   # if absent
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civic_polls_bench \
        .venv/bin/python bench/polls_throughput.py [--duration 10] [--rounds 3] [--voters 20000]
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import _polls_common as common  # noqa: E402

WRK_VOTE = r"""
local tokens = {}
local counter = 0
local thread_id = 0
local thread_count = 1
local n = 0
local path = "%(path)s"
local option = "%(option)s"

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  thread_id = id
  thread_count = %(threads)d
  for line in io.lines("%(tokens)s") do tokens[#tokens + 1] = line end
end

function request()
  local index = (thread_id + n * thread_count) %% #tokens + 1
  n = n + 1
  return wrk.format("POST", path, {
    ["Authorization"] = "Token " .. tokens[index],
    ["Content-Type"] = "application/json",
  }, '{"options": [' .. option .. ']}')
end
"""


def wrk(url, duration, connections, threads, script=None):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script:
        command += ["-s", script]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = None
    if p99:
        value, unit = float(p99.group(1)), p99.group(2)
        p99_ms = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    return rate, int(non2xx.group(1)) if non2xx else 0, p99_ms


def pgbench(database_url, poll_id, low, high, duration, clients):
    url = urlparse(database_url)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(
            "\\set voter random(:low, :high)\n"
            "INSERT INTO polls_ballot (poll_id, voter_id, created_at, age_band, gender) "
            "VALUES (:poll, :voter, now(), '', '') ON CONFLICT DO NOTHING;\n"
        )
    command = [
        "pgbench", "-n", "-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432),
        "-U", url.username or "postgres", "-c", str(clients), "-j", "2", "-T", str(duration), "-f", script.name,
        "-D", f"poll={poll_id}", "-D", f"low={low}", "-D", f"high={high}", url.path.lstrip("/"),
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--voters", type=int, default=20_000, help="distinct voters (> rate x duration)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")

    common.setup()
    from polls.models import Ballot

    voters = common.make_voters(args.voters, district_code="11440", birth_year=1990)
    token_file = Path(tempfile.mkstemp(suffix=".tokens")[1])
    token_file.write_text("\n".join(token for _u, token in voters) + "\n")
    user_ids = [u for u, _t in voters]
    hello, inserts, votes, raw, vote_errors, p99s = [], [], [], [], 0, []

    with common.Gunicorn() as server:
        wrk(server.url + "/bench/hello", 2, args.clients, 2)  # warm up both workers
        for round_number in range(1, args.rounds + 1):
            rate, _bad, _p99 = wrk(server.url + "/bench/hello", args.duration, args.clients, 2)
            hello.append(rate)
            # Fresh targets each round for all three, so no round is mostly ON CONFLICT.
            raw_poll = common.make_poll(f"pgbench target {round_number}")
            insert_poll = common.make_poll(f"minimal DRF insert target {round_number}")
            poll = common.make_poll(f"Throughput round {round_number}", districts=["11440"], age_min=20, age_max=59)
            script = Path(tempfile.mkstemp(suffix=".lua")[1])
            script.write_text(
                WRK_VOTE
                % {
                    "path": f"/api/v1/polls/{poll.pk}/vote/",
                    "option": poll.options.first().pk,
                    "threads": 2,
                    "tokens": token_file,
                }
            )
            insert_script = Path(tempfile.mkstemp(suffix=".lua")[1])
            insert_script.write_text(
                WRK_VOTE % {"path": f"/bench/insert/{insert_poll.pk}/", "option": 0, "threads": 2, "tokens": token_file}
            )
            inserts.append(wrk(server.url, args.duration, args.clients, 2, script=str(insert_script))[0])
            rate, bad, p99 = wrk(server.url, args.duration, args.clients, 2, script=str(script))
            votes.append(rate)
            vote_errors += bad
            p99s.append(p99)
            ballots = Ballot.objects.filter(poll=poll).count()
            inserted = Ballot.objects.filter(poll=insert_poll).count()
            tps = pgbench(
                common.os.environ["DATABASE_URL"],
                raw_poll.pk,
                min(user_ids),
                max(user_ids),
                args.duration,
                args.clients,
            )
            # Only the statements that inserted count: a random voter already in the poll is a no-op.
            raw_inserted = Ballot.objects.filter(poll=raw_poll).count()
            raw.append(raw_inserted / args.duration)
            print(
                f"round {round_number}: hello {hello[-1]:.0f} req/s | DRF insert {inserts[-1]:.0f} req/s "
                f"({inserted} rows) | vote {rate:.0f} req/s "
                f"(non-2xx {bad}, p99 {p99} ms, ballots {ballots}) | pgbench {raw[-1]:.0f} inserts/s "
                f"({raw_inserted} rows of {tps * args.duration:.0f} statements)"
            )

    h, v, r, i = common.median(hello), common.median(votes), common.median(raw), common.median(inserts)
    print(f"\nmedians over {args.rounds} rounds of {args.duration}s, {args.clients} clients, 2 sync gunicorn workers:")
    print(f"  trivial Django JSON endpoint  {h:8.0f} req/s")
    print(f"  minimal DRF insert (token)    {i:8.0f} req/s   = {100 * i / h:.0f}% of trivial")
    print(
        f"  vote (eligibility + tally)    {v:8.0f} req/s   = {100 * v / h:.0f}% of trivial, "
        f"{100 * v / i:.0f}% of the minimal insert"
    )
    print(f"  pgbench INSERT (rows inserted) {r:7.0f} inserts/s")
    print(f"  vote non-2xx responses: {vote_errors}")


if __name__ == "__main__":
    main()
