"""120 live counselling through its pages and the mobile API."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from callcenter.chat import services
from callcenter.chat.consumers import SESSION_TOKENS
from callcenter.chat.models import Conversation, CounsellorSeat, Message, Note
from callcenter.models import Contact, ContactEvent
from civicportal.notifications.models import Delivery
from tests.callcenter.chat_helpers import interpreters_all_week, start
from tests.callcenter.conftest import image_bytes
from tests.callcenter.factories import ArticleFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic():
    return TopicFactory(code="transport", name_ko="교통", name_en="Transport")


def jpeg(name="photo.jpg"):
    return SimpleUploadedFile(name, image_bytes(), content_type="image/jpeg")


# --- Starting -------------------------------------------------------------------------------


def test_an_anonymous_citizen_starts_a_chat_and_the_session_keeps_its_token(client, topic):
    response = client.post(
        reverse("callcenter_chat:start"),
        {
            "topic": topic.pk,
            "kind": "text",
            "language": "en",
            "name": "Jane",
            "phone": "010-1234-5678",
            "sms_consent": "on",
        },
    )
    conversation = Conversation.objects.select_related("contact").get()
    assert response.status_code == 302 and response.url == reverse(
        "callcenter_chat:conversation", args=[conversation.pk]
    )
    contact = conversation.contact
    assert (contact.channel, contact.language, contact.topic_id, contact.status) == (
        "text_chat",
        "en",
        topic.pk,
        "open",
    )
    assert contact.caller_phone == "+821012345678" and contact.sms_consent is True
    assert conversation.queue == "foreign" and conversation.citizen_name == "Jane"
    token = client.session[SESSION_TOKENS][str(conversation.pk)]
    assert services.token_matches(conversation, token)
    page = client.get(response.url)
    assert page.status_code == 200 and b'id="chat-log"' in page.content
    assert b"data-video-panel" not in page.content  # a text chat has no video


def test_the_topic_comes_first_and_nothing_is_written_without_it(client):
    response = client.post(reverse("callcenter_chat:start"), {"kind": "text", "language": "ko", "name": "홍"})
    assert response.status_code == 400
    assert not Conversation.objects.exists() and not Contact.objects.exists()


def test_a_phone_without_consent_is_refused(client, topic):
    response = client.post(
        reverse("callcenter_chat:start"),
        {"topic": topic.pk, "kind": "text", "language": "ko", "name": "홍", "phone": "01012345678"},
    )
    assert response.status_code == 400 and not Contact.objects.exists()


def test_sign_language_outside_the_interpreters_hours_offers_a_message(client, topic):
    response = client.post(
        reverse("callcenter_chat:start"), {"topic": topic.pk, "kind": "sign_language", "language": "ko", "name": "홍"}
    )
    assert response.status_code == 409 and not Conversation.objects.exists()
    assert reverse("callcenter_chat:message").encode() in response.content


def test_sign_language_in_the_interpreters_hours_starts_in_its_queue(client, topic):
    interpreters_all_week()
    client.post(
        reverse("callcenter_chat:start"), {"topic": topic.pk, "kind": "sign_language", "language": "ko", "name": "홍"}
    )
    conversation = Conversation.objects.get()
    assert conversation.queue == "sign_language" and conversation.contact.channel == "sign_language"


def test_another_browser_cannot_open_an_anonymous_conversation(client, topic):
    conversation, _ = start(None, name="홍", topic=topic)
    assert client.get(reverse("callcenter_chat:conversation", args=[conversation.pk])).status_code == 404


# --- Images ---------------------------------------------------------------------------------


def test_an_image_is_cleaned_and_stored_as_a_message(client, citizen, counsellor, topic):
    conversation, _ = start(citizen, topic=topic)
    services.conversation_accept(conversation=conversation, counsellor=counsellor)
    client.force_login(citizen)
    response = client.post(
        reverse("callcenter_chat:upload_image", args=[conversation.pk]), {"image": jpeg(), "client_id": "img-1"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["seq"] == 1 and body["image"] == reverse("callcenter_chat:image", args=[conversation.pk, 1])
    stored = Message.objects.get()
    from PIL import Image

    with Image.open(stored.image.path) as image:
        assert not image.getexif()  # EXIF and GPS gone
    assert client.get(body["image"]).status_code == 200
    client.force_login(counsellor)
    assert client.get(body["image"]).status_code == 200


def test_a_file_that_is_not_an_image_is_refused_and_nothing_stored(client, citizen, topic):
    conversation, _ = start(citizen, topic=topic)
    client.force_login(citizen)
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = client.post(
        reverse("callcenter_chat:upload_image", args=[conversation.pk]), {"image": fake, "client_id": "x"}
    )
    assert response.status_code == 400 and response.json()["error"] == "not_an_image"
    assert not Message.objects.exists()


def test_strangers_see_neither_the_page_nor_the_images(client, citizen, other_citizen, counsellor, topic):
    conversation, _ = start(citizen, topic=topic)
    services.conversation_accept(conversation=conversation, counsellor=counsellor)
    services.message_post(conversation=conversation, role="citizen", user=citizen, client_id="i", image=jpeg())
    client.force_login(other_citizen)
    assert client.get(reverse("callcenter_chat:conversation", args=[conversation.pk])).status_code == 404
    assert client.get(reverse("callcenter_chat:image", args=[conversation.pk, 1])).status_code == 404


# --- Counsellors ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona, status", [("citizen", 403), ("officer", 403), ("monitor", 403), ("counsellor", 200)])
def test_the_live_queue_is_for_the_centres_counsellors(client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("callcenter_chat:live")).status_code == status


def test_accept_then_work_beside_the_knowledge_base(client, citizen, counsellor, topic):
    conversation, _ = start(citizen, topic=topic)
    client.force_login(counsellor)
    response = client.post(reverse("callcenter_chat:accept", args=[conversation.pk]))
    assert response.status_code == 302 and response.url == reverse("callcenter_chat:work", args=[conversation.pk])
    conversation.refresh_from_db()
    assert conversation.status == "active" and conversation.contact.counsellor_id == counsellor.pk
    assert ContactEvent.objects.filter(contact=conversation.contact, data__chat="accepted").count() == 1
    page = client.get(response.url)
    assert page.status_code == 200 and b'id="chat-log"' in page.content and b'id="kb-q"' in page.content


def test_answer_with_an_article_in_one_step(client, citizen, counsellor, topic):
    article = ArticleFactory()
    conversation, _ = start(citizen, topic=topic)
    services.conversation_accept(conversation=conversation, counsellor=counsellor)
    client.force_login(counsellor)
    results = client.get(reverse("callcenter_chat:kb", args=[conversation.pk]), {"q": "주차"})
    assert f'data-article="{article.pk}"'.encode() in results.content
    response = client.post(
        reverse("callcenter_chat:article", args=[conversation.pk]), {"article": article.pk, "client_id": "kb-1"}
    )
    assert response.status_code == 201
    message = Message.objects.get()
    assert message.article_id == article.pk and article.answer in message.text and message.sender == "counsellor"


def test_capacity_is_enforced(citizen, counsellor, topic):
    CounsellorSeat.objects.create(counsellor=counsellor, capacity=1, languages="ko")
    first, _ = start(citizen, topic=topic)
    second, _ = start(citizen, topic=topic)
    services.conversation_accept(conversation=first, counsellor=counsellor)
    with pytest.raises(services.Conflict) as refused:
        services.conversation_accept(conversation=second, counsellor=counsellor)
    assert refused.value.code == "at_capacity"
    second.refresh_from_db()
    assert second.status == "waiting" and second.counsellor_id is None


def test_skills_decide_who_takes_foreign_language_and_sign_language(citizen, counsellor, other_counsellor, topic):
    interpreters_all_week()
    CounsellorSeat.objects.create(counsellor=other_counsellor, languages="ko,vi", sign_language=True)
    vietnamese, _ = start(citizen, language="vi", topic=topic)
    signing, _ = start(citizen, kind="sign_language", topic=topic)
    for conversation in (vietnamese, signing):
        with pytest.raises(services.Conflict):
            services.conversation_accept(conversation=conversation, counsellor=counsellor)
        services.conversation_accept(conversation=conversation, counsellor=other_counsellor)


def test_transfer_to_a_colleague_and_to_a_queue(client, citizen, counsellor, other_counsellor, topic):
    conversation, _ = start(citizen, topic=topic)
    services.conversation_accept(conversation=conversation, counsellor=counsellor)
    client.force_login(counsellor)
    response = client.post(
        reverse("callcenter_chat:transfer", args=[conversation.pk]), {"to_counsellor": other_counsellor.pk}
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert (
        conversation.counsellor_id == other_counsellor.pk and conversation.contact.counsellor_id == other_counsellor.pk
    )
    # No longer theirs: the first counsellor can neither answer nor transfer it.
    with pytest.raises(services.NotAllowed):
        services.message_post(conversation=conversation, role="counsellor", user=counsellor, client_id="z", text="x")
    services.conversation_transfer(conversation=conversation, by=other_counsellor, to_queue="foreign")
    conversation.refresh_from_db()
    assert (conversation.status, conversation.queue, conversation.counsellor_id) == ("waiting", "foreign", None)


def test_notes_never_reach_the_citizen(client, citizen, counsellor, topic):
    conversation, _ = start(citizen, topic=topic)
    services.conversation_accept(conversation=conversation, counsellor=counsellor)
    services.note_add(conversation=conversation, by=counsellor, text="재방문 민원인")
    with pytest.raises(services.NotAllowed):
        services.note_add(conversation=conversation, by=citizen, text="x")
    assert Note.objects.count() == 1
    client.force_login(citizen)
    assert "재방문".encode() not in client.get(reverse("callcenter_chat:conversation", args=[conversation.pk])).content


def test_the_ended_chat_is_closed_as_any_contact_with_its_transcript(client, citizen, counsellor, topic):
    conversation, _ = start(citizen, topic=topic)
    services.conversation_accept(conversation=conversation, counsellor=counsellor)
    services.message_post(conversation=conversation, role="citizen", user=citizen, client_id="q", text="견인 문의")
    services.conversation_end(conversation=conversation, role="counsellor", user=counsellor)
    client.force_login(counsellor)
    detail = client.get(reverse("callcenter:contact_detail", args=[conversation.contact_id]))
    assert detail.status_code == 200 and "견인 문의".encode() in detail.content
    response = client.post(
        reverse("callcenter:contact_close", args=[conversation.contact_id]),
        {"close-outcome": "answered", "close-answer": "안내함"},
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.status == "closed" and contact.outcome == "answered" and contact.duration_seconds is not None


def test_the_head_of_the_centre_sets_capacity_and_skills(client, lead_counsellor, counsellor):
    client.force_login(lead_counsellor)
    response = client.post(
        reverse("callcenter_chat:seats"),
        {
            "counsellor": counsellor.pk,
            f"seat{counsellor.pk}-capacity": 5,
            f"seat{counsellor.pk}-languages": ["ko", "zh"],
            f"seat{counsellor.pk}-sign_language": "on",
        },
    )
    assert response.status_code == 302
    seat = CounsellorSeat.objects.get(counsellor=counsellor)
    assert (seat.capacity, seat.language_codes, seat.sign_language) == (5, {"ko", "zh"}, True)
    client.force_login(counsellor)
    assert client.get(reverse("callcenter_chat:seats")).status_code == 403


# --- Leave a message, transcript ----------------------------------------------------------------


def test_leaving_a_message_from_the_queue_turns_the_chat_into_a_web_message(client, citizen, topic):
    conversation, _ = start(citizen, topic=topic)
    client.force_login(citizen)
    response = client.post(
        reverse("callcenter_chat:leave_message", args=[conversation.pk]), {"message_text": "기다리기 어려워요"}
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    contact = conversation.contact
    assert conversation.status == "ended" and Contact.objects.count() == 1
    assert (contact.channel, contact.message_text, contact.status) == ("web_message", "기다리기 어려워요", "open")
    assert contact in Contact.objects.web_messages_waiting()


def test_an_anonymous_message_is_answered_by_text_under_consent(client, counsellor, topic):
    response = client.post(
        reverse("callcenter_chat:message"),
        {
            "message_text": "수어 상담 예약",
            "topic": topic.pk,
            "language": "ko",
            "phone": "01098765432",
            "sms_consent": "on",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    from callcenter.services import web_message_answer

    web_message_answer(contact=contact, by=counsellor, answer="내일 오전에 가능합니다")
    assert Delivery.objects.filter(notification__phone="+821098765432", channel="sms").count() == 1


def test_the_transcript_goes_by_text_once_under_the_consent_given(client, counsellor, topic):
    conversation, token = start(None, name="홍", phone="01012345678", sms_consent=True, topic=topic)
    services.conversation_accept(conversation=conversation, counsellor=counsellor)
    services.message_post(conversation=conversation, role="citizen", client_id="a", text="안녕하세요")
    services.conversation_end(conversation=conversation, role="citizen")
    session = client.session
    session[SESSION_TOKENS] = {str(conversation.pk): token}
    session.save()
    url = reverse("callcenter_chat:transcript", args=[conversation.pk])
    assert client.post(url, {"channel": "sms"}).status_code == 302
    assert client.post(url, {"channel": "sms"}).status_code == 302
    deliveries = Delivery.objects.filter(notification__phone="+821012345678", channel="sms")
    assert deliveries.count() == 1 and "안녕하세요" in deliveries.get().notification.body


def test_no_transcript_by_text_without_consent(counsellor, topic):
    conversation, _ = start(None, name="홍", topic=topic)
    conversation = services.conversation_end(conversation=conversation, role="citizen")
    with pytest.raises(services.DomainError) as refused:
        services.transcript_send(conversation=conversation, role="citizen", channel="sms")
    assert refused.value.code == "no_consent" and not Delivery.objects.exists()


# --- Mobile API -----------------------------------------------------------------------------


def test_api_start_history_and_image_for_an_anonymous_app(api_client, topic, counsellor):
    response = api_client.post(
        "/api/v1/callcenter/chat/conversations/",
        {"kind": "video", "language": "mn", "topic": topic.pk, "name": "Bat"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["socket"] == f"/ws/callcenter/chat/{body['id']}/" and len(body["token"]) >= 40
    assert body["conversation"]["status"] == "waiting" and body["conversation"]["kind"] == "video"
    conversation = Conversation.objects.get(pk=body["id"])
    CounsellorSeat.objects.create(counsellor=counsellor, languages="ko,mn")
    services.conversation_accept(conversation=conversation, counsellor=counsellor)
    for n in range(3):
        services.message_post(
            conversation=conversation, role="counsellor", user=counsellor, client_id=f"m{n}", text=f"답 {n}"
        )
    url = f"/api/v1/callcenter/chat/conversations/{body['id']}/messages/"
    assert api_client.get(url).status_code == 404  # no token: not yours, and not told it exists
    history = api_client.get(url, {"after": 1}, HTTP_X_CONVERSATION_TOKEN=body["token"]).json()
    assert [m["seq"] for m in history["messages"]] == [2, 3]
    image = api_client.post(
        f"/api/v1/callcenter/chat/conversations/{body['id']}/images/",
        {"image": jpeg(), "client_id": "img"},
        format="multipart",
        HTTP_X_CONVERSATION_TOKEN=body["token"],
    )
    assert image.status_code == 201 and image.json()["seq"] == 4 and image.json()["from"] == "citizen"


def test_api_start_refuses_bad_input_without_writing(api_client, topic):
    response = api_client.post(
        "/api/v1/callcenter/chat/conversations/", {"kind": "text", "language": "fr", "topic": topic.pk}, format="json"
    )
    assert response.status_code == 400 and not Contact.objects.exists()
    response = api_client.post(
        "/api/v1/callcenter/chat/conversations/", {"kind": "text", "language": "ko", "topic": topic.pk}, format="json"
    )
    assert response.status_code == 400 and response.json()["error"] == "name_required"
    assert not Contact.objects.exists()


def test_api_signed_in_citizen_needs_no_token(api_as, citizen, topic):
    client = api_as(citizen)
    body = client.post("/api/v1/callcenter/chat/conversations/", {"topic": topic.pk}, format="json").json()
    assert body["token"] == ""
    assert client.get(f"/api/v1/callcenter/chat/conversations/{body['id']}/messages/").status_code == 200


def test_the_schema_documents_the_chat_api(api_client):
    schema = api_client.get("/api/schema/").content.decode()
    assert "/api/v1/callcenter/chat/conversations/" in schema and "X-Conversation-Token" in schema


def test_expected_wait_is_the_median_of_recent_waits_times_the_position(citizen, counsellor, topic):
    now = timezone.now()
    for minutes in (1, 3, 5):
        conversation, _ = start(citizen, topic=topic, now=now - dt.timedelta(minutes=30))
        services.conversation_accept(
            conversation=conversation, counsellor=counsellor, now=now - dt.timedelta(minutes=30 - minutes)
        )
        services.conversation_end(conversation=conversation, role="counsellor", user=counsellor)
    first, _ = start(citizen, topic=topic)
    second, _ = start(citizen, topic=topic)
    from callcenter.chat import selectors

    assert selectors.queue_position(second) == 2
    assert selectors.expected_wait_seconds(first) == 180 and selectors.expected_wait_seconds(second) == 360


def test_images_are_throttled_per_address(client, monkeypatch, citizen, counsellor, topic):
    from civicportal.throttling import AddressRateThrottle

    monkeypatch.setattr(AddressRateThrottle, "THROTTLE_RATES", {"chat_image": "2/minute"})
    conversation, _ = start(citizen, topic=topic)
    client.force_login(citizen)
    url = reverse("callcenter_chat:upload_image", args=[conversation.pk])
    codes = [client.post(url, {"image": jpeg(), "client_id": f"i{n}"}).status_code for n in range(3)]
    assert codes == [201, 201, 429] and Message.objects.count() == 2


def test_a_signed_in_citizen_leaves_a_message_without_a_name_or_phone(client, citizen, topic):
    client.force_login(citizen)
    page = client.get(reverse("callcenter_chat:message"))
    assert b'name="name"' not in page.content and b'name="phone"' not in page.content
    response = client.post(
        reverse("callcenter_chat:message"), {"message_text": "등본 발급 문의", "topic": topic.pk, "language": "ko"}
    )
    contact = Contact.objects.get()
    assert response.status_code == 302 and response.url == reverse("callcenter:contact_detail", args=[contact.pk])
    assert (contact.channel, contact.caller_id) == ("web_message", citizen.pk)
