"""A day in Seoul, compressed and replayed against the production stack on this machine (issue #18).

    .venv/bin/python bench/seoul_day.py --scale 0.02 --rate 40     # a quick look
    .venv/bin/python bench/seoul_day.py --scale 0.1 --rate 60      # what the figures in README are
    .venv/bin/python bench/seoul_day.py                             # the issue's numbers (scale 1.0)

The stack: gunicorn (2 sync workers, DEBUG off), one Celery worker (-c 2, prefork) and beat, on a
database of its own (civic_seoul_day on DATABASE_URL's server, made from the template
civicportal_template, dropped at the end unless --keep) and Redis db 10 (flushed at start and
end). No ASGI server: every request of the day is plain HTTP. SMS go to the console gateway's
outbox in a temporary directory.

The day at scale 1.0 (Seoul's proportions): 22,000 120 contacts logged by counsellors (of which
550 become cases), 1,100 cases (550 from 120, 440 from the mobile API, 110 through Open311), each
answered by an officer, two targeted polls (three districts; citizens aged 60 and over) taking
50,000 votes each, 5,000 Oasis supports (11 per proposal, so each crosses the threshold of 10
once), reads of the notification badge and of poll results, the notifications all of that sends
(acknowledgements, answers, poll openings, proposals going to review), and at the midpoint one
city-wide in-app emergency alert to every citizen (1,000,000 x scale). Events are spread
uniformly at random over the duration, which is the total count divided by --rate; an officer
answers a case a short while after it was filed. --clients threads send them through
http.client, each request timed from its sending; a request sent later than its scheduled time
is counted in "lag" (the machine did not keep up).

Throttling: THROTTLE_USER is raised for the bench (counsellors and officers make hundreds of
requests a minute each); the throttle is still checked on every request. Open311's own limit
(60 POSTs a minute per key) is kept: each application posts at most that often, so there are
enough applications for the rate.

Afterwards the queues are left to drain (every case acknowledged, no delivery queued, the polls
announced, the alert sent) and the database is reconciled with the answers the clients got:
ballots == 201s per poll, cases == 201s, contacts == 201s, supports == 201s, alert deliveries ==
citizens, acknowledgements == cases with a citizen, nothing twice.
"""

import argparse
import collections
import heapq
import http.client
import json
import math
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DAY = {  # the numbers (scale 1.0)
    "citizens": 1_000_000,
    "contacts": 22_000,
    "cases_120": 550,
    "cases_mobile": 440,
    "cases_open311": 110,
    "votes_per_poll": 50_000,
    "supports": 5_000,
    "reads_unread": 10_000,
    "reads_results": 2_000,
}
SUPPORTS_PER_PROPOSAL = 11  # the threshold is 10: each proposal crosses it exactly once
EXPECTED = {
    "contact": 201,
    "contact_open": 201,
    "contact_case": 200,
    "case_mobile": 201,
    "case_open311": 201,
    "answer": 200,
    "vote": 201,
    "support": 201,
    "unread": 200,
    "results": 200,
}
DISTRICTS_POLL_A = ["11440", "11680", "11650"]  # Mapo, Gangnam, Seocho
DISTRICTS_POLL_B = ["11110", "11140", "11170", "11200", "11215"]  # Jongno, Jung, Yongsan, Seongdong, Gwangjin


