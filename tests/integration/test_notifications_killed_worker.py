"""Exactly once under a killed worker: real Redis, real PostgreSQL, real `celery worker` processes.

A worker is SIGKILLed in the middle of a fan-out; a second worker finishes it (re-delivered
tasks via acks_late + the visibility timeout, and the sweep). Then every citizen has exactly
one delivery per channel, and the SMS outbox holds each message exactly once."""

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from civicportal.accounts.districts import load_districts
from civicportal.accounts.models import CitizenProfile, District, Role, User
from civicportal.celery import app as celery_app
from civicportal.notifications import alerts
from civicportal.notifications.models import AlertDelivery, EmergencyAlert
from civicportal.notifications.tasks_alerts import sweep_alerts
from tests.factories import district
from tests.integration.conftest import wait_for
from tests.notifications.factories import alert_approver, alert_author, make_alert

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
CITIZENS = 240
ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(r'"key": "([^"]+)"')


def outbox_keys(outbox):
    path = Path(outbox) / "sms.jsonl"
    return KEY.findall(path.read_text(encoding="utf-8")) if path.exists() else []


def start_worker(env, name):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "civicportal",
            "worker",
            "-c",
            "2",
            "-P",
            "prefork",
            "-n",
            name,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own process group: the kill takes the pool children too
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process, sig=signal.SIGKILL):
    os.killpg(process.pid, sig)
    process.wait(timeout=30)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (set REDIS_URL)")
def test_fan_out_survives_a_killed_worker(transactional_db, settings):
    outbox = settings.NOTIFICATION_OUTBOX_DIR
    load_districts(District)  # an earlier transactional test may have flushed the migrated rows
    mapo = district("11440")
    group, _ = Group.objects.get_or_create(name=str(Role.CITIZEN))
    users = User.objects.bulk_create([User(username=f"kw{i:04d}", email=f"kw{i}@example.org") for i in range(CITIZENS)])
    CitizenProfile.objects.bulk_create(
        [
            CitizenProfile(user=u, district=mapo, consent_sms=True, mobile=f"+8210{7000_0000 + i}")
            for i, u in enumerate(users)
        ]
    )
    group.user_set.add(*users)
    author, approver = alert_author(), alert_approver()
    alert = make_alert(author, channels=["in_app", "sms"], area_kind="districts", districts=[mapo])
    alerts.alert_submit(alert=alert, by=author)

    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.integration.alerts_worker_settings",
        "DATABASE_URL": "postgres://{user}{password}@{host}:{port}/{name}".format(
            user=db["USER"],
            password=f":{db['PASSWORD']}" if db.get("PASSWORD") else "",
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            name=db["NAME"],  # the test database
        ),
        "NOTIFICATION_OUTBOX_DIR": str(outbox),
        "ALERT_TEST_SEND_DELAY": "0.01",
        "DEBUG": "true",
    }
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    first = start_worker(env, "killed@%h")
    try:
        time.sleep(3)  # let it connect before the work arrives
        alerts.alert_approve(alert=alert, by=approver)  # autocommit: the fan-out is queued now

        assert wait_for(lambda: len(outbox_keys(outbox)) >= 40, timeout=60), "the first worker never started sending"
    finally:
        stop(first)  # SIGKILL, mid-fan-out
    killed_at = len(outbox_keys(outbox))
    unfinished = AlertDelivery.objects.filter(alert=alert, status__in=["queued", "sending"]).count()
    claimed = AlertDelivery.objects.filter(alert=alert, status="sending").count()
    rows_at_kill = AlertDelivery.objects.filter(alert=alert).count()
    print(f"at the kill: {killed_at} SMS out, {rows_at_kill} rows, {unfinished} unfinished, {claimed} claimed")
    assert killed_at < CITIZENS
    assert unfinished > 0 or rows_at_kill < 2 * CITIZENS, "the kill came too late to test anything"

    second = start_worker(env, "second@%h")
    try:

        def finished():
            sweep_alerts.delay()  # what beat does every 30 s
            return (
                EmergencyAlert.objects.get(pk=alert.pk).status == EmergencyAlert.Status.SENT
                and not AlertDelivery.objects.filter(alert=alert).exclude(status="sent").exists()
            )

        assert wait_for(finished, timeout=120, interval=1.0), "the second worker did not finish the fan-out"
    finally:
        stop(second, signal.SIGTERM)
        celery_app.conf.task_always_eager = True

    rows = Counter(AlertDelivery.objects.filter(alert=alert).values_list("channel", flat=True))
    assert rows == {"in_app": CITIZENS, "sms": CITIZENS}
    per_citizen = Counter(AlertDelivery.objects.filter(alert=alert).values_list("user_id", flat=True))
    assert set(per_citizen.values()) == {2}
    sent = Counter(outbox_keys(outbox))
    assert len(sent) == CITIZENS, f"{CITIZENS - len(sent)} citizens never got the SMS"
    assert max(sent.values()) == 1, f"sent twice: {[k for k, n in sent.items() if n > 1][:5]}"
    assert set(sent) == {f"alert-{alert.pk}-{u.pk}-sms" for u in users}
