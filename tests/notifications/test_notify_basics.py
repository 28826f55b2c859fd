"""notify(): the inbox and email, under the citizen's consents; the inbox pages and API."""

import pytest
from django.urls import reverse

from civicportal.notifications.models import Delivery, Notification
from civicportal.notifications.services import notify
from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db


def test_notify_records_the_inbox_and_sends_email_after_commit(citizen, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = notify([citizen], "test.hello", "Your case was answered", "Body text", link="/complaints/1/")
    assert len(created) == 1
    note = Notification.objects.get(recipient=citizen)
    assert note.in_inbox is True
    assert [(d.channel, d.status) for d in note.deliveries.all()] == [("email", "sent")]
    assert [m.subject for m in mailoutbox] == ["Your case was answered"]
    assert mailoutbox[0].to == [citizen.email]


def test_nothing_is_sent_when_the_transaction_rolls_back(citizen, mailoutbox, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notify([citizen], "test.hello", "Never sent")
                raise RuntimeError("the service failed after notifying")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_no_email_without_email_consent(mailoutbox, django_capture_on_commit_callbacks):
    citizen = CitizenFactory(username="quiet", profile__consent_email=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify([citizen], "test.hello", "Inbox only")
    assert mailoutbox == []
    assert Delivery.objects.count() == 0
    assert Notification.objects.inbox_of(citizen).count() == 1


def test_without_in_app_consent_the_inbox_stays_empty_unless_urgent(django_capture_on_commit_callbacks):
    citizen = CitizenFactory(username="noinbox", profile__consent_in_app=False, profile__consent_email=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify([citizen], "test.hello", "Not shown")
        notify([citizen], "test.alert", "Shown anyway", urgent=True)
    assert list(Notification.objects.inbox_of(citizen).values_list("title", flat=True)) == ["Shown anyway"]


def test_sms_goes_to_the_console_backend_when_consented(settings, django_capture_on_commit_callbacks, tmp_path):
    import json

    citizen = CitizenFactory(username="sms", profile__consent_sms=True, profile__mobile="+821012345678")
    with django_capture_on_commit_callbacks(execute=True):
        notify([citizen], "test.hello", "By SMS", "짧은 메시지")
    lines = (tmp_path / "outbox" / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["to"] for line in lines] == ["+821012345678"]


def test_a_delivery_is_sent_once_even_if_the_task_runs_twice(citizen, mailoutbox, django_capture_on_commit_callbacks):
    from civicportal.notifications.tasks import deliver_notifications

    with django_capture_on_commit_callbacks(execute=True):
        notify([citizen], "test.hello", "Once")
    deliver_notifications([Notification.objects.get().pk])
    assert len(mailoutbox) == 1


def test_inbox_page_bell_and_mark_read(client, citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify([citizen], "test.hello", "첫 알림")
        notify([citizen], "test.hello", "두번째 알림")
    client.force_login(citizen)
    page = client.get(reverse("notifications:inbox"))
    assert page.status_code == 200
    assert page.context["unread_notifications"] == 2
    assert "첫 알림" in page.content.decode()
    first = Notification.objects.filter(title="첫 알림").get()
    client.post(reverse("notifications:mark_read", args=[first.pk]))
    assert client.get("/").context["unread_notifications"] == 1
    client.post(reverse("notifications:mark_all_read"))
    assert client.get("/").context["unread_notifications"] == 0


def test_a_citizen_cannot_mark_another_citizens_notification(client, citizen, other_citizen):
    note = notify([other_citizen], "test.hello", "Private")[0]
    client.force_login(citizen)
    client.post(reverse("notifications:mark_read", args=[note.pk]))
    note.refresh_from_db()
    assert note.read_at is None


def test_inbox_api_lists_only_mine_with_unread_count(api_as, citizen, other_citizen):
    notify([citizen], "test.hello", "Mine")
    notify([other_citizen], "test.hello", "Theirs")
    client = api_as(citizen)
    body = client.get("/api/v1/notifications/").json()
    assert [n["title"] for n in body["results"]] == ["Mine"]
    assert client.get("/api/v1/notifications/unread_count/").json()["unread"] == 1
    theirs = Notification.objects.get(title="Theirs")
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    mine = Notification.objects.get(title="Mine")
    assert client.post(f"/api/v1/notifications/{mine.pk}/read/").json() == {"marked": 1}
    assert client.get("/api/v1/notifications/unread_count/").json()["unread"] == 0
