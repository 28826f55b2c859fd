"""Emergency alerts: four eyes, bad input, targeting, languages, exactly-once fan-out, cancel, update."""

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.utils import timezone

from civicportal.accounts.models import Role
from civicportal.errors import Conflict, DomainError, NotAllowed
from civicportal.notifications import alerts, fanout
from civicportal.notifications.backends import BaseBackend
from civicportal.notifications.models import (
    AlertBroadcast,
    AlertChunk,
    AlertDelivery,
    AlertText,
    EmergencyAlert,
    SocialChannelAccount,
)
from civicportal.notifications.tasks_alerts import fan_out_alert, send_alert_chunk
from tests.factories import CitizenFactory, UserFactory, district
from tests.notifications.factories import alert_author, approved_alert, make_alert

pytestmark = pytest.mark.django_db
S = EmergencyAlert.Status
MAPO, GANGNAM = "11440", "11680"


def sms_outbox(settings):
    path = Path(settings.NOTIFICATION_OUTBOX_DIR) / "sms.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def nothing_sent(settings):
    return AlertDelivery.objects.count() == 0 and sms_outbox(settings) == []


def texter(username, code=MAPO, **profile):
    return CitizenFactory(
        username=username,
        profile__district=district(code),
        profile__consent_sms=True,
        profile__mobile=f"+82105555{abs(hash(username)) % 10000:04d}",
        **{f"profile__{k}": v for k, v in profile.items()},
    )


# --- Four eyes --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("approver", True), ("author", False), ("other_author", False), ("citizen", False), ("officer", False)],
)
def test_who_may_approve(persona, allowed, author, approver, settings, django_capture_on_commit_callbacks):
    users = {
        "approver": approver,
        "author": author,
        "other_author": alert_author("another_author"),
        "citizen": CitizenFactory(username="plain"),
        "officer": UserFactory(username="plain_officer", roles=[Role.OFFICER]),
    }
    alert = make_alert(author)
    alerts.alert_submit(alert=alert, by=author)
    if allowed:
        with django_capture_on_commit_callbacks(execute=True):
            alerts.alert_approve(alert=alert, by=users[persona])
        alert.refresh_from_db()
        assert alert.status == S.SENT
        assert alert.approver == approver
    else:
        with pytest.raises(NotAllowed):
            alerts.alert_approve(alert=alert, by=users[persona])
        alert.refresh_from_db()
        assert (alert.status, alert.approver) == (S.PENDING_APPROVAL, None)
        assert not AlertChunk.objects.exists()


def test_an_approver_who_wrote_the_alert_may_not_approve_it_alone(settings):
    both = UserFactory(username="both_roles", roles=[Role.ALERT_AUTHOR, Role.ALERT_APPROVER])
    texter("resident")
    alert = make_alert(both)
    alerts.alert_submit(alert=alert, by=both)
    with pytest.raises(NotAllowed):
        alerts.alert_approve(alert=alert, by=both)
    assert nothing_sent(settings)


def test_author_with_the_immediate_right_sends_without_a_second_person(
    author, settings, django_capture_on_commit_callbacks
):
    author.user_permissions.add(Permission.objects.get(codename="send_immediately"))
    author = type(author).objects.get(pk=author.pk)
    texter("resident")
    alert = make_alert(author)
    with django_capture_on_commit_callbacks(execute=True):
        alerts.alert_submit(alert=alert, by=author, immediately=True)
    alert.refresh_from_db()
    assert (alert.status, alert.approver) == (S.SENT, author)
    assert len(sms_outbox(settings)) == 1


def test_immediately_without_the_right_is_refused(author, settings):
    alert = make_alert(author)
    with pytest.raises(NotAllowed):
        alerts.alert_submit(alert=alert, by=author, immediately=True)
    alert.refresh_from_db()
    assert alert.status == S.DRAFT  # the whole submit rolled back
    assert nothing_sent(settings)


def test_only_alert_authors_write_alerts(settings):
    with pytest.raises(NotAllowed):
        make_alert(UserFactory(username="nobody", roles=[Role.OFFICER]))
    assert not EmergencyAlert.objects.exists()