def parse():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rate", type=float, default=60.0, help="target requests per second of the whole day")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--counsellors", type=int, default=40)
    parser.add_argument("--officers", type=int, default=20)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--database", default="civic_seoul_day")
    parser.add_argument("--redis-db", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument(
        "--citizens", type=int, default=0, help="citizens (alert recipients); default 1,000,000 x scale"
    )
    parser.add_argument("--baseline", type=int, default=10, help="seconds of GET /healthz before the day (0: none)")
    return parser.parse_args()


def scaled(name, scale):
    return max(1, round(DAY[name] * scale))


# --- the stack ----------------------------------------------------------------------------------


def create_database(server, name):
    import psycopg

    admin = server._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE civicportal_template')


def drop_database(server, name):
    import psycopg

    admin = server._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flush_redis(url):
    import redis

    redis.Redis.from_url(url).flushdb()


def environment(args, work):
    server = urllib.parse.urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    if not server.scheme.startswith("postgres"):
        sys.exit("This benchmark needs PostgreSQL: DATABASE_URL=postgres://...")
    redis_base = urllib.parse.urlparse(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    env = {
        "DATABASE_URL": server._replace(path=f"/{args.database}").geturl(),
        "REDIS_URL": redis_base._replace(path=f"/{args.redis_db}").geturl(),
        "DJANGO_SETTINGS_MODULE": "civicportal.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "THROTTLE_USER": "10000000/minute",  # the bench's clients only; still checked per request
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",
        "NOTIFICATION_OUTBOX_DIR": str(work / "outbox"),
    }
    env.pop("CELERY_BROKER_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.update(env)
    return server, {**os.environ, **env}


def start(env, command, log_path):
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(log_path, "w"),  # noqa: SIM115 - a file, never a pipe nobody reads
        start_new_session=True,
    )


def stop(process):
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def start_stack(env, port, work):
    python = str(ROOT / ".venv/bin/python")
    gunicorn = [str(ROOT / ".venv/bin/gunicorn"), "civicportal.wsgi:application", "--workers", "2"]
    gunicorn += ["--bind", f"127.0.0.1:{port}", "--timeout", "120", "--backlog", "2048", "--log-level", "warning"]
    celery = [python, "-m", "celery", "-A", "civicportal"]
    worker = [*celery, "worker", "-c", "2", "-P", "prefork", "--without-gossip", "--without-mingle", "-l", "WARNING"]
    processes = [
        start(env, gunicorn, work / "gunicorn.log"),
        start(env, worker, work / "worker.log"),
        start(env, [*celery, "beat", "-s", str(work / "beat-schedule"), "-l", "WARNING"], work / "beat.log"),
    ]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return processes
        except OSError:
            pass
        time.sleep(0.3)
    for process in processes:
        stop(process)
    raise RuntimeError(f"the portal did not start (see {work}/gunicorn.log)")


# --- the seed (not timed with the day) ---------------------------------------------------------


def seed_citizens(n):
    """n citizens with profiles over the 25 districts, birth years 1940-2007, in-app consent, SMS
    consent for 1 in 100 (the console outbox), made by the database itself."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,"
            " is_staff, is_active, date_joined, full_name)"
            " SELECT '!', false, 'day-' || g, '', '', '', false, true, now(), '' FROM generate_series(0, %s) g",
            [n - 1],
        )
        cursor.execute(
            "INSERT INTO accounts_citizenprofile (user_id, gender, district_id, dong, mobile, preferred_language,"
            " consent_email, consent_sms, consent_push, consent_in_app, location_consent, birth_year)"
            " SELECT u.id, (ARRAY['F','M'])[1 + u.id %% 2], d.id, '', '+8210' || lpad((20000000 + u.id)::text, 8, '0'),"
            " 'ko', false, u.id %% 100 = 0, false, true, false, 1940 + (u.id * 7919) %% 68"
            " FROM accounts_user u"
            " JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM accounts_district) d ON d.n = u.id %% 25"
            " WHERE u.username LIKE 'day-%%'",
            [],
        )
        cursor.execute("VACUUM ANALYZE accounts_user")
        cursor.execute("VACUUM ANALYZE accounts_citizenprofile")


def tokens_for(user_ids, role):
    """API tokens (and the role) for these accounts, in bulk; returns {user_id: key}."""
    from django.contrib.auth.models import Group
    from django.db import connection

    group, _ = Group.objects.get_or_create(name=str(role))
    ids = list(user_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_user_groups (user_id, group_id) SELECT u, %s FROM unnest(%s::bigint[]) u"
            " ON CONFLICT DO NOTHING",
            [group.pk, ids],
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, user_id, created)"
            " SELECT md5(random()::text || u::text) || lpad(to_hex(u), 8, '0'), u, now()"
            " FROM unnest(%s::bigint[]) u ON CONFLICT DO NOTHING",
            [ids],
        )
        cursor.execute("SELECT user_id, key FROM authtoken_token WHERE user_id = ANY(%s)", [ids])
        return dict(cursor.fetchall())


def seed(args, rng):
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from bench._polls_common import make_poll
    from civicportal.accounts.models import CitizenProfile, Department, District, Role, User
    from civicportal.notifications import alerts
    from complaints.models import Category
    from open311 import services as open311_services
    from polls.models import PollOption
    from proposals import services as proposal_services
    from tests.complaints.factories import RoutingRuleFactory
    from tests.factories import DepartmentFactory, officer_of
    from tests.notifications.factories import alert_approver, alert_author, make_alert

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # seed accounts only
    scale = args.scale
    n = args.citizens or scaled("citizens", scale)
    started = time.monotonic()
    seed_citizens(n)
    print(f"  {n:,} citizens and profiles: {time.monotonic() - started:.0f} s", flush=True)
    citizens = list(User.objects.filter(username__startswith="day-").order_by("pk").values_list("pk", flat=True))

    department = DepartmentFactory(code="day-civil", name_ko="민원처리과", name_en="Civil Affairs")
    RoutingRuleFactory(department=department)
    officers = [officer_of(department, username=f"day-officer{i}") for i in range(args.officers)]
    call_centre = DepartmentFactory(
        code="dasan-120", name_ko="120다산콜재단", name_en="120 Dasan", kind=Department.Kind.CALL_CENTRE
    )
    counsellors = [
        officer_of(call_centre, username=f"day-counsellor{i}", roles=(Role.COUNSELLOR,))
        for i in range(args.counsellors)
    ]
    staff_tokens = tokens_for([u.pk for u in officers + counsellors], Role.OFFICER)

    # Two targeted polls: three districts; aged 60 and over. Opening now, announced by beat.
    votes = scaled("votes_per_poll", scale)
    year = timezone.localdate().year
    district_ids = set(District.objects.filter(code__in=DISTRICTS_POLL_A).values_list("pk", flat=True))
    profiles = CitizenProfile.objects.filter(user_id__in=citizens)
    in_a = list(profiles.filter(district_id__in=district_ids).order_by("user_id").values_list("user_id", flat=True))
    district_ids_b = set(District.objects.filter(code__in=DISTRICTS_POLL_B).values_list("pk", flat=True))
    in_b = profiles.filter(birth_year__lte=year - 60, district_id__in=district_ids_b)
    in_b = list(in_b.order_by("user_id").values_list("user_id", flat=True))
    if len(in_a) < votes or len(in_b) < votes:
        sys.exit(f"too few eligible citizens for {votes} votes per poll ({len(in_a)}, {len(in_b)})")
    voters_a, voters_b = rng.sample(in_a, votes), rng.sample(in_b, votes)
    poll_a = make_poll("Seoul day: a park for the three districts?", districts=DISTRICTS_POLL_A)
    poll_b = make_poll("Seoul day: senior bus routes", age_min=60, districts=DISTRICTS_POLL_B)
    for poll in (poll_a, poll_b):
        poll.opens_at = timezone.now()
        poll.save(update_fields=["opens_at"])

    # Oasis: proposals open for support, each to get 11 supports.
    supports = scaled("supports", scale)
    proposal_count = math.ceil(supports / SUPPORTS_PER_PROPOSAL)
    author = User.objects.get(pk=citizens[0])
    tokens_for([author.pk], Role.CITIZEN)
    author = User.objects.get(pk=author.pk)
    proposals = [
        proposal_services.proposal_submit(
            author=author, title=f"시민 제안 {i}", problem="문제", idea="아이디어", expected_effect="효과"
        ).pk
        for i in range(proposal_count)
    ]
    supporters = rng.sample(citizens[1:], min(supports, len(citizens) - 1))

    # Citizens who file from the mobile app and read their badge.
    mobile_filers = rng.sample(citizens, min(len(citizens), 2000))
    everyone = set(voters_a) | set(voters_b) | set(supporters) | set(mobile_filers)
    citizen_tokens = tokens_for(sorted(everyone), Role.CITIZEN)

    category = Category.objects.create(code="day-streetlight", name_ko="가로등 고장", name_en="Broken streetlight")
    open311_keys = [
        open311_services.application_create(name=f"Seoul day app {i}", contact_email=f"app{i}@example.org")[1]
        for i in range(max(1, math.ceil(args.rate * 60 * 0.01 / 50)))
    ]

    alert_by = alert_author("day-alert-author")
    alert = make_alert(alert_by, channels=["in_app"], area_kind="city")
    alerts.alert_submit(alert=alert, by=alert_by)
    alert_approver("day-alert-approver")
    return {
        "citizens": citizens,
        "officer_tokens": [staff_tokens[u.pk] for u in officers],
        "counsellor_tokens": [staff_tokens[u.pk] for u in counsellors],
        "polls": {
            "a": (poll_a.pk, list(PollOption.objects.filter(poll=poll_a).values_list("pk", flat=True)), voters_a),
            "b": (poll_b.pk, list(PollOption.objects.filter(poll=poll_b).values_list("pk", flat=True)), voters_b),
        },
        "proposals": proposals,
        "supporters": supporters,
        "mobile_filers": mobile_filers,
        "citizen_tokens": citizen_tokens,
        "open311_keys": open311_keys,
        "service_code": category.code,
        "alert": alert.pk,
        "since": timezone.now() - timedelta(seconds=1),
    }


# --- the day ------------------------------------------------------------------------------------


def timeline(args, data, rng):
    """[(t, kind, payload)] over [0, duration): every event of the day at a random moment."""
    s = args.scale
    events = []
    tokens = data["citizen_tokens"]
    counsellors = data["counsellor_tokens"]
    for _ in range(scaled("contacts", s) - scaled("cases_120", s)):
        events.append(("contact", rng.choice(counsellors)))
    for i in range(scaled("cases_120", s)):
        caller = data["citizens"][rng.randrange(len(data["citizens"]))]
        events.append(("contact_open", (rng.choice(counsellors), caller, i)))
    for i in range(scaled("cases_mobile", s)):
        events.append(("case_mobile", (tokens[data["mobile_filers"][i % len(data["mobile_filers"])]], i)))
    for i in range(scaled("cases_open311", s)):
        events.append(("case_open311", (data["open311_keys"][i % len(data["open311_keys"])], i)))
    for poll_id, options, voters in data["polls"].values():
        for voter in voters:
            events.append(("vote", (tokens[voter], poll_id, rng.choice(options))))
    for j, supporter in enumerate(data["supporters"]):
        events.append(("support", (tokens[supporter], data["proposals"][j // SUPPORTS_PER_PROPOSAL])))
    readers = list(tokens.values())
    for _ in range(scaled("reads_unread", s)):
        events.append(("unread", rng.choice(readers)))
    polls = [p[0] for p in data["polls"].values()]
    for _ in range(scaled("reads_results", s)):
        events.append(("results", (rng.choice(readers), rng.choice(polls))))
    # Answers (one per case) are scheduled when the case is filed; they count in the rate.
    total = len(events) + sum(scaled(k, s) for k in ("cases_120", "cases_mobile", "cases_open311"))
    duration = total / args.rate
    return sorted((rng.uniform(0, duration), i, kind, payload) for i, (kind, payload) in enumerate(events)), duration


class Day:
    def __init__(self, args, data, events, duration, rng):
        self.port = args.port
        self.data = data
        self.duration = duration
        self.rng = rng
        self.heap = list(events)
        heapq.heapify(self.heap)
        self.lock = threading.Condition()
        self.pending_answers = 0
        self.sequence = len(events)
        self.records = collections.defaultdict(list)  # kind -> [(status, seconds, lag)]
        self.created = collections.defaultdict(list)  # kind -> [identifier]
        self.officers = data["officer_tokens"]

    def schedule(self, at, kind, payload):
        with self.lock:
            self.sequence += 1
            heapq.heappush(self.heap, (at, self.sequence, kind, payload))
            self.lock.notify()

    def next_event(self, t0):
        with self.lock:
            while True:
                if not self.heap:
                    if self.pending_answers == 0:
                        return None
                    self.lock.wait(0.2)
                    continue
                at = self.heap[0][0]
                wait = t0 + at - time.monotonic()
                if wait <= 0:
                    return heapq.heappop(self.heap)
                self.lock.wait(min(wait, 0.2))

    def request(self, conn, method, path, token=None, body=None, form=None):
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        payload = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            payload = json.dumps(body, ensure_ascii=False).encode()
        elif form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            payload = urllib.parse.urlencode(form).encode()
        started = time.monotonic()
        for attempt in (1, 2):
            try:
                conn.request(method, path, body=payload, headers=headers)
                response = conn.getresponse()
                content = response.read()
                return response.status, content, time.monotonic() - started
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                conn.close()  # a kept connection the server had closed: only then send again
                if attempt == 2:
                    return "no answer", b"", time.monotonic() - started
            except (OSError, http.client.HTTPException):
                conn.close()
                return "no answer", b"", time.monotonic() - started
        return "no answer", b"", 0.0

    def record(self, kind, status, seconds, lag):
        with self.lock:
            self.records[kind].append((status, seconds, lag))

    def run_one(self, conn, t0, event):
        at, _seq, kind, payload = event
        lag = time.monotonic() - t0 - at
        answer_at = lambda: time.monotonic() - t0 + self.rng.uniform(0.02, 0.08) * self.duration  # noqa: E731
        if kind == "contact":
            body = {"channel": "voice", "question": "주차 과태료는 어디서 내나요?", "answer": "ETAX에서 냅니다."}
            status, content, seconds = self.request(
                conn, "POST", "/api/v1/callcenter/contacts/", payload, {**body, "outcome": "answered"}
            )
            self.record(kind, status, seconds, lag)
            if status == 201:
                self.created["contact"].append(json.loads(content)["id"])
        elif kind == "contact_open":
            counsellor, caller, i = payload
            phone = "+8210" + str(20000000 + caller).rjust(8, "0")
            body = {"channel": "voice", "caller_phone": phone, "question": f"가로등이 꺼져 있습니다 {i}"}
            status, content, seconds = self.request(conn, "POST", "/api/v1/callcenter/contacts/", counsellor, body)
            self.record(kind, status, seconds, lag)
            if status != 201:
                self.pending_done()
                return
            pk = json.loads(content)["id"]
            self.created["contact"].append(pk)
            status, content, seconds = self.request(
                conn, "POST", f"/api/v1/callcenter/contacts/{pk}/case/", counsellor, {"title": "가로등 고장"}
            )
            self.record("contact_case", status, seconds, 0.0)
            if status == 200:
                self.case_filed(json.loads(content)["case_tracking_number"], answer_at())
            else:
                self.pending_done()
        elif kind == "case_mobile":
            token, i = payload
            body = {
                "kind": "complaint",
                "title": "불법 주차 신고",
                "text": f"골목을 막은 차량 {i}",
                "district": "11440",
            }
            status, content, seconds = self.request(conn, "POST", "/api/v1/complaints/cases/", token, body)
            self.record(kind, status, seconds, lag)
            if status == 201:
                self.case_filed(json.loads(content)["tracking_number"], answer_at())
            else:
                self.pending_done()
        elif kind == "case_open311":
            key, i = payload
            form = {
                "api_key": key,
                "service_code": self.data["service_code"],
                "description": f"가로등이 꺼져 있습니다 {i}",
                "address_string": "서울 마포구 월드컵로 212",
            }
            status, content, seconds = self.request(conn, "POST", "/open311/v2/requests.json", form=form)
            self.record(kind, status, seconds, lag)
            if status == 201:
                self.case_filed(json.loads(content)[0]["service_request_id"], answer_at())
            else:
                self.pending_done()
        elif kind == "answer":
            number = payload
            status, _content, seconds = self.request(
                conn,
                "POST",
                f"/api/v1/complaints/cases/{number}/answer/",
                self.rng.choice(self.officers),
                {"text": "현장을 확인하고 조치했습니다."},
            )
            self.record(kind, status, seconds, lag)
            if status == 200:
                with self.lock:
                    self.created["answer"].append(number)
            self.pending_done()
        elif kind == "vote":
            token, poll_id, option = payload
            status, _c, seconds = self.request(
                conn, "POST", f"/api/v1/polls/{poll_id}/vote/", token, {"options": [option]}
            )
            self.record(kind, status, seconds, lag)
            if status == 201:
                with self.lock:
                    self.created[f"vote:{poll_id}"].append(token)
        elif kind == "support":
            token, proposal = payload
            status, _c, seconds = self.request(conn, "POST", f"/api/v1/proposals/{proposal}/vote/", token, {})
            self.record(kind, status, seconds, lag)
            if status == 201:
                with self.lock:
                    self.created["support"].append(proposal)
        elif kind == "unread":
            status, _c, seconds = self.request(conn, "GET", "/api/v1/notifications/unread_count/", payload)
            self.record(kind, status, seconds, lag)
        elif kind == "results":
            token, poll_id = payload
            status, _c, seconds = self.request(conn, "GET", f"/api/v1/polls/{poll_id}/results/", token)
            self.record(kind, status, seconds, lag)

    def case_filed(self, number, answer_at):
        with self.lock:
            self.created["case"].append(number)
        self.schedule(answer_at, "answer", number)

    def pending_done(self):
        with self.lock:
            self.pending_answers -= 1
            self.lock.notify_all()

    def client(self, t0):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        while (event := self.next_event(t0)) is not None:
            self.run_one(conn, t0, event)
        conn.close()


def watch_alert(alert_id, approved_at, result):
    """Poll the alert until it is sent with every delivery done; records the seconds since approval."""
    from django.db import connection

    from civicportal.notifications.models import AlertDelivery, EmergencyAlert

    try:
        while time.monotonic() - approved_at < 3600:
            status = EmergencyAlert.objects.filter(pk=alert_id).values_list("status", flat=True)[0]
            if status == "sent":
                waiting = AlertDelivery.objects.filter(alert_id=alert_id).exclude(status="sent").count()
                if waiting == 0:
                    result["seconds"] = time.monotonic() - approved_at
                    return
            time.sleep(0.5)
    finally:
        connection.close()


def approve_alert(alert_id, day, t0, result):
    from django.db import connection

    from civicportal.accounts.models import User
    from civicportal.notifications import alerts
    from civicportal.notifications.models import EmergencyAlert

    try:
        time.sleep(max(0.0, t0 + day.duration / 2 - time.monotonic()))
        approved_at = time.monotonic()
        result["at"] = approved_at - t0
        alerts.alert_approve(
            alert=EmergencyAlert.objects.get(pk=alert_id), by=User.objects.get(username="day-alert-approver")
        )
        watch_alert(alert_id, approved_at, result)
        result["day_running_at_end"] = time.monotonic() - t0 < day.duration
    finally:
        connection.close()


def baseline(port, clients, seconds):
    """The same client threads asking GET /healthz (one database and one broker round trip) as
    fast as they can: what the stack and this machine do right now for a near-trivial request."""
    times, stop_at = [], time.monotonic() + seconds
    lock = threading.Lock()

    def loop():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop_at:
            started = time.monotonic()
            try:
                conn.request("GET", "/healthz")
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                ok = False
            with lock:
                times.append((time.monotonic() - started) * 1000 if ok else None)
        conn.close()

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    good = [t for t in times if t is not None]
    return len(good) / seconds, statistics.median(good), percentile(good, 0.99), len(times) - len(good)


def run_day(args, data, rng):
    events, duration = timeline(args, data, rng)
    day = Day(args, data, events, duration, rng)
    day.pending_answers = sum(scaled(k, args.scale) for k in ("cases_120", "cases_mobile", "cases_open311"))
    print(f"the day: {len(events):,} events + {day.pending_answers:,} answers over {duration:.0f} s", flush=True)
    alert = {}
    t0 = time.monotonic()
    threads = [threading.Thread(target=day.client, args=(t0,), daemon=True) for _ in range(args.clients)]
    alerting = threading.Thread(target=approve_alert, args=(data["alert"], day, t0, alert), daemon=True)
    for thread in [*threads, alerting]:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - t0
    alerting.join()
    return day, elapsed, alert


# --- after the day ------------------------------------------------------------------------------


def drain(data, timeout=1800):
    from civicportal.notifications.models import Delivery, EmergencyAlert
    from complaints.models import Case
    from polls.models import Poll

    started = time.monotonic()
    poll_ids = [p[0] for p in data["polls"].values()]
    while time.monotonic() - started < timeout:
        waiting = {
            "cases not acknowledged": Case.objects.filter(acknowledged_at__isnull=True).count(),
            "deliveries queued": Delivery.objects.exclude(status__in=["sent", "failed", "skipped"]).count(),
            "polls not announced": Poll.objects.filter(pk__in=poll_ids, opened_notified_at__isnull=True).count(),
            "alert not sent": EmergencyAlert.objects.filter(pk=data["alert"]).exclude(status="sent").count(),
        }
        if not any(waiting.values()):
            # poll-opening chunks run after the announcement: wait until no task is left in the queue
            if queue_length() == 0:
                return time.monotonic() - started, waiting
        time.sleep(1)
    return None, waiting


def queue_length():
    import redis

    return redis.Redis.from_url(os.environ["REDIS_URL"]).llen("celery")


def reconcile(day, data):
    from django.db.models import Count
    from django.urls import reverse

    from callcenter.models import Contact
    from civicportal.notifications.models import AlertDelivery, Delivery, EmergencyAlert, Notification
    from complaints.models import Case
    from polls.models import Ballot
    from polls.services import eligible_recipient_ids
    from proposals.models import Proposal, ProposalEvent, ProposalVote

    checks = []

    def check(name, db, answered):
        checks.append((name, db, answered, db == answered))

    def created(kind):
        return day.created.get(kind, [])

    for name, (poll_id, _options, _voters) in data["polls"].items():
        ballots = Ballot.objects.filter(poll_id=poll_id)
        check(f"poll {name}: ballots == 201s", ballots.count(), len(created(f"vote:{poll_id}")))
        check(
            f"poll {name}: distinct voters == ballots", ballots.values("voter_id").distinct().count(), ballots.count()
        )
    cases = Case.objects.all()
    check("cases == 201s (mobile, Open311) + 200s (120 to case)", cases.count(), len(created("case")))
    check("cases: distinct tracking numbers", len(set(created("case"))), len(created("case")))
    check("cases answered == answers 200", cases.filter(answered_at__isnull=False).count(), len(created("answer")))
    check("cases acknowledged == cases", cases.filter(acknowledged_at__isnull=False).count(), cases.count())
    with_citizen = cases.filter(citizen__isnull=False).count()
    acks = Notification.objects.filter(kind="complaints.filed")
    check("acknowledgements == cases with a citizen", acks.count(), with_citizen)
    check("acknowledgements: one per case", acks.values("link").distinct().count(), acks.count())
    check("contacts == 201s", Contact.objects.count(), len(created("contact")))
    check(
        "contacts turned into cases",
        Contact.objects.exclude(case_tracking_number="").count(),
        len([r for r in day.records["contact_case"] if r[0] == 200]),
    )
    check("supports == 201s", ProposalVote.objects.count(), len(created("support")))
    check(
        "vote_count sum == supports",
        sum(Proposal.objects.values_list("vote_count", flat=True)),
        ProposalVote.objects.count(),
    )
    crossed = ProposalEvent.objects.filter(kind="threshold")
    full = len(created("support")) // SUPPORTS_PER_PROPOSAL  # proposals given all 11 supports
    check("threshold crossings == proposals with 11 supports", crossed.count(), full)
    check("threshold crossings: once each", crossed.values("proposal_id").distinct().count(), crossed.count())
    for name, (poll_id, _options, _voters) in data["polls"].items():
        from polls.models import Poll

        told = Notification.objects.filter(kind="poll_opened", link=reverse("polls:detail", args=[poll_id]))
        eligible = len(eligible_recipient_ids(Poll.objects.get(pk=poll_id)))
        check(f"poll {name}: opening notices == eligible citizens", told.count(), eligible)
        check(f"poll {name}: opening notices once each", told.values("recipient_id").distinct().count(), told.count())
    alert = EmergencyAlert.objects.get(pk=data["alert"])
    rows = AlertDelivery.objects.filter(alert=alert)
    from civicportal.accounts.models import CitizenProfile

    profiles = CitizenProfile.objects.filter(user__is_active=True).count()
    check("alert deliveries == citizen profiles", rows.count(), profiles)
    check("alert deliveries sent", rows.filter(status="sent").count(), rows.count())
    check("alert deliveries: one per citizen", rows.values("user_id").distinct().count(), rows.count())
    pending = Delivery.objects.exclude(status__in=["sent", "skipped"]).values("status").annotate(n=Count("id"))
    check("notification deliveries not sent", sum(p["n"] for p in pending), 0)
    sms = Path(os.environ["NOTIFICATION_OUTBOX_DIR"]) / "sms.jsonl"
    if sms.exists():
        keys = [json.loads(line).get("key") for line in sms.read_text(encoding="utf-8").splitlines() if line]
        check("SMS in the outbox: each key once", len(set(keys)), len(keys))
    check("alert status", alert.status, "sent")
    return checks


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def report(day, elapsed, alert):
    print(f"\nper request kind (the day took {elapsed:.1f} s, planned {day.duration:.1f} s)")
    print(f"  {'kind':<14}{'count':>8}{'rate/s':>8}{'p50 ms':>9}{'p99 ms':>9}  {'lag>1s':>7}  other than expected")
    total = 0
    for kind in EXPECTED:
        rows = day.records.get(kind, [])
        if not rows:
            continue
        total += len(rows)
        times = [r[1] * 1000 for r in rows]
        others = collections.Counter(str(r[0]) for r in rows if r[0] != EXPECTED[kind])
        late = sum(1 for r in rows if r[2] > 1.0)
        print(
            f"  {kind:<14}{len(rows):>8,}{len(rows) / elapsed:>8.1f}{statistics.median(times):>9.0f}"
            f"{percentile(times, 0.99):>9.0f}  {late:>7,}  {dict(others) or '-'}"
        )
    all_times = [r[1] * 1000 for rows in day.records.values() for r in rows]
    print(
        f"  {'all':<14}{total:>8,}{total / elapsed:>8.1f}{statistics.median(all_times):>9.0f}"
        f"{percentile(all_times, 0.99):>9.0f}"
    )
    lags = [r[2] for rows in day.records.values() for r in rows]
    print(f"  schedule lag: p50 {statistics.median(lags) * 1000:.0f} ms, p99 {percentile(lags, 0.99) * 1000:.0f} ms")
    if "seconds" in alert:
        print(
            f"alert approved at {alert['at']:.0f} s: sent with every delivery done {alert['seconds']:.1f} s later"
            f" ({'while the day went on' if alert.get('day_running_at_end') else 'the day had ended by then'})"
        )
    else:
        print("alert: not sent within the hour")


def main():
    args = parse()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="seoul-day-"))
    (work / "outbox").mkdir()
    server, env = environment(args, work)
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores shared with other jobs)", flush=True)
    create_database(server, args.database)
    flush_redis(os.environ["REDIS_URL"])
    processes = []
    ok = False
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        t = time.monotonic()
        data = seed(args, rng)
        print(
            f"seeded in {time.monotonic() - t:.0f} s: {len(data['citizens']):,} citizens, "
            f"{len(data['citizen_tokens']):,} with tokens, {len(data['proposals'])} proposals",
            flush=True,
        )
        processes = start_stack(env, args.port, work)
        if args.baseline:
            rate, p50, p99, failed = baseline(args.port, args.clients, args.baseline)
            print(
                f"baseline GET /healthz, {args.clients} clients, {args.baseline} s: {rate:.0f} req/s,"
                f" p50 {p50:.0f} ms, p99 {p99:.0f} ms, failed {failed}",
                flush=True,
            )
        day, elapsed, alert = run_day(args, data, rng)
        report(day, elapsed, alert)
        drained, waiting = drain(data)
        if drained is None:
            print(f"the queues did not drain: {waiting}")
        else:
            print(f"queues drained {drained:.0f} s after the day")
        print("\nreconciliation (database == answers the clients got)")
        checks = reconcile(day, data)
        for name, db, answered, good in checks:
            print(
                f"  {'ok ' if good else 'BAD'} {name}: {db:,} == {answered:,}"
                if isinstance(db, int)
                else f"  {'ok ' if good else 'BAD'} {name}: {db} == {answered}"
            )
        ok = all(c[3] for c in checks)
        print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        print("PASS" if ok else "FAIL")
    finally:
        for process in processes:
            stop(process)
        from django.db import connections

        connections.close_all()
        flush_redis(os.environ["REDIS_URL"])
        if not args.keep:
            drop_database(server, args.database)
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"logs kept in {work}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
