"""A mixed mobile workload through the API with 64 concurrent clients against gunicorn
(2 sync workers, DEBUG off, connections kept open, Redis cache and broker), beside a
trivial Django JSON endpoint measured the same way in the same run, alternating rounds.

Each client is one citizen with its own token (per-user throttles are per citizen) and,
per request, picks by weight one of:

    polls          GET  /api/v1/polls/                         polls open to me (page 1)
    case           GET  /api/v1/complaints/cases/<number>/     one of my cases, with its timeline
    file           POST /api/v1/complaints/cases/              file a complaint
    vote           POST /api/v1/polls/<id>/vote/               a poll I have not voted on yet
    notifications  GET  /api/v1/notifications/                 my inbox (page 1)
    unread         GET  /api/v1/notifications/unread_count/    the badge

The data: --citizens citizens in two districts (two birth years) with tokens, each with
--cases cases of their own (2 timeline events each) and --notifications inbox rows (a
third unread); --polls open polls, most of them open to every client (everyone, or its
district), a few closed to all (60 and over), plus --district-polls for each of the 23
other districts (a city where every district office runs its own polls). Every round uses 64
citizens not used before, so each vote is a real insert; a client that has voted on
every poll open to it asks for the polls list instead (counted as "votes exhausted").

Load generator: wrk with one thread and one connection per client (gunicorn's sync
workers close the connection after each response, as behind a proxy in production, so
each request includes a new loopback connection, for the trivial endpoint too), timing
every request in Lua with a monotonic clock, so the p50/p99 per endpoint are exact over
all requests, not wrk's overall histogram. Any status other than the expected 200/201
(or a socket error) is counted and printed.

Throttling: THROTTLE_USER is raised (default 100000/minute, --throttle-user) so the
measured figure is the server's, not the limit's; the throttle is still checked (a Redis
read and write) on every request. The script prints the requests per client per minute
to compare with the production default (1200/minute).

    apt-get install -y wrk   # if absent
    .venv/bin/python bench/mobile_mixed.py [--rounds 3] [--duration 10] [--citizens 3000]
    .venv/bin/python bench/mobile_mixed.py --profile-only --reuse   # query counts and cProfile

Database: civic_mobile_bench on DATABASE_URL's server (dropped and re-created unless
--reuse); Redis db 11 (REDIS_URL, purged at the end). With --profile (on by default) it
then measures each endpoint in-process (Django test client, no network): queries per
request and median server time, and prints cProfile's top functions for the slowest.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import _polls_common as common  # noqa: E402

CLIENTS = 64
ENDPOINTS = ["polls", "case", "file", "vote", "notifications", "unread"]
EXPECTED = {"polls": 200, "case": 200, "file": 201, "vote": 201, "notifications": 200, "unread": 200, "hello": 200}
DEFAULT_MIX = "polls=25,case=15,file=5,vote=10,notifications=20,unread=25"
FILING = {
    "kind": "complaint",
    "title": "불법 주차 신고",
    "text": "집 앞 골목에 불법 주차 차량이 있습니다. 매일 저녁 소방차 진입로를 막습니다.",
    "district": "11440",
}

LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } mobile_bench_timespec;
int clock_gettime(int clk_id, mobile_bench_timespec *tp);
]]
local timespec = ffi.new("mobile_bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, timespec)  -- CLOCK_MONOTONIC
  return tonumber(timespec.tv_sec) * 1000000 + tonumber(timespec.tv_nsec) / 1000
end

local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  threads[#threads + 1] = thread
end

local token, cases, votes = "", {}, {}
local next_vote = 1
local current, started = "", 0
records = {}
exhausted = 0

local function split(text, separator)
  local parts = {}
  for part in string.gmatch(text, "[^" .. separator .. "]+") do parts[#parts + 1] = part end
  return parts
end

function init(args)
  math.randomseed(CONFIG.seed + id * 7919)
  local line_number = 0
  for line in io.lines(CONFIG.clients) do
    if line_number == id then
      local fields = split(line, "|")
      token = fields[1]
      cases = split(fields[2], ",")
      for _, pair in ipairs(split(fields[3], ",")) do
        local poll, option = string.match(pair, "(%d+):(%d+)")
        votes[#votes + 1] = {poll, option}
      end
    end
    line_number = line_number + 1
  end
end

local function pick()
  if CONFIG.mode == "hello" then return "hello" end
  local r = math.random() * CONFIG.total
  for _, entry in ipairs(CONFIG.weights) do
    r = r - entry[2]
    if r < 0 then return entry[1] end
  end
  return CONFIG.weights[#CONFIG.weights][1]
end

function request()
  current = pick()
  if current == "vote" and next_vote > #votes then
    current = "polls"
    exhausted = exhausted + 1
  end
  local headers = {["Authorization"] = "Token " .. token, ["Accept"] = "application/json"}
  local method, path, body = "GET", nil, nil
  if current == "hello" then
    path = "/bench/hello"
    headers = {}
  elseif current == "polls" then
    path = "/api/v1/polls/"
  elseif current == "case" then
    path = "/api/v1/complaints/cases/" .. cases[math.random(#cases)] .. "/"
  elseif current == "file" then
    method, path, body = "POST", "/api/v1/complaints/cases/", CONFIG.filing
    headers["Content-Type"] = "application/json"
  elseif current == "vote" then
    local vote = votes[next_vote]
    next_vote = next_vote + 1
    method, path = "POST", "/api/v1/polls/" .. vote[1] .. "/vote/"
    body = '{"options": [' .. vote[2] .. ']}'
    headers["Content-Type"] = "application/json"
  elseif current == "notifications" then
    path = "/api/v1/notifications/"
  else
    path = "/api/v1/notifications/unread_count/"
  end
  started = now_us()
  return wrk.format(method, path, headers, body)
end

function response(status, headers, body)
  records[#records + 1] = current .. " " .. status .. " " .. string.format("%.0f", now_us() - started)
end

function done(summary, latency, requests)
  local out = io.open(CONFIG.out, "w")
  local e = summary.errors
  out:write(string.format("summary %d %d %d %d %d %d\n", summary.duration, e.connect, e.read, e.write,
    e.timeout, e.status))
  for _, thread in ipairs(threads) do
    out:write("exhausted " .. thread:get("exhausted") .. "\n")
    for _, record in ipairs(thread:get("records")) do out:write(record, "\n") end
  end
  out:close()
end
"""