# --- Bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"area_kind": ""}, "area_kind"),
        ({"area_kind": "districts", "districts": []}, "districts"),
        ({"area_kind": "circle", "circle_lat": 37.5, "circle_lon": 126.9, "radius_km": None}, "radius_km"),
        ({"area_kind": "circle", "circle_lat": 37.5, "circle_lon": 126.9, "radius_km": Decimal("-1")}, "radius_km"),
        ({"area_kind": "circle", "circle_lat": 37.5, "circle_lon": 126.9, "radius_km": 0}, "radius_km"),
        ({"expires": timezone.now() - timedelta(days=1)}, "expires"),
        ({"texts": {"ko": {"headline": "경보"}, "fr": {"headline": "Alerte"}}}, "language"),
        ({"texts": {"en": {"headline": "English only"}}}, "headline_ko"),
        ({"channels": []}, "channels"),
        ({"channels": ["carrier_pigeon"]}, "channels"),
        ({"severity": "Apocalyptic"}, "severity"),
    ],
)
def test_bad_alerts_are_refused_and_nothing_is_written(author, settings, overrides, field):
    texter("resident")
    with pytest.raises(DomainError) as error:
        make_alert(author, **overrides)
    assert error.value.field == field
    assert not EmergencyAlert.objects.exists()
    assert not AlertText.objects.exists()
    assert nothing_sent(settings)


