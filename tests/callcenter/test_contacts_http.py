"""Counsellor console and contact pages through HTTP: every flow, every bad input."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from callcenter.models import Contact, ContactEvent, ContactImage
from civicportal.notifications.models import Notification
from tests.callcenter.conftest import image_bytes
from tests.callcenter.factories import ClosedContactFactory, ContactFactory, TopicFactory
from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db

CONSOLE = reverse("callcenter:console")


def local(when):
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M:%S")


def log_data(**overrides):
    start = timezone.now() - dt.timedelta(minutes=4)
    data = {
        "channel": "voice",
        "language": "ko",
        "caller_phone": "010-2345-6789",
        "question": "쓰레기 수거일이 언제인가요?",
        "answer": "화요일과 금요일입니다.",
        "started_at": local(start),
        "ended_at": local(start + dt.timedelta(minutes=3)),
        "outcome": "answered",
    }
    data.update(overrides)
    return data


def test_console_logs_an_answered_voice_contact(client, counsellor):
    topic = TopicFactory()
    client.force_login(counsellor)
    response = client.post(CONSOLE, log_data(topic=topic.pk))
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("callcenter:contact_detail", args=[contact.pk])
    assert (contact.channel, contact.status, contact.outcome) == ("voice", "closed", "answered")
    assert contact.caller_phone == "+821023456789"
    assert contact.caller is None
    assert contact.duration_seconds == 180
    assert contact.counsellor == counsellor
    assert list(contact.events.values_list("kind", flat=True)) == ["logged", "closed"]


def test_console_links_a_known_citizen_by_phone(client, counsellor):
    citizen = CitizenFactory(username="known", profile__mobile="+821098765432")
    client.force_login(counsellor)
    client.post(CONSOLE, log_data(caller_phone="010-9876-5432"))
    assert Contact.objects.get().caller == citizen


def test_caller_lookup_shows_known_citizen_and_recent_contacts(client, counsellor):
    CitizenFactory(username="known", full_name="박전화", profile__mobile="+821098765432")
    ClosedContactFactory(caller_phone="+821098765432", question="지난번 질문")
    client.force_login(counsellor)
    response = client.get(reverse("callcenter:caller_lookup"), {"caller_phone": "010-9876-5432"})
    assert response.status_code == 200
    assert "박전화" in response.content.decode()
    assert "지난번 질문" in response.content.decode()


def test_console_keeps_contact_open_without_outcome(client, counsellor):
    client.force_login(counsellor)
    client.post(CONSOLE, log_data(outcome="", ended_at=""))
    contact = Contact.objects.get()
    assert contact.status == "open"
    assert contact.ended_at is None


def test_sms_contact_with_image_is_stored_without_exif(client, counsellor):
    client.force_login(counsellor)
    upload = SimpleUploadedFile("p.jpg", image_bytes(), content_type="image/jpeg")
    response = client.post(CONSOLE, log_data(channel="sms_mms", message_text="사진 보냅니다", images=upload))
    assert response.status_code == 302
    stored = ContactImage.objects.get()
    with Image.open(stored.image.path) as image:
        assert image.getexif() == {}
        assert image.size == (40, 30)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"channel": ""}, "Choose the channel"),
        ({"ended_at": "2020-01-01T00:00:00"}, "end time is before the start"),
        ({"language": "fr"}, "does not offer counselling in this language"),
        ({"channel": "sms_mms", "message_text": "가" * 1001}, "at most 1000 characters"),
        ({"outcome": "transferred"}, "Choose the department"),
        ({"caller_phone": "12"}, "valid phone number"),
    ],
    ids=["no-channel", "end-before-start", "unsupported-language", "text-over-1000", "transfer-without-dept", "phone"],
)
def test_console_bad_input_is_refused_and_nothing_written(client, counsellor, overrides, message):
    client.force_login(counsellor)
    response = client.post(CONSOLE, log_data(**overrides))
    assert response.status_code == 400
    assert message.lower() in response.content.decode().lower().replace(",", "")
    assert Contact.objects.count() == 0
    assert ContactEvent.objects.count() == 0


def test_not_an_image_is_refused_and_nothing_written(client, counsellor, fake_image_upload):
    client.force_login(counsellor)
    response = client.post(CONSOLE, log_data(channel="sms_mms", message_text="사진", images=fake_image_upload))
    assert response.status_code == 400
    assert "is not an image" in response.content.decode()
    assert Contact.objects.count() == 0
    assert ContactImage.objects.count() == 0


def test_close_an_open_contact_as_transferred(client, counsellor, department):
    contact = ContactFactory(counsellor=counsellor)
    client.force_login(counsellor)
    response = client.post(
        reverse("callcenter:contact_close", args=[contact.pk]),
        {"close-outcome": "transferred", "close-transferred_to": department.pk},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.status, contact.outcome, contact.transferred_to) == ("closed", "transferred", department)
    assert contact.duration_seconds >= 300


def test_counsellor_cannot_edit_another_counsellors_closed_record(client, counsellor, other_counsellor):
    contact = ClosedContactFactory(counsellor=other_counsellor)
    client.force_login(counsellor)
    response = client.post(reverse("callcenter:contact_close", args=[contact.pk]), {"close-outcome": "callback"})
    assert response.status_code == 409
    contact.refresh_from_db()
    assert contact.outcome == "answered"
    assert contact.events.count() == 0


def test_counsellor_cannot_close_another_counsellors_open_contact(client, counsellor, other_counsellor):
    contact = ContactFactory(counsellor=other_counsellor)
    client.force_login(counsellor)
    response = client.post(reverse("callcenter:contact_close", args=[contact.pk]), {"close-outcome": "answered"})
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.status == "open"
    assert contact.events.count() == 0


def test_correction_of_a_closed_record_is_a_new_event(client, counsellor, other_counsellor):
    contact = ClosedContactFactory(counsellor=other_counsellor, answer="원래 답변")
    client.force_login(counsellor)
    response = client.post(
        reverse("callcenter:contact_correct", args=[contact.pk]),
        {"correct-note": "답변 정정", "correct-answer": "정정된 답변"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.answer == "원래 답변"
    event = contact.events.get()
    assert (event.kind, event.actor, event.note) == ("corrected", counsellor, "답변 정정")
    assert event.data == {"corrections": {"answer": "정정된 답변"}}


def test_correction_without_note_is_refused(client, counsellor):
    contact = ClosedContactFactory(counsellor=counsellor)
    client.force_login(counsellor)
    response = client.post(reverse("callcenter:contact_correct", args=[contact.pk]), {"correct-note": ""})
    assert response.status_code == 400
    assert contact.events.count() == 0


def test_turn_into_case_links_both_ways_and_tells_the_caller(client, counsellor, citizen, fake_case_file):
    contact = ContactFactory(counsellor=counsellor, caller=citizen, caller_phone="+821011112222")
    client.force_login(counsellor)
    response = client.post(
        reverse("callcenter:contact_case", args=[contact.pk]),
        {"case-title": "불법 주차", "case-text": "", "case-kind": "complaint"},
        follow=True,
    )
    contact.refresh_from_db()
    assert contact.case_tracking_number == "2026-120-" + contact.case_tracking_number.split("-")[-1]
    assert contact.case_id is not None
    assert (contact.status, contact.outcome) == ("closed", "case")
    assert contact.case_tracking_number in response.content.decode()
    call = fake_case_file.calls[0]
    assert call["citizen"] == citizen
    assert call["channel"] == "120"
    assert call["filed_by"] == counsellor
    assert call["source_url"].endswith(f"/callcenter/contacts/{contact.pk}/")
    assert call["text"] == contact.question
    note = Notification.objects.get(recipient=citizen)
    assert contact.case_tracking_number in note.title


def test_turn_into_case_twice_is_refused(client, counsellor, fake_case_file):
    contact = ContactFactory(counsellor=counsellor)
    client.force_login(counsellor)
    url = reverse("callcenter:contact_case", args=[contact.pk])
    client.post(url, {"case-title": "t", "case-kind": "complaint"})
    response = client.post(url, {"case-title": "t", "case-kind": "complaint"})
    assert response.status_code == 409
    assert len(fake_case_file.calls) == 1


def test_case_filing_failure_writes_nothing(client, counsellor, monkeypatch):
    def broken(**kwargs):
        from civicportal.errors import DomainError

        raise DomainError("The case service refused.")

    monkeypatch.setattr("callcenter.case_link._case_file", broken)
    contact = ContactFactory(counsellor=counsellor)
    client.force_login(counsellor)
    response = client.post(
        reverse("callcenter:contact_case", args=[contact.pk]), {"case-title": "t", "case-kind": "complaint"}
    )
    assert response.status_code == 400
    contact.refresh_from_db()
    assert (contact.status, contact.case_tracking_number) == ("open", "")
    assert contact.events.count() == 0


def test_turn_into_case_with_the_callers_place_gives_the_case_its_district(
    client, counsellor, citizen, coordination_desk
):
    from complaints.models import Case

    contact = ContactFactory(counsellor=counsellor, caller=citizen)
    client.force_login(counsellor)
    page = client.get(reverse("callcenter:contact_detail", args=[contact.pk])).content.decode()
    assert 'data-lat="id_case-lat" data-lon="id_case-lon"' in page
    response = client.post(
        reverse("callcenter:contact_case", args=[contact.pk]),
        {
            "case-title": "가로등 고장",
            "case-kind": "complaint",
            "case-location_text": "망원동 골목",
            "case-lat": "37.5563",
            "case-lon": "126.9019",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(title="가로등 고장")
    assert (case.location_text, case.lat, case.lon) == ("망원동 골목", Decimal("37.556300"), Decimal("126.901900"))
    assert case.district.code == "11440"  # Mapo-gu


@pytest.mark.parametrize("position", [{"case-lat": "37.5563"}, {"case-lat": "north", "case-lon": "126.9"}])
def test_turn_into_case_with_a_bad_position_is_refused_and_nothing_written(
    client, counsellor, citizen, coordination_desk, position
):
    from complaints.models import Case

    contact = ContactFactory(counsellor=counsellor, caller=citizen)
    client.force_login(counsellor)
    response = client.post(
        reverse("callcenter:contact_case", args=[contact.pk]),
        {"case-title": "가로등 고장", "case-kind": "complaint", **position},
    )
    assert response.status_code == 400
    assert not Case.objects.exists()
    contact.refresh_from_db()
    assert (contact.status, contact.case_tracking_number) == ("open", "")


def test_callback_queue_claim_and_complete(client, counsellor, other_counsellor):
    contact = ClosedContactFactory(
        counsellor=counsellor, outcome="callback", callback_due_at=timezone.now() + dt.timedelta(hours=1)
    )
    client.force_login(counsellor)
    queue = client.get(reverse("callcenter:callbacks"))
    detail = reverse("callcenter:contact_detail", args=[contact.pk])
    assert detail in queue.content.decode()
    assert client.post(reverse("callcenter:callback_claim", args=[contact.pk])).status_code == 302
    client.force_login(other_counsellor)
    second = client.post(reverse("callcenter:callback_claim", args=[contact.pk]))
    assert second.status_code == 409
    contact.refresh_from_db()
    assert contact.callback_claimed_by == counsellor
    client.force_login(counsellor)
    assert (
        client.post(reverse("callcenter:callback_complete", args=[contact.pk]), {"note": "통화함"}).status_code == 302
    )
    contact.refresh_from_db()
    assert contact.callback_done_at is not None
    assert detail not in client.get(reverse("callcenter:callbacks")).content.decode()


def test_survey_send_and_answer(client, counsellor, citizen):
    contact = ClosedContactFactory(counsellor=counsellor, caller=citizen)
    client.force_login(counsellor)
    assert client.post(reverse("callcenter:survey_send", args=[contact.pk])).status_code == 302
    note = Notification.objects.get(recipient=citizen, kind="callcenter.survey")
    assert note.link == reverse("callcenter:survey", args=[contact.pk])
    client.force_login(citizen)
    response = client.post(note.link, {"satisfaction": "4", "comment": "친절했어요"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.satisfaction, contact.satisfaction_comment) == (4, "친절했어요")
    again = client.post(note.link, {"satisfaction": "1"})
    assert again.status_code == 409
    contact.refresh_from_db()
    assert contact.satisfaction == 4


def test_survey_out_of_range_is_refused(client, counsellor, citizen):
    contact = ClosedContactFactory(counsellor=counsellor, caller=citizen, survey_sent_at=timezone.now())
    client.force_login(citizen)
    response = client.post(reverse("callcenter:survey", args=[contact.pk]), {"satisfaction": "9"})
    assert response.status_code == 400
    contact.refresh_from_db()
    assert contact.satisfaction is None


def test_survey_for_anonymous_caller_is_refused(client, counsellor):
    contact = ClosedContactFactory(counsellor=counsellor, caller=None)
    client.force_login(counsellor)
    response = client.post(reverse("callcenter:survey_send", args=[contact.pk]))
    assert response.status_code == 400
    contact.refresh_from_db()
    assert contact.survey_sent_at is None
    assert Notification.objects.count() == 0


def test_citizen_web_message_then_counsellor_answers(client, citizen, counsellor):
    client.force_login(citizen)
    response = client.post(
        reverse("callcenter:message_new"), {"message_text": "여권 발급은 어디서 하나요?", "language": "ko"}
    )
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert (contact.channel, contact.caller, contact.status) == ("web_message", citizen, "open")
    mine = client.get(reverse("callcenter:my_contacts"))
    assert "여권 발급은" in mine.content.decode()
    client.force_login(counsellor)
    console = client.get(CONSOLE)
    assert reverse("callcenter:contact_detail", args=[contact.pk]) in console.content.decode()
    answered = client.post(
        reverse("callcenter:contact_answer", args=[contact.pk]), {"answer-answer": "구청 민원실입니다."}
    )
    assert answered.status_code == 302
    contact.refresh_from_db()
    assert (contact.status, contact.outcome, contact.counsellor) == ("closed", "answered", counsellor)
    assert Notification.objects.filter(recipient=citizen, kind="callcenter.answered").count() == 1


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"message_text": "가" * 1001, "language": "ko"}, "at most 1000 characters"),
        ({"message_text": "", "language": "ko"}, "Write your message"),
        ({"message_text": "hello", "language": "fr"}, "does not offer counselling in this language"),
    ],
)
def test_bad_web_message_is_refused_and_nothing_written(client, citizen, data, expected):
    client.force_login(citizen)
    response = client.post(reverse("callcenter:message_new"), data)
    assert response.status_code == 400
    assert expected.lower() in response.content.decode().lower().replace(",", "")
    assert Contact.objects.count() == 0


def test_citizen_cannot_read_another_citizens_contact(client, citizen, other_citizen):
    contact = ClosedContactFactory(caller=other_citizen, question="비밀 질문")
    client.force_login(citizen)
    response = client.get(reverse("callcenter:contact_detail", args=[contact.pk]))
    assert response.status_code == 404
    assert "비밀 질문" not in response.content.decode()
    assert "비밀 질문" not in client.get(reverse("callcenter:my_contacts")).content.decode()


def test_citizen_reads_own_contact_without_counsellor_tools(client, citizen):
    contact = ClosedContactFactory(caller=citizen, caller_phone="+821011112222")
    client.force_login(citizen)
    response = client.get(reverse("callcenter:contact_detail", args=[contact.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Turn into a case" not in body
    assert "+821011112222" not in body


def test_public_page_shows_channels_and_extension_9(client):
    response = client.get(reverse("callcenter:index"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "extension 9" in body
    assert "Mongolian" in body