def parse_mix(text):
    weights = {}
    for part in text.split(","):
        name, _sep, weight = part.partition("=")
        if name.strip() not in ENDPOINTS:
            raise argparse.ArgumentTypeError(f"unknown endpoint {name!r} (one of {', '.join(ENDPOINTS)})")
        weights[name.strip()] = float(weight)
    return weights


def lua_string(value):
    return "[==[" + value + "]==]"


# --- data ----------------------------------------------------------------------------------
def load_data(citizens, polls, district_polls, cases_each, notifications_each):
    """Citizens with tokens, open polls, their own cases and inbox rows; returns the citizens' ids."""
    from django.db import connection, transaction
    from django.utils import timezone

    from civicportal.accounts import demo
    from civicportal.accounts.models import Department, District, User
    from civicportal.notifications.models import Notification
    from complaints import demo as complaints_demo
    from complaints.models import Case, CaseEvent, Status, TrackingCounter

    started = time.perf_counter()
    demo.load_all()
    complaints_demo.load()  # routing rules, SLA policies, categories (files a few demo cases)
    half = citizens // 2
    voters = common.make_voters(half, district_code="11440", prefix="mobile-mapo-", birth_year=1990)
    voters += common.make_voters(citizens - half, district_code="11410", prefix="mobile-sdm-", birth_year=1975)
    user_ids = [user_id for user_id, _token in voters]

    # Polls: most are open to every client (everyone, or their district), some to no client.
    for i in range(polls):
        shape = i % 10
        if shape < 5:
            common.make_poll(f"모두에게 묻습니다 {i}")
        elif shape < 7:
            common.make_poll(f"마포구 주민 투표 {i}", districts=["11440"], age_min=20)
        elif shape < 9:
            common.make_poll(f"서대문구 주민 투표 {i}", districts=["11410"])
        else:
            common.make_poll(f"어르신 투표 {i}", age_min=60)
    elsewhere = District.objects.exclude(code__in=["11440", "11410"])
    for district in elsewhere:
        for i in range(district_polls):
            common.make_poll(f"{district.name_ko} 주민 투표 {i}", districts=[district.code])

    now = timezone.now()
    year = timezone.localtime(now).year
    departments = list(Department.objects.filter(code__in=["parking", "road-management", "living-environment"]))
    officer = User.objects.get(username="officer")
    districts = {d.code: d for d in District.objects.filter(code__in=["11440", "11410"])}
    rng = random.Random(7)
    number = TrackingCounter.objects.filter(year=year).values_list("last", flat=True).first() or 0
    with transaction.atomic():
        rows = []
        for index, user_id in enumerate(user_ids):
            for _ in range(cases_each):
                number += 1
                filed = now - timedelta(days=rng.randint(1, 120), minutes=rng.randint(0, 1439))
                answered = rng.random() < 0.6
                rows.append(
                    Case(
                        tracking_number=f"{year}-{number:07d}",
                        kind="complaint",
                        channel="mobile",
                        status=Status.ANSWERED if answered else Status.ASSIGNED,
                        title="가로등 고장 신고",
                        text="골목 가로등이 며칠째 꺼져 있어 밤길이 위험합니다.",
                        nouns="가로등 고장 신고 골목 며칠 밤길",
                        citizen_id=user_id,
                        filed_by_id=user_id,
                        department=rng.choice(departments),
                        officer=officer,
                        district=districts["11440" if index < half else "11410"],
                        filed_at=filed,
                        clock_started_at=filed,
                        due_at=filed + timedelta(days=9),
                        warn_at=filed + timedelta(days=7),
                        answer="현장 확인 후 교체했습니다." if answered else "",
                        answered_at=filed + timedelta(days=2) if answered else None,
                        answer_round=1 if answered else 0,
                    )
                )
        created = Case.objects.bulk_create(rows, batch_size=5000)
        TrackingCounter.objects.update_or_create(year=year, defaults={"last": number})
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(case=case, kind=kind, at=case.filed_at, actor_id=case.citizen_id, to_status=to_status)
                for case in created
                for kind, to_status in ((CaseEvent.Kind.FILED, Status.RECEIVED), (CaseEvent.Kind.ASSIGNED, case.status))
            ],
            batch_size=5000,
        )
        inbox = []
        for user_id in user_ids:
            for i in range(notifications_each):
                inbox.append(
                    Notification(
                        recipient_id=user_id,
                        kind="complaints.answered" if i % 2 else "polls.opened",
                        title=f"알림 {i}",
                        body="답변이 등록되었습니다.",
                        link="/complaints/",
                        read_at=None if i % 3 == 0 else now,
                    )
                )
        Notification.objects.bulk_create(inbox, batch_size=10000)
    with connection.cursor() as cursor:  # planner statistics, as autovacuum would gather them
        cursor.execute("ANALYZE")
    print(
        f"data: {len(user_ids):,} citizens with tokens, {polls} open polls "
        f"+ {district_polls * len(elsewhere)} for other districts, {len(created):,} cases, "
        f"{len(inbox):,} notifications ({time.perf_counter() - started:.0f} s)"
    )
    return voters


