"""The REST API under /api/v1/callcenter/: the same flows and refusals as the pages."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from callcenter.models import ArticleSuggestion, Contact, ContactEvent, ContactImage
from tests.callcenter.conftest import image_bytes
from tests.callcenter.factories import ArticleFactory, ClosedContactFactory, ContactFactory, TopicFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/callcenter"


def payload(**overrides):
    start = timezone.now() - dt.timedelta(minutes=2)
    data = {
        "channel": "voice",
        "language": "en",
        "caller_phone": "+82 10-5555-1234",
        "question": "Where do I pay a parking fine?",
        "answer": "On the ETAX site.",
        "started_at": start.isoformat(),
        "ended_at": (start + dt.timedelta(seconds=95)).isoformat(),
        "outcome": "answered",
    }
    data.update(overrides)
    return data


def test_counsellor_logs_a_contact(api_as, counsellor):
    topic = TopicFactory()
    response = api_as(counsellor).post(f"{BASE}/contacts/", payload(topic=topic.pk), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["channel"], body["language"], body["outcome"], body["duration_seconds"]) == (
        "voice",
        "en",
        "answered",
        95,
    )
    assert body["caller_phone_masked"] == "010-****-1234"
    assert "caller_phone" not in body
    assert Contact.objects.get().topic == topic


def test_counsellor_logs_an_mms_contact_with_image(api_as, counsellor):
    upload = SimpleUploadedFile("a.png", image_bytes("PNG"), content_type="image/png")
    data = payload(channel="sms_mms", message_text="사진 첨부", outcome="")
    data.pop("ended_at")
    response = api_as(counsellor).post(f"{BASE}/contacts/", {**data, "images": [upload]}, format="multipart")
    assert response.status_code == 201, response.json()
    assert len(response.json()["images"]) == 1
    assert ContactImage.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"channel": ""}, "channel", "channel_required"),
        ({"channel": "telegram"}, "channel", "channel_unknown"),
        ({"ended_at": "2020-01-01T00:00:00+09:00"}, "ended_at", "ends_before_start"),
        ({"language": "fr"}, "language", "language_not_offered"),
        ({"channel": "sms_mms", "message_text": "x" * 1001}, "message_text", "text_too_long"),
    ],
)
def test_bad_contact_is_refused_with_400_and_nothing_written(api_as, counsellor, overrides, field, code):
    response = api_as(counsellor).post(f"{BASE}/contacts/", payload(**overrides), format="json")
    assert response.status_code == 400
    assert response.json()["error"] == code
    assert field in response.json()["fields"]
    assert Contact.objects.count() == 0
    assert ContactEvent.objects.count() == 0


def test_not_an_image_is_refused_by_the_api(api_as, counsellor):
    upload = SimpleUploadedFile("a.png", b"GIF89a-but-not-really", content_type="image/png")
    data = payload(channel="sms_mms", message_text="사진")
    response = api_as(counsellor).post(f"{BASE}/contacts/", {**data, "images": [upload]}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"] == "not_an_image"
    assert Contact.objects.count() == 0


def test_gif_mms_image_is_accepted_as_a_gif(api_as, counsellor):
    frames = [Image.new("RGB", (12, 8), colour) for colour in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    data = payload(channel="sms_mms", message_text="움짤", outcome="")
    data.pop("ended_at")

    response = api_as(counsellor).post(
        f"{BASE}/contacts/", {**data, "images": [SimpleUploadedFile("a.gif", out.getvalue())]}, format="multipart"
    )

    assert response.status_code == 201, response.json()
    stored = ContactImage.objects.get()
    assert stored.image.name.endswith(".gif") and (stored.width, stored.height) == (12, 8)


def test_image_with_too_many_pixels_is_400_too_large(api_as, counsellor):
    bomb = io.BytesIO()
    Image.new("1", (8000, 8000)).save(bomb, format="PNG")  # 64 megapixels in a few kilobytes
    data = payload(channel="sms_mms", message_text="사진")

    response = api_as(counsellor).post(
        f"{BASE}/contacts/", {**data, "images": [SimpleUploadedFile("b.png", bomb.getvalue())]}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["error"] == "too_large"
    assert response.json()["detail"] == "The image has too many pixels."
    assert Contact.objects.count() == 0 and ContactImage.objects.count() == 0


def test_citizen_cannot_log_contacts(api_as, citizen):
    response = api_as(citizen).post(f"{BASE}/contacts/", payload(), format="json")
    assert response.status_code == 403
    assert Contact.objects.count() == 0


def test_lists_are_scoped(api_as, counsellor, citizen, other_citizen):
    mine = ClosedContactFactory(caller=citizen)
    ClosedContactFactory(caller=other_citizen)
    assert api_as(counsellor).get(f"{BASE}/contacts/").json()["count"] == 2
    body = api_as(citizen).get(f"{BASE}/contacts/").json()
    assert [c["id"] for c in body["results"]] == [mine.pk]


def test_contact_list_query_count_does_not_grow_per_row(api_as, counsellor, django_assert_max_num_queries):
    for _ in range(15):
        ClosedContactFactory(topic=TopicFactory())
    client = api_as(counsellor)
    with django_assert_max_num_queries(12):
        response = client.get(f"{BASE}/contacts/")
    assert response.json()["count"] == 15


def test_citizen_reading_another_citizens_contact_gets_404(api_as, citizen, other_citizen):
    contact = ClosedContactFactory(caller=other_citizen)
    response = api_as(citizen).get(f"{BASE}/contacts/{contact.pk}/")
    assert response.status_code == 404
    assert "question" not in response.json()


def test_close_correct_case_flow(api_as, counsellor, other_counsellor, citizen, fake_case_file, department):
    contact = ContactFactory(counsellor=counsellor, caller=citizen)
    client = api_as(counsellor)
    case = client.post(f"{BASE}/contacts/{contact.pk}/case/", {"title": "불법 주차"}, format="json")
    assert case.status_code == 200, case.json()
    assert (fake_case_file.calls[0]["lat"], fake_case_file.calls[0]["location_text"]) == (None, "")
    assert case.json()["case_tracking_number"].startswith("2026-120-")
    assert case.json()["outcome"] == "case"
    correction = api_as(other_counsellor).post(
        f"{BASE}/contacts/{contact.pk}/correct/",
        {"note": "주제 정정", "corrections": {"question": "정정"}},
        format="json",
    )
    assert correction.status_code == 200
    assert contact.events.filter(kind="corrected").count() == 1
    edit = api_as(other_counsellor).post(f"{BASE}/contacts/{contact.pk}/close/", {"outcome": "answered"}, format="json")
    assert edit.status_code == 409
    contact.refresh_from_db()
    assert contact.outcome == "case"


def test_close_with_transfer(api_as, counsellor, department):
    contact = ContactFactory(counsellor=counsellor)
    response = api_as(counsellor).post(
        f"{BASE}/contacts/{contact.pk}/close/",
        {"outcome": "transferred", "transferred_to": department.pk},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["transferred_to"] == department.pk


def test_end_before_start_on_close_is_refused(api_as, counsellor):
    contact = ContactFactory(counsellor=counsellor)
    response = api_as(counsellor).post(
        f"{BASE}/contacts/{contact.pk}/close/",
        {"outcome": "answered", "ended_at": "2020-01-01T00:00:00+09:00"},
        format="json",
    )
    assert response.status_code == 400
    contact.refresh_from_db()
    assert contact.status == "open"


def test_web_message_survey_and_callback_through_api(api_as, citizen, counsellor):
    created = api_as(citizen).post(f"{BASE}/messages/", {"message_text": "도와주세요", "language": "vi"}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    counsellor_client = api_as(counsellor)
    assert counsellor_client.post(f"{BASE}/contacts/{pk}/answer/", {"answer": "네"}, format="json").status_code == 200
    assert counsellor_client.post(f"{BASE}/contacts/{pk}/survey/send/").status_code == 200
    answer = api_as(citizen).post(f"{BASE}/contacts/{pk}/survey/", {"satisfaction": 5}, format="json")
    assert answer.status_code == 200
    assert answer.json()["satisfaction"] == 5
    callback = ClosedContactFactory(outcome="callback", callback_due_at=timezone.now())
    assert counsellor_client.post(f"{BASE}/contacts/{callback.pk}/callback/claim/").status_code == 200
    done = counsellor_client.post(f"{BASE}/contacts/{callback.pk}/callback/complete/", {"note": "ok"}, format="json")
    assert done.status_code == 200


def test_web_message_over_1000_chars_is_refused(api_as, citizen):
    response = api_as(citizen).post(f"{BASE}/messages/", {"message_text": "가" * 1001}, format="json")
    assert response.status_code == 400
    assert Contact.objects.count() == 0


def test_knowledge_base_search_and_suggestion(api_as, counsellor, lead_counsellor):
    article = ArticleFactory(question="여권 발급 장소", answer="구청 여권과", keywords="여권")
    ArticleFactory(question="쓰레기 배출", answer="저녁 8시 이후", keywords="쓰레기")
    client = api_as(counsellor)
    found = client.get(f"{BASE}/articles/", {"q": "여권"}).json()
    assert [a["id"] for a in found] == [article.pk]
    suggestion = client.post(
        f"{BASE}/articles/{article.pk}/suggest/",
        {"question": "여권 발급 장소", "answer": "구청 민원여권과"},
        format="json",
    )
    assert suggestion.status_code == 201
    pk = suggestion.json()["id"]
    assert client.post(f"{BASE}/suggestions/{pk}/approve/").status_code == 403
    approved = api_as(lead_counsellor).post(f"{BASE}/suggestions/{pk}/approve/", {"note": "좋아요"}, format="json")
    assert approved.status_code == 200
    article.refresh_from_db()
    assert article.answer == "구청 민원여권과"
    again = api_as(lead_counsellor).post(f"{BASE}/suggestions/{pk}/reject/")
    assert again.status_code == 409
    assert ArticleSuggestion.objects.get().status == "approved"


def test_citizen_cannot_use_knowledge_base_or_statistics(api_as, citizen):
    assert api_as(citizen).get(f"{BASE}/articles/").status_code == 403
    assert api_as(citizen).get(f"{BASE}/statistics/").status_code == 403


def test_statistics_api(api_as, monitor):
    ClosedContactFactory(channel="sign_language")
    response = api_as(monitor).get(f"{BASE}/statistics/")
    assert response.status_code == 200
    assert response.json()["contacts"] == 1
    assert response.json()["sign_language"] == 1
    bad = api_as(monitor).get(f"{BASE}/statistics/", {"date_from": "yesterday"})
    assert bad.status_code == 400


def test_schema_is_valid(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/callcenter/contacts/" in response.content


def test_turn_into_case_passes_the_callers_place_and_position(api_as, counsellor, citizen, fake_case_file):
    contact = ContactFactory(counsellor=counsellor, caller=citizen)
    body = {"title": "가로등 고장", "location_text": "망원동 골목", "lat": "37.5563", "lon": "126.9019"}
    response = api_as(counsellor).post(f"{BASE}/contacts/{contact.pk}/case/", body, format="json")
    assert response.status_code == 200, response.json()
    call = fake_case_file.calls[0]
    assert (call["location_text"], call["lat"], call["lon"]) == ("망원동 골목", Decimal("37.5563"), Decimal("126.9019"))


def test_turn_into_case_with_a_position_that_is_not_a_number_is_refused(api_as, counsellor, fake_case_file):
    contact = ContactFactory(counsellor=counsellor)
    body = {"title": "가로등 고장", "lat": "north", "lon": "126.9"}
    response = api_as(counsellor).post(f"{BASE}/contacts/{contact.pk}/case/", body, format="json")
    assert response.status_code == 400
    assert "lat" in response.json()["fields"]
    assert fake_case_file.calls == []
    contact.refresh_from_db()
    assert contact.case_tracking_number == ""
