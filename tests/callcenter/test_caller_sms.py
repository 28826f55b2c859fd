"""A caller without an account is reached by text message, under the consent recorded on the
120 contact: the tracking number and access code, the callback, the survey. No consent, no
text, and the contact's history says why."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from callcenter.models import Contact, ContactEvent
from civicportal.notifications import services as notification_services
from civicportal.notifications.models import Delivery, Notification
from complaints.models import Case
from tests.callcenter.factories import ContactFactory

pytestmark = pytest.mark.django_db
PHONE = "+821023456789"


def outbox():
    path = Path(settings.NOTIFICATION_OUTBOX_DIR) / "sms.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def bare_caller(counsellor):
    """An open voice contact from a number that belongs to no account."""
    return ContactFactory(counsellor=counsellor, caller=None, caller_phone=PHONE)


def turn_into_case(client, contact, **extra):
    data = {"case-title": "가로등 고장", "case-kind": "complaint", "case-location_text": "망원동 골목", **extra}
    return client.post(reverse("callcenter:contact_case", args=[contact.pk]), data, follow=True)


def test_a_caller_who_agrees_gets_the_tracking_number_and_code_by_text(
    client, counsellor, bare_caller, coordination_desk, django_capture_on_commit_callbacks
):
    client.force_login(counsellor)

    with django_capture_on_commit_callbacks(execute=True):
        response = turn_into_case(client, bare_caller, **{"case-sms_consent": "yes"})

    case = Case.objects.get()
    page = response.content.decode()
    assert case.access_code_display in page  # for the counsellor to read out
    [sms] = outbox()
    assert sms["to"] == PHONE
    assert case.tracking_number in sms["text"] and case.access_code_display in sms["text"]
    assert "/complaints/track/?number=" in sms["text"]
    delivery = Delivery.objects.get(notification__phone=PHONE)
    assert (delivery.channel, delivery.status, delivery.attempts) == ("sms", "sent", 1)
    assert delivery.notification.recipient is None and delivery.notification.in_inbox is False
    bare_caller.refresh_from_db()
    assert bare_caller.sms_consent is True and bare_caller.sms_consent_at is not None
    kinds = list(bare_caller.events.values_list("kind", flat=True))
    assert ContactEvent.Kind.SMS_CONSENT in kinds and ContactEvent.Kind.SMS_SENT in kinds
    # When the caller calls again, the counsellor can read the code out once more.
    again = client.get(reverse("callcenter:contact_detail", args=[bare_caller.pk])).content.decode()
    assert f'id="case-access-code">{case.access_code_display}<' in again


@pytest.mark.parametrize(("answer", "reason"), [("no", "refused"), ("", "not_asked")])
def test_no_consent_no_text_and_the_history_says_why(
    client, counsellor, bare_caller, coordination_desk, django_capture_on_commit_callbacks, answer, reason
):
    client.force_login(counsellor)

    with django_capture_on_commit_callbacks(execute=True):
        response = turn_into_case(client, bare_caller, **{"case-sms_consent": answer})

    assert response.status_code == 200
    assert outbox() == []
    assert not Notification.objects.filter(phone=PHONE).exists() and not Delivery.objects.exists()
    refusal = bare_caller.events.get(kind=ContactEvent.Kind.SMS_NOT_SENT)
    assert refusal.data == {"purpose": "case_filed", "reason": reason}
    page = client.get(reverse("callcenter:contact_detail", args=[bare_caller.pk])).content.decode()
    assert refusal.note in page
    # The counsellor still has the code to read out.
    assert Case.objects.get().access_code_display in response.content.decode()


def test_the_caller_can_choose_to_publish_the_case_text(client, counsellor, bare_caller, coordination_desk):
    client.force_login(counsellor)

    turn_into_case(client, bare_caller, **{"case-text_is_public": "on"})
    turn_into_case(client, ContactFactory(counsellor=counsellor, caller=None))

    assert sorted(Case.objects.values_list("text_is_public", flat=True)) == [False, True]


def test_consent_recorded_when_the_call_is_logged_is_used_later(
    api_as, counsellor, coordination_desk, django_capture_on_commit_callbacks
):
    client = api_as(counsellor)
    logged = client.post(
        "/api/v1/callcenter/contacts/",
        {"channel": "voice", "caller_phone": "010-2345-6789", "question": "가로등이 꺼졌어요", "sms_consent": True},
    )
    assert logged.status_code == 201, logged.json()
    pk = logged.json()["id"]

    with django_capture_on_commit_callbacks(execute=True):
        filed = client.post(f"/api/v1/callcenter/contacts/{pk}/case/", {"title": "가로등 고장"})

    assert filed.status_code == 200, filed.json()
    code = filed.json()["case_access_code"]
    assert code == Case.objects.get().access_code_display
    assert [sms["to"] for sms in outbox()] == [PHONE] and code in outbox()[0]["text"]


def test_consent_without_a_number_is_refused_and_nothing_written(api_as, counsellor):
    response = api_as(counsellor).post(
        "/api/v1/callcenter/contacts/", {"channel": "voice", "question": "질문", "sms_consent": True}
    )

    assert response.status_code == 400 and response.json()["fields"]["caller_phone"]
    assert Contact.objects.count() == 0


def test_a_callback_is_announced_by_text_under_consent(client, counsellor, django_capture_on_commit_callbacks):
    agreed = ContactFactory(counsellor=counsellor, caller=None, caller_phone=PHONE, sms_consent=True)
    refused = ContactFactory(counsellor=counsellor, caller=None, caller_phone="+821098765432", sms_consent=False)
    client.force_login(counsellor)

    with django_capture_on_commit_callbacks(execute=True):
        for contact in (agreed, refused):
            client.post(reverse("callcenter:contact_close", args=[contact.pk]), {"close-outcome": "callback"})

    assert [sms["to"] for sms in outbox()] == [PHONE]
    assert "call you back" in outbox()[0]["text"]
    assert refused.events.filter(kind=ContactEvent.Kind.SMS_NOT_SENT).exists()


def test_the_survey_reaches_a_caller_without_an_account_who_answers_from_the_link(
    client, counsellor, django_capture_on_commit_callbacks
):
    contact = ContactFactory(counsellor=counsellor, caller=None, caller_phone=PHONE, sms_consent=True)
    client.force_login(counsellor)
    client.post(reverse("callcenter:contact_close", args=[contact.pk]), {"close-outcome": "answered"})

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("callcenter:survey_send", args=[contact.pk]))

    assert sent.status_code == 302
    [sms] = outbox()
    link = sms["text"].split(settings.SITE_URL, 1)[1].split()[0]
    client.logout()
    assert client.get(link).status_code == 200
    answered = client.post(link, {"satisfaction": "4", "comment": "친절했어요"})
    again = client.post(link, {"satisfaction": "1"})
    forged = client.get(link[:-3] + "abc/")

    assert answered.status_code == 200 and "Thank you" in answered.content.decode()
    assert again.status_code == 409
    assert forged.status_code == 404
    contact.refresh_from_db()
    assert (contact.satisfaction, contact.satisfaction_comment) == (4, "친절했어요")


def test_the_survey_is_refused_without_consent_and_nothing_is_sent(client, counsellor):
    contact = ContactFactory(counsellor=counsellor, caller=None, caller_phone=PHONE)
    client.force_login(counsellor)
    client.post(reverse("callcenter:contact_close", args=[contact.pk]), {"close-outcome": "answered"})

    response = client.post(reverse("callcenter:survey_send", args=[contact.pk]))

    assert response.status_code == 400 and "not asked" in response.content.decode()
    contact.refresh_from_db()
    assert contact.survey_sent_at is None and not Notification.objects.exists()


def test_a_failing_gateway_retries_a_bare_number_like_any_delivery(settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "civicportal.notifications.backends.HTTPSMSBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/unreachable"

    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_services.notify_phone(phone=PHONE, kind="test", title="안내", body="본문")

    delivery = notification.deliveries.get()
    assert (delivery.status, delivery.attempts) == ("queued", 1)
    assert delivery.next_attempt_at is not None and "unreachable" in delivery.last_error
    assert notification_services.deliver(delivery.pk) == "not-claimed"  # not due yet: no double send


def test_a_bare_number_must_be_international(db):
    with pytest.raises(notification_services.DomainError):
        notification_services.notify_phone(phone="010-2345-6789", kind="test", title="x")
    assert not Notification.objects.exists()


def test_consent_for_a_contact_without_a_number_is_refused_and_no_case_is_filed(client, counsellor, coordination_desk):
    contact = ContactFactory(counsellor=counsellor, caller=None, caller_phone="")
    client.force_login(counsellor)

    response = turn_into_case(client, contact, **{"case-sms_consent": "yes"})

    assert response.status_code == 400 and "phone number" in response.content.decode()
    contact.refresh_from_db()
    assert (contact.status, contact.case_tracking_number, contact.sms_consent) == ("open", "", None)
    assert Case.objects.count() == 0 and contact.events.count() == 0