def client_lines(voters):
    """One line per client: token | its case numbers | poll:option it may still vote on."""
    from django.db.models import prefetch_related_objects

    from civicportal.accounts.models import User
    from complaints.models import Case
    from polls import services
    from polls.models import Ballot

    users = User.objects.select_related("profile").in_bulk([user_id for user_id, _t in voters])
    lines = []
    for user_id, token in voters:
        numbers = list(Case.objects.filter(citizen_id=user_id).values_list("tracking_number", flat=True))
        voted = set(Ballot.objects.filter(voter_id=user_id).values_list("poll_id", flat=True))
        polls = [poll for poll in services.open_to(users[user_id]) if poll.pk not in voted]
        prefetch_related_objects(polls, "options")
        pairs = [f"{poll.pk}:{min(o.pk for o in poll.options.all())}" for poll in polls]
        lines.append(f"{token}|{','.join(numbers)}|{','.join(pairs)}")
    return lines


# --- load ----------------------------------------------------------------------------------
def run_wrk(url, duration, script_config, workdir):
    """One wrk run, one thread and one connection per client; returns the parsed records."""
    out = Path(tempfile.mkstemp(suffix=".records", dir=workdir)[1])
    script = Path(tempfile.mkstemp(suffix=".lua", dir=workdir)[1])
    config = {**script_config, "out": str(out)}
    fields = []
    for key, value in config.items():
        if isinstance(value, str):
            fields.append(f"{key} = {lua_string(value)}")
        elif isinstance(value, list):
            fields.append(f"{key} = {{" + ", ".join(f'{{"{n}", {w}}}' for n, w in value) + "}")
        else:
            fields.append(f"{key} = {value}")
    script.write_text("CONFIG = {" + ", ".join(fields) + "}\n" + LUA)
    command = ["wrk", f"-t{CLIENTS}", f"-c{CLIENTS}", f"-d{duration}s", "--timeout", "30s", "-s", str(script), url]
    subprocess.run(command, capture_output=True, text=True, check=True)
    settle(url)
    records, exhausted, summary = defaultdict(list), 0, None
    statuses = defaultdict(Counter)
    for line in out.read_text().splitlines():
        parts = line.split()
        if parts[0] == "summary":
            summary = [int(x) for x in parts[1:]]
        elif parts[0] == "exhausted":
            exhausted += int(parts[1])
        else:
            name, status, micros = parts[0], int(parts[1]), float(parts[2])
            records[name].append(micros / 1000)
            statuses[name][status] += 1
    duration_s = summary[0] / 1e6
    socket_errors = sum(summary[1:5])
    return {"records": records, "statuses": statuses, "duration": duration_s, "socket_errors": socket_errors,
            "exhausted": exhausted}  # fmt: skip