def test_database_refuses_negative_radius_and_expiry_before_start(author):
    now = timezone.now()
    base = {
        "identifier": "x",
        "event": "e",
        "category": "Met",
        "severity": "Minor",
        "urgency": "Future",
        "certainty": "Likely",
        "author": author,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        EmergencyAlert.objects.create(
            **base, area_kind="circle", circle_lat=1, circle_lon=1, radius_km=-1, onset=now, expires=now + timedelta(1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        EmergencyAlert.objects.create(**base, area_kind="city", onset=now, expires=now - timedelta(hours=1))


def test_fan_out_of_a_cancelled_alert_sends_nothing(author, approver, settings):
    texter("resident")
    alert = make_alert(author)
    alerts.alert_submit(alert=alert, by=author)
    alerts.alert_approve(alert=alert, by=approver)  # fan-out not run: on_commit not executed
    alerts.alert_cancel(alert=alert, by=author)

    with pytest.raises(Conflict):
        fanout.start(alert.pk)
    assert fan_out_alert(alert.pk) == 0
    assert nothing_sent(settings)


def test_a_cancelled_alert_cannot_be_approved(author, approver, settings):
    alert = make_alert(author)
    alerts.alert_submit(alert=alert, by=author)
    alerts.alert_cancel(alert=alert, by=author)
    with pytest.raises(Conflict):
        alerts.alert_approve(alert=alert, by=approver)
    assert nothing_sent(settings)


# --- Targeting and languages -----------------------------------------------------------


def test_district_alert_reaches_the_district_only(author, approver, settings, django_capture_on_commit_callbacks):
    mapo = texter("mapo_resident", MAPO)
    texter("gangnam_resident", GANGNAM)
    with django_capture_on_commit_callbacks(execute=True):
        alert = approved_alert(author, approver, area_kind="districts", districts=[district(MAPO)])
    assert set(AlertDelivery.objects.values_list("user__username", "channel", "status")) == {
        ("mapo_resident", "in_app", "sent"),
        ("mapo_resident", "sms", "sent"),
    }
    assert [m["to"] for m in sms_outbox(settings)] == [mapo.profile.mobile]
    alert.refresh_from_db()
    assert (alert.status, alert.targeted_count) == (S.SENT, 1)


def test_circle_alert_reaches_homes_inside_the_circle(author, approver, settings, django_capture_on_commit_callbacks):
    # Centre: Seoul City Hall. 2 km is ~0.018 degrees of latitude.
    texter("inside", location_consent=True, home_lat=Decimal("37.5700"), home_lon=Decimal("126.9780"))
    texter("outside", location_consent=True, home_lat=Decimal("37.6000"), home_lon=Decimal("126.9780"))
    texter("no_location")
    with django_capture_on_commit_callbacks(execute=True):
        approved_alert(
            author,
            approver,
            area_kind="circle",
            circle_lat=Decimal("37.5663"),
            circle_lon=Decimal("126.9779"),
            radius_km=Decimal("2"),
        )
    assert set(AlertDelivery.objects.values_list("user__username", flat=True)) == {"inside"}


def test_each_citizen_gets_their_language_or_korean(author, approver, settings, django_capture_on_commit_callbacks):
    texter("english_reader", preferred_language="en")
    texter("mongolian_reader", preferred_language="mn")  # not offered in this alert: Korean
    with django_capture_on_commit_callbacks(execute=True):
        approved_alert(author, approver)
    titles = {m["to"]: m["title"] for m in sms_outbox(settings)}
    languages = dict(AlertDelivery.objects.filter(channel="sms").values_list("user__username", "language"))
    assert languages == {"english_reader": "en", "mongolian_reader": "ko"}
    assert sorted(titles.values()) == ["Heavy rain warning in Mapo-gu", "마포구 호우 경보"]


def test_consent_decides_the_outside_channels(author, approver, settings, django_capture_on_commit_callbacks):
    CitizenFactory(username="inbox_only", profile__consent_sms=False, profile__consent_push=False)
    with django_capture_on_commit_callbacks(execute=True):
        approved_alert(author, approver, channels=["in_app", "sms", "push"])
    assert list(AlertDelivery.objects.values_list("channel", flat=True)) == ["in_app"]


# --- Exactly once -------------------------------------------------------------------------


def test_approving_twice_fans_out_once(author, approver, settings, django_capture_on_commit_callbacks):
    texter("resident")
    alert = make_alert(author)
    alerts.alert_submit(alert=alert, by=author)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        alerts.alert_approve(alert=alert, by=approver)
        alerts.alert_approve(alert=alert, by=approver)
    assert len(callbacks) == 1
    assert len(sms_outbox(settings)) == 1


def test_chunk_and_fan_out_tasks_run_twice_send_once(author, approver, settings, django_capture_on_commit_callbacks):
    settings.ALERT_CHUNK_SIZE = 2
    settings.ALERT_SEND_BATCH = 1
    for i in range(5):
        texter(f"r{i}")
    with django_capture_on_commit_callbacks(execute=True):
        alert = approved_alert(author, approver)
    assert alert.chunks.count() == 3
    for chunk in alert.chunks.all():
        send_alert_chunk(chunk.pk)
    fan_out_alert(alert.pk)
    keys = [m["key"] for m in sms_outbox(settings)]
    assert len(keys) == 5 == len(set(keys))
    assert AlertDelivery.objects.filter(status="sent").count() == 10


def test_abandoned_claims_are_finished_without_sending_twice(
    author, approver, settings, django_capture_on_commit_callbacks
):
    """A worker killed after the backend took some of its batch: recovery asks the backend."""
    for i in range(4):
        texter(f"r{i}")
    alert = make_alert(author)
    alerts.alert_submit(alert=alert, by=author)
    alerts.alert_approve(alert=alert, by=approver)
    [chunk_id] = fanout.start(alert.pk)
    chunk = AlertChunk.objects.get(pk=chunk_id)
    # The dead task inserted the chunk's rows under its claim and got two SMS out before it died.
    dead = fanout.new_claim_token()
    fanout.insert_rows(alert, chunk, dead)
    rows = fanout._claimed_rows(alert, "sms", chunk.first_user_id, chunk.last_user_id, dead)
    messages = fanout.alert_messages(alert, {t.language: t for t in alert.texts.all()})
    fanout._send(alert, "sms", fanout.get_backend("sms"), messages, rows[:2])
    assert len(sms_outbox(settings)) == 2

    fanout.run_chunk(chunk_id)  # the task again (acks_late), within the dead task's lease: hands off
    assert len(sms_outbox(settings)) == 2
    assert AlertDelivery.objects.filter(status="sending", claim_token=dead).count() == 4
    chunk.refresh_from_db()
    assert chunk.retry_at is not None  # the sweep comes back when the lease runs out

    AlertDelivery.objects.filter(status="sending").update(claimed_at=timezone.now() - timedelta(hours=1))
    fanout.retry_chunk(chunk_id)

    keys = [m["key"] for m in sms_outbox(settings)]
    assert len(keys) == 4 == len(set(keys))
    assert set(AlertDelivery.objects.values_list("status", flat=True)) == {"sent"}
    chunk.refresh_from_db()
    assert (chunk.retry_at, chunk.counts) == (None, {"in_app": {"sent": 4}, "sms": {"sent": 4}})


def test_two_tasks_recovering_the_same_abandoned_claims_send_once(author, approver, settings):
    for i in range(3):
        texter(f"r{i}")
    alert = make_alert(author)
    alerts.alert_submit(alert=alert, by=author)
    alerts.alert_approve(alert=alert, by=approver)
    [chunk_id] = fanout.start(alert.pk)
    chunk = AlertChunk.objects.get(pk=chunk_id)
    fanout.insert_rows(alert, chunk, fanout.new_claim_token())  # then the task died
    AlertDelivery.objects.filter(status="sending").update(claimed_at=timezone.now() - timedelta(hours=1))
    messages = fanout.alert_messages(alert, {t.language: t for t in alert.texts.all()})

    first = fanout.recover_abandoned(alert, "sms", chunk.first_user_id, chunk.last_user_id, messages)
    second = fanout.recover_abandoned(alert, "sms", chunk.first_user_id, chunk.last_user_id, messages)

    assert (first, second) == (3, 0)
    assert len(sms_outbox(settings)) == 3
    assert set(AlertDelivery.objects.filter(channel="sms").values_list("status", flat=True)) == {"sent"}


# --- Cancel, update, social ------------------------------------------------------------------


def test_cancel_stops_what_has_not_been_sent(author, approver, settings, django_capture_on_commit_callbacks):
    settings.ALERT_CHUNK_SIZE = 2
    for i in range(4):
        texter(f"r{i}")
    alert = make_alert(author)
    alerts.alert_submit(alert=alert, by=author)
    alerts.alert_approve(alert=alert, by=approver)
    first, second = fanout.start(alert.pk)
    fanout.run_chunk(first)
    # The second chunk's task wrote its rows (the inbox rows are delivered by being written,
    # the SMS rows claimed) and died before sending.
    fanout.insert_rows(alert, AlertChunk.objects.get(pk=second))
    AlertDelivery.objects.filter(status="sending").update(claimed_at=timezone.now() - timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        alerts.alert_cancel(alert=alert, by=approver)
    fanout.run_chunk(second)

    assert len(sms_outbox(settings)) == 2
    assert list(AlertDelivery.objects.filter(status="cancelled").values_list("channel", flat=True)) == ["sms", "sms"]
    assert AlertDelivery.objects.filter(status="sent").count() == 6
    alert.refresh_from_db()
    assert alert.status == S.CANCELLED
    assert fanout.progress(alert)["channels"][1] | {"label": ""} == {
        "channel": "sms",
        "label": "",
        "total": 4,
        "sent": 2,
        "failed": 0,
        "pending": 0,
        "cancelled": 2,
    }


def test_a_cancel_stops_a_sender_before_its_next_batch(author, approver, settings):
    settings.ALERT_SEND_BATCH = 1
    for i in range(3):
        texter(f"r{i}")
    alert = make_alert(author)
    alerts.alert_submit(alert=alert, by=author)
    alerts.alert_approve(alert=alert, by=approver)
    [chunk_id] = fanout.start(alert.pk)
    chunk = AlertChunk.objects.get(pk=chunk_id)
    token = fanout.new_claim_token()
    fanout.insert_rows(alert, chunk, token)
    rows = fanout._claimed_rows(alert, "sms", chunk.first_user_id, chunk.last_user_id, token)
    messages = fanout.alert_messages(alert, {t.language: t for t in alert.texts.all()})
    fanout.send_claimed(alert, "sms", rows[:1], token, messages)

    alerts.alert_cancel(alert=alert, by=approver)
    fanout.send_claimed(alert, "sms", rows[1:], token, messages)

    assert len(sms_outbox(settings)) == 1
    statuses = AlertDelivery.objects.filter(channel="sms").order_by("user_id").values_list("status", flat=True)
    assert list(statuses) == ["sent", "cancelled", "cancelled"]


def test_update_goes_to_the_same_people(author, approver, settings, django_capture_on_commit_callbacks):
    texter("original_recipient", MAPO)
    with django_capture_on_commit_callbacks(execute=True):
        original = approved_alert(author, approver, area_kind="districts", districts=[district(MAPO)])
    texter("moved_in_later", MAPO)  # joined after the alert: not a recipient of the all-clear

    with django_capture_on_commit_callbacks(execute=True):
        update = approved_alert(
            author,
            approver,
            msg_type="Cancel",
            references=original,
            texts={"ko": {"headline": "호우 경보 해제", "instruction": "안전합니다"}},
        )
    recipients = set(AlertDelivery.objects.filter(alert=update).values_list("user__username", flat=True))
    assert recipients == {"original_recipient"}
    assert update.references == original


def test_an_update_of_a_draft_is_refused(author, settings):
    draft = make_alert(author)
    with pytest.raises(DomainError):
        make_alert(author, msg_type="Update", references=draft)
    assert EmergencyAlert.objects.count() == 1


def test_each_social_account_gets_one_broadcast(author, approver, settings, django_capture_on_commit_callbacks):
    SocialChannelAccount.objects.create(name="X", platform="X", handle="@seoul")
    SocialChannelAccount.objects.create(name="Kakao", platform="KakaoTalk", handle="seoul")
    SocialChannelAccount.objects.create(name="Old", platform="X", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        alert = approved_alert(author, approver, channels=["in_app", "social"])
    fanout.broadcast_social(alert.pk)  # a repeat
    path = Path(settings.NOTIFICATION_OUTBOX_DIR) / "social.jsonl"
    posts = [json.loads(x)["to"] for x in path.read_text().splitlines()]
    assert sorted(posts) == ["@seoul", "seoul"]
    assert set(AlertBroadcast.objects.values_list("status", flat=True)) == {"sent"}


def test_progress_counts_per_channel(author, approver, settings, django_capture_on_commit_callbacks):
    texter("a")
    CitizenFactory(username="b")
    with django_capture_on_commit_callbacks(execute=True):
        alert = approved_alert(author, approver)
    alert.refresh_from_db()
    p = fanout.progress(alert)
    assert p["targeted"] == 2
    assert p["percent"] == 100
    assert [(c["channel"], c["total"], c["sent"], c["failed"]) for c in p["channels"]] == [
        ("in_app", 2, 2, 0),
        ("sms", 1, 1, 0),
    ]


def test_an_update_of_a_circle_alert_keeps_its_area(author, approver, django_capture_on_commit_callbacks):
    texter("inside", location_consent=True, home_lat=Decimal("37.5700"), home_lon=Decimal("126.9780"))
    circle = {"area_kind": "circle", "circle_lat": Decimal("37.5663"), "circle_lon": Decimal("126.9779")}
    with django_capture_on_commit_callbacks(execute=True):
        original = approved_alert(author, approver, radius_km=Decimal("2"), **circle)
        update = approved_alert(author, approver, msg_type="Update", references=original)
    assert (update.area_kind, update.radius_km) == ("circle", Decimal("2.000"))
    assert list(AlertDelivery.objects.filter(alert=update).values_list("user__username", flat=True).distinct()) == [
        "inside"
    ]


class BusyGateway(BaseBackend):
    calls = 0

    def send_many(self, messages):
        from civicportal.notifications.backends import DeliveryError

        BusyGateway.calls += 1
        return {m["idempotency_key"]: DeliveryError("busy") for m in messages}


def test_temporary_sms_failures_of_an_alert_are_retried_by_the_sweep(
    author, approver, settings, django_capture_on_commit_callbacks
):
    import time_machine

    from civicportal.notifications.tasks_alerts import sweep_alerts

    texter("resident")
    settings.SMS_BACKEND = "tests.notifications.test_alerts.BusyGateway"
    with django_capture_on_commit_callbacks(execute=True):
        alert = approved_alert(author, approver)
    row = AlertDelivery.objects.get(channel="sms")
    assert (row.status, row.attempts, row.last_error) == ("queued", 1, "busy")
    assert row.next_attempt_at > timezone.now()

    settings.SMS_BACKEND = "civicportal.notifications.backends.ConsoleSMSBackend"
    sweep_alerts()  # not due yet
    assert sms_outbox(settings) == []
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        sweep_alerts()
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(sms_outbox(settings)) == 1
    alert.refresh_from_db()
    assert alert.status == S.SENT


def test_admin_lists_failed_alert_deliveries_and_retries_them(
    author, approver, settings, admin_client, django_capture_on_commit_callbacks
):
    texter("resident")
    settings.SMS_BACKEND = "tests.notifications.test_notify.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        approved_alert(author, approver)
    row = AlertDelivery.objects.get(channel="sms")
    assert row.status == "failed"
    page = admin_client.get("/admin/notifications/alertdelivery/?status__exact=failed")
    assert page.status_code == 200
    assert str(row.user) in page.content.decode()

    settings.SMS_BACKEND = "civicportal.notifications.backends.ConsoleSMSBackend"
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/notifications/alertdelivery/", {"action": "retry_now", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.status == "sent"
    assert len(sms_outbox(settings)) == 1


@pytest.mark.parametrize(
    "model",
    [
        "emergencyalert",
        "alertdelivery",
        "alertbroadcast",
        "alertchunk",
        "alertevent",
        "socialchannelaccount",
        "delivery",
        "notification",
    ],
)
def test_admin_pages_load(model, admin_client, author, approver, django_capture_on_commit_callbacks):
    texter("resident")
    with django_capture_on_commit_callbacks(execute=True):
        alert = approved_alert(author, approver)
    assert admin_client.get(f"/admin/notifications/{model}/").status_code == 200
    assert admin_client.get(f"/admin/notifications/emergencyalert/{alert.pk}/change/").status_code == 200


def test_a_fan_out_whose_task_was_lost_is_queued_again_by_the_sweep(author, approver, settings):
    import time_machine

    from civicportal.notifications.tasks_alerts import sweep_alerts

    texter("resident")
    alert = approved_alert(author, approver)  # the on-commit fan-out never runs: its message is lost
    assert alert.status == S.SENDING
    sweep_alerts()  # within the grace period: the task may still be on its way
    assert not AlertDelivery.objects.exists()
    alert.refresh_from_db()
    assert alert.status == S.SENDING  # not "sent" to nobody
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        sweep_alerts()
        sweep_alerts()  # a second sweep finds the alert started and queues nothing more
    assert sorted(AlertDelivery.objects.values_list("channel", "status")) == [("in_app", "sent"), ("sms", "sent")]
    assert len(sms_outbox(settings)) == 1
    alert.refresh_from_db()
    assert alert.status == S.SENT


def test_a_chunk_whose_task_was_lost_is_queued_again_within_a_minute(author, approver, settings):
    """The broker lost the chunk's message before any worker took it: nothing was claimed, so
    the sweep queues it again after a minute, not after a claim's whole lease."""
    import time_machine

    from civicportal.notifications import fanout
    from civicportal.notifications.tasks_alerts import sweep_alerts

    settings.ALERT_SEND_LEASE_SECONDS = 600
    texter("resident")
    alert = approved_alert(author, approver)  # the on-commit fan-out never runs
    [chunk_id] = fanout.start(alert.pk)  # split, but the chunk's own message is lost
    sweep_alerts()
    assert not AlertDelivery.objects.exists()
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert fanout.stale_chunk_ids() == [chunk_id]
        sweep_alerts()
    assert sorted(AlertDelivery.objects.values_list("channel", "status")) == [("in_app", "sent"), ("sms", "sent")]
    assert len(sms_outbox(settings)) == 1
