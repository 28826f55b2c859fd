"""A worker killed while single notifications go out through a slow HTTP SMS gateway.

Real `celery worker` processes on the configured broker (Redis in CI) and the test database; the
gateway is an HTTP server in this process that takes 3 s per message. The first worker is
SIGKILLed in the middle of the sends, holding claimed deliveries ("sending"). A second worker and
the sweep (what beat runs every minute) take them again once their lease runs out, with the same
idempotency key: every delivery ends sent, and the gateway, which keeps one message per key as
gateways do, sends each citizen's SMS once."""

import collections
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from civicportal.accounts.models import CitizenProfile, Role, User
from civicportal.celery import app as celery_app
from civicportal.notifications.models import Delivery
from civicportal.notifications.services import notify
from civicportal.notifications.tasks import sweep_deliveries
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
CITIZENS = 20
ROOT = Path(__file__).resolve().parents[2]


class Gateway(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), GatewayHandler)
        self.requests = collections.Counter()  # idempotency key -> requests received
        self.lock = threading.Lock()


class GatewayHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:
            self.server.requests[self.headers.get("Idempotency-Key", "")] += 1
        time.sleep(3)  # a slow gateway: the kill lands while messages are in flight
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def start_worker(env, name):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "civicportal", "worker", "-c", "2", "-n", name]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (set REDIS_URL)")
def test_a_killed_worker_leaves_no_sms_stuck_and_none_sent_twice(transactional_db, settings):
    gateway = Gateway()
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    group, _ = Group.objects.get_or_create(name=str(Role.CITIZEN))
    users = User.objects.bulk_create([User(username=f"dk{i:03d}") for i in range(CITIZENS)])
    CitizenProfile.objects.bulk_create(
        [
            CitizenProfile(user=u, consent_sms=True, consent_in_app=False, mobile=f"+8210{5000_0000 + i}")
            for i, u in enumerate(users)
        ]
    )
    group.user_set.add(*users)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://{user}{password}@{host}:{port}/{name}".format(
            user=db["USER"],
            password=f":{db['PASSWORD']}" if db.get("PASSWORD") else "",
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            name=db["NAME"],  # the test database
        ),
        "SMS_BACKEND": "civicportal.notifications.backends.HTTPSMSBackend",
        "SMS_GATEWAY_URL": f"http://127.0.0.1:{gateway.server_port}/send",
        "DELIVERY_LEASE_SECONDS": "8",
        "DEBUG": "true",
    }
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    first = start_worker(env, "killed@%h")
    second = None
    try:
        time.sleep(3)  # connected before the work arrives
        notify(users, "drill.sms", "구청 안내", "단수 예정 안내입니다.")  # autocommit: queued now
        assert wait_for(lambda: sum(gateway.requests.values()) >= 2, timeout=60), "the first worker never sent"
        os.killpg(first.pid, signal.SIGKILL)  # mid-send: two messages in flight, their answers lost
        first.wait(timeout=30)
        stuck = Delivery.objects.filter(channel="sms", status=Delivery.Status.SENDING).count()
        assert stuck >= 1, "the kill came too late to test anything"

        second = start_worker(env, "second@%h")

        def all_sent():
            sweep_deliveries.delay()  # what beat does every minute
            return Delivery.objects.filter(channel="sms", status=Delivery.Status.SENT).count() == CITIZENS

        assert wait_for(all_sent, timeout=180, interval=2.0), dict(
            collections.Counter(Delivery.objects.filter(channel="sms").values_list("status", flat=True))
        )
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=30)
        celery_app.conf.task_always_eager = True
        gateway.shutdown()

    keys = {f"delivery-{pk}" for pk in Delivery.objects.filter(channel="sms").values_list("pk", flat=True)}
    assert set(gateway.requests) == keys  # every citizen's SMS reached the gateway
    # Only a message whose answer the kill lost is asked again, with the same key (the
    # gateway keeps one per key); none that was answered is sent a second time.
    repeated = {key: n for key, n in gateway.requests.items() if n > 1}
    assert len(repeated) <= 2 and all(n == 2 for n in repeated.values()), repeated