def settle(url, timeout=30):
    """Wait until the server has drained what wrk left in flight (wrk stops on time, not
    when its last requests are answered), so the next measurement starts on an idle server."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url + "/bench/hello", timeout=timeout) as response:  # noqa: S310 - loopback
                response.read()
        except OSError:
            pass
        if time.perf_counter() - started < 0.2:
            return
        time.sleep(0.5)


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(round(fraction * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def figures(run, names):
    """Per endpoint and overall: requests/s, p50, p99 (ms), count, unexpected statuses.
    The report's p50/p99 are medians of each round's; "requests" is the total behind them."""
    result = {}
    every = []
    for name in names:
        values = sorted(run["records"].get(name, []))
        every.extend(values)
        bad = {s: n for s, n in run["statuses"].get(name, {}).items() if s != EXPECTED[name]}
        result[name] = {
            "rps": len(values) / run["duration"],
            "p50": percentile(values, 0.50),
            "p99": percentile(values, 0.99),
            "n": len(values),
            "bad": bad,
        }
    every.sort()
    result["all"] = {
        "rps": len(every) / run["duration"],
        "p50": percentile(every, 0.50),
        "p99": percentile(every, 0.99),
        "n": len(every),
        "bad": {},
    }
    return result


def uptime():
    return Path("/proc/loadavg").read_text().split()[:3]


# --- in-process profile --------------------------------------------------------------------
def profile(voters, repeat):
    """Queries and median server time per endpoint (Django test client, no network), and
    cProfile of the slowest; runs on citizens the load did not use."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ROOT_URLCONF = "bench.polls_urls"  # as gunicorn serves it: the portal plus /bench/hello
    lines = client_lines(voters[-repeat:])
    rows = []
    timings = {}
    trivial = Client(HTTP_HOST="127.0.0.1")
    trivial.get("/bench/hello")
    hello_times = []
    for _ in range(repeat * 5):
        started = time.perf_counter()
        trivial.get("/bench/hello")
        hello_times.append((time.perf_counter() - started) * 1000)
    hello_ms = common.median(hello_times)
    for name in ENDPOINTS:
        times, queries = [], []
        for index, line in enumerate(lines):
            token, numbers, pairs = line.split("|")
            client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
            call = _endpoint_call(client, name, numbers.split(","), pairs.split(","), index)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = call()
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == EXPECTED[name], (name, response.status_code, response.content[:300])
            queries.append(len(captured.captured_queries))
        timings[name] = common.median(times)
        rows.append((name, common.median(times), min(queries), max(queries)))
    print(f"\nin-process, {repeat} citizens each (no network, no gunicorn): median server time and queries")
    print(f"  {'trivial JSON':14s} {hello_ms:7.2f} ms   0 queries")
    for name, ms, low, high in sorted(rows, key=lambda row: -row[1]):
        queries = low if low == high else f"{low}-{high}"
        print(f"  {name:14s} {ms:7.2f} ms   {queries} queries   {ms / hello_ms:5.1f}x trivial")
    slowest = max(timings, key=timings.get)
    token, numbers, pairs = client_lines(voters[-repeat - 1 : -repeat])[0].split("|")
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    profiler = cProfile.Profile()
    calls = 1 if slowest == "vote" else 50  # one vote per poll per citizen
    for index in range(calls):
        call = _endpoint_call(client, slowest, numbers.split(","), pairs.split(","), index)
        profiler.enable()
        call()
        profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
    print(f"\ncProfile of {slowest!r} ({calls} requests), top 25 by cumulative time:")
    print("\n".join(text.getvalue().splitlines()[:60]))


def _endpoint_call(client, name, numbers, pairs, index):
    if name == "polls":
        return lambda: client.get("/api/v1/polls/")
    if name == "case":
        return lambda: client.get(f"/api/v1/complaints/cases/{numbers[index % len(numbers)]}/")
    if name == "file":
        return lambda: client.post("/api/v1/complaints/cases/", FILING, content_type="application/json")
    if name == "vote":
        poll, option = pairs[index % len(pairs)].split(":")
        return lambda: client.post(
            f"/api/v1/polls/{poll}/vote/", {"options": [int(option)]}, content_type="application/json"
        )
    if name == "notifications":
        return lambda: client.get("/api/v1/notifications/")
    return lambda: client.get("/api/v1/notifications/unread_count/")


# --- main ----------------------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds, medians reported (default 3)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement (default 10)")
    parser.add_argument("--citizens", type=int, default=3000, help="citizens with tokens (default 3000)")
    parser.add_argument("--polls", type=int, default=40, help="open polls, 70%% open to each client (default 40)")
    parser.add_argument("--district-polls", type=int, default=2, help="polls per other district (default 2)")
    parser.add_argument("--cases", type=int, default=3, help="existing cases per citizen (default 3)")
    parser.add_argument("--notifications", type=int, default=30, help="inbox rows per citizen (default 30)")
    parser.add_argument("--mix", type=parse_mix, default=parse_mix(DEFAULT_MIX), help=f"weights ({DEFAULT_MIX})")
    parser.add_argument("--throttle-user", default="100000/minute", help="THROTTLE_USER for the server")
    parser.add_argument("--reuse", action="store_true", help="keep the database of a previous run")
    parser.add_argument("--no-profile", dest="profile", action="store_false", help="skip the in-process profile")
    parser.add_argument("--profile-only", action="store_true", help="only the in-process profile (no gunicorn)")
    args = parser.parse_args()
    if not shutil.which("wrk") and not args.profile_only:
        sys.exit("wrk is needed: apt-get install -y wrk")
    if CLIENTS * (args.rounds + 1) + 21 > args.citizens:
        sys.exit(f"--citizens must exceed {CLIENTS} x (rounds + 1) + 21: each round uses fresh clients")

    server = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    os.environ["REDIS_URL"] = os.environ.get("MOBILE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
    os.environ["THROTTLE_USER"] = args.throttle_user
    os.environ["CONN_MAX_AGE"] = "600"
    common.setup(f"{server.scheme}://{server.netloc}/civic_mobile_bench", fresh=not args.reuse)
    from django.conf import settings
    from rest_framework.authtoken.models import Token

    load_before = uptime()
    if args.reuse and Token.objects.filter(user__username__startswith="mobile-").exists():
        voters = list(
            Token.objects.filter(user__username__startswith="mobile-").order_by("user_id").values_list("user_id", "key")
        )
        print(f"data: reusing {len(voters):,} citizens")
    else:
        voters = load_data(args.citizens, args.polls, args.district_polls, args.cases, args.notifications)
    print(
        f"server: gunicorn 2 sync workers, DEBUG={settings.DEBUG}, "
        f"CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']}, "
        f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[1]} ({os.environ['REDIS_URL']}), "
        f"THROTTLE_USER={settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['user']} (production default 1200/minute)"
    )
    print(f"load average before: {' '.join(load_before)}")

    if not args.profile_only:
        measure(args, voters)
    if args.profile or args.profile_only:
        profile(voters, 20)
    print(f"\nload average after: {' '.join(uptime())} (before: {' '.join(load_before)})")
    from civicportal.celery import app

    print(f"purged {app.control.purge()} queued notification tasks from {os.environ['REDIS_URL']}")


def measure(args, voters):
    weights = [(name, weight) for name, weight in args.mix.items() if weight > 0]
    names = [name for name, _w in weights]
    workdir = tempfile.mkdtemp(prefix="mobile-bench-")
    batches = [voters[i * CLIENTS : (i + 1) * CLIENTS] for i in range(args.rounds + 1)]
    base = {"seed": 1, "total": sum(w for _n, w in weights), "weights": weights,
            "filing": json.dumps(FILING, ensure_ascii=False)}  # fmt: skip
    hello_runs, mix_runs = [], []
    with common.Gunicorn() as server:
        for batch_number, batch in enumerate(batches):
            clients = Path(workdir) / f"clients-{batch_number}.txt"
            clients.write_text("\n".join(client_lines(batch)) + "\n")
            mix = {**base, "clients": str(clients), "mode": "mix", "seed": batch_number + 1}
            hello = {**base, "clients": str(clients), "mode": "hello"}
            if batch_number == 0:  # warm-up: both workers load kiwi's model on their first filing
                run_wrk(server.url, 5, mix, workdir)
                run_wrk(server.url, 2, hello, workdir)
                continue
            hello_runs.append(run_wrk(server.url, args.duration, hello, workdir))
            mix_runs.append(run_wrk(server.url, args.duration, mix, workdir))
            h, m = figures(hello_runs[-1], ["hello"])["hello"], figures(mix_runs[-1], names)
            bad = sum(sum(f["bad"].values()) for f in m.values()) + mix_runs[-1]["socket_errors"]
            print(
                f"round {batch_number}: trivial {h['rps']:.0f} req/s (p50 {h['p50']:.1f} ms, p99 {h['p99']:.1f} ms) | "
                f"mix {m['all']['rps']:.0f} req/s (p50 {m['all']['p50']:.1f} ms, p99 {m['all']['p99']:.1f} ms), "
                f"errors {bad}, votes exhausted {mix_runs[-1]['exhausted']}"
            )
    report(args, names, hello_runs, mix_runs)
    shutil.rmtree(workdir, ignore_errors=True)


def report(args, names, hello_runs, mix_runs):
    median = common.median
    hello = [figures(run, ["hello"])["hello"] for run in hello_runs]
    mixes = [figures(run, names) for run in mix_runs]
    h = {key: median([f[key] for f in hello]) for key in ("rps", "p50", "p99")}
    print(
        f"\nmedians over {args.rounds} rounds of {args.duration} s, {CLIENTS} clients (one citizen and one "
        f"connection at a time each), gunicorn 2 sync workers:"
    )
    print(
        f"  {'endpoint':16s} {'req/s':>8s} {'share':>6s} {'p50 ms':>8s} {'p99 ms':>8s} {'p50/trivial':>12s} "
        f"{'requests':>9s}  errors"
    )
    print(f"  {'trivial JSON':16s} {h['rps']:8.0f} {'':6s} {h['p50']:8.1f} {h['p99']:8.1f} {'1.0x':>12s} "
          f"{sum(f['n'] for f in hello):9d}  "
          f"{sum(sum(f['bad'].values()) for f in hello) + sum(r['socket_errors'] for r in hello_runs)}")  # fmt: skip
    total = median([m["all"]["rps"] for m in mixes])
    for name in [*sorted(names, key=lambda n: -median([m[n]["p50"] for m in mixes])), "all"]:
        row = {key: median([m[name][key] for m in mixes]) for key in ("rps", "p50", "p99")}
        bad = Counter()
        for m in mixes:
            bad.update(m[name]["bad"])
        errors = ", ".join(f"{n}x{s}" for s, n in sorted(bad.items())) or "0"
        label = "mix (all)" if name == "all" else name
        share = f"{100 * row['rps'] / total:5.1f}%" if name != "all" else ""
        print(
            f"  {label:16s} {row['rps']:8.0f} {share:>6s} {row['p50']:8.1f} {row['p99']:8.1f} "
            f"{row['p50'] / h['p50'] if h['p50'] else float('nan'):11.1f}x "
            f"{sum(m[name]['n'] for m in mixes):9d}  {errors}"
        )
    socket_errors = sum(r["socket_errors"] for r in mix_runs)
    ratio = f"{100 * total / h['rps']:.1f}%" if h["rps"] else "n/a"
    print(f"  mix throughput = {ratio} of the trivial endpoint's; socket errors {socket_errors}")
    per_client = total * 60 / CLIENTS
    print(f"  {per_client:.0f} requests per client per minute (production THROTTLE_USER default: 1200/minute)")
    print(f"  votes exhausted (asked for the polls list instead): {sum(r['exhausted'] for r in mix_runs)}")


if __name__ == "__main__":
    main()
