"""Browser: a citizen and a counsellor chat live through the ASGI server (text, image, typing,
read state, a dropped connection caught up exactly once); axe and 360 px on both pages."""

import pytest

from callcenter import demo as callcenter_demo
from callcenter.chat.models import Conversation, Message
from tests.callcenter.conftest import image_bytes
from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, check_no_horizontal_scroll, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(demo_site):
    callcenter_demo.load()
    return demo_site


def bubbles(page, text):
    return page.locator("#chat-log .chat-text", has_text=text)


def test_citizen_and_counsellor_chat_with_text_and_an_image(site, asgi_server, ko_page, page, tmp_path):
    citizen, counsellor = ko_page, page
    citizen.set_viewport_size(PHONE)
    counsellor.set_viewport_size(DESKTOP)

    # The citizen, without an account, chooses the topic and starts.
    citizen.goto(f"{asgi_server.url}/callcenter/chat/")
    check_a11y(citizen, "chat start (ko)")
    check_no_horizontal_scroll(citizen)
    screenshot(citizen, "chat-start-360-ko")
    citizen.select_option("#id_topic", label="교통 › 주정차")
    citizen.fill("#id_name", "김방문")
    citizen.click("main form button.primary")
    citizen.wait_for_url("**/callcenter/chat/*-*/")
    citizen.wait_for_function("() => document.getElementById('chat').dataset.connection === 'open'")
    assert citizen.locator("#chat-waiting").is_visible()
    citizen.locator("#chat-state", has_text="1번째").wait_for()  # the position, in Korean

    # The counsellor sees it pushed into the live queue and accepts.
    log_in(counsellor, asgi_server, "counsellor")
    counsellor.goto(f"{asgi_server.url}/callcenter/chat/live/")
    row = counsellor.locator('[data-queue="korean"] .queue-row')
    row.first.wait_for()
    check_a11y(counsellor, "live queue")
    screenshot(counsellor, "chat-live-queue-1280")
    row.first.locator("button").click()
    counsellor.wait_for_url("**/work/")
    counsellor.wait_for_function("() => document.getElementById('chat').dataset.connection === 'open'")
    citizen.locator("#chat-with").wait_for(state="visible")
    assert "윤상담사 상담사가 응대하고 있습니다" in citizen.locator("#chat-with").inner_text()

    # Text both ways, with the typing indicator and the read state.
    citizen.fill("#chat-text", "집 앞 불법 주차 <b>신고</b>")
    counsellor.locator("#chat-typing").filter(has_text="typing").wait_for()
    citizen.press("#chat-text", "Enter")
    bubbles(counsellor, "집 앞 불법 주차 <b>신고</b>").wait_for()
    assert counsellor.locator("#chat-log b").count() == 0  # shown as text, never as markup
    counsellor.fill("#chat-text", "안전신문고 앱으로 신고하실 수 있습니다.")
    counsellor.click("#chat-form button[type=submit]")
    bubbles(citizen, "안전신문고").wait_for()
    counsellor.locator("#chat-log .chat-message.mine .chat-state", has_text="Read").wait_for()

    # An image from the citizen, through the image cleaner.
    photo = tmp_path / "parking.jpg"
    photo.write_bytes(image_bytes())
    citizen.set_input_files("#chat-image", str(photo))
    counsellor.locator("#chat-log img.chat-image").wait_for()
    assert counsellor.evaluate("() => document.querySelector('#chat-log img.chat-image').naturalWidth") == 40

    check_a11y(citizen, "chat conversation (ko)")
    check_no_horizontal_scroll(citizen)
    screenshot(citizen, "chat-citizen-360-ko")
    check_a11y(counsellor, "chat workspace")
    screenshot(counsellor, "chat-workspace-1280")
    counsellor.set_viewport_size(PHONE)
    check_no_horizontal_scroll(counsellor)

    # The citizen's connection drops; the counsellor writes meanwhile; the citizen catches up once.
    citizen.evaluate("() => window.CivicChat.socket.drop()")
    counsellor.fill("#chat-text", "끊긴 동안 보낸 답변")
    counsellor.click("#chat-form button[type=submit]")
    bubbles(citizen, "끊긴 동안 보낸 답변").wait_for(timeout=15_000)
    citizen.wait_for_function("() => document.getElementById('chat').dataset.connection === 'open'")
    citizen.wait_for_timeout(500)
    assert bubbles(citizen, "끊긴 동안 보낸 답변").count() == 1
    assert citizen.locator("#chat-log .chat-message").count() == Message.objects.count() == 4

    # A reload shows the whole conversation once.
    citizen.reload()
    bubbles(citizen, "끊긴 동안 보낸 답변").wait_for()
    citizen.wait_for_timeout(300)
    assert citizen.locator("#chat-log .chat-message").count() == 4

    # The counsellor ends it; the citizen is offered the transcript.
    counsellor.set_viewport_size(DESKTOP)
    counsellor.click("#chat-end")
    citizen.locator("#chat-ended").wait_for(state="visible")
    counsellor.locator("#chat-ended").wait_for(state="visible")
    assert Conversation.objects.get().status == "ended"
    check_a11y(citizen, "chat ended (ko)")


def test_the_live_queue_on_a_phone_in_korean_shows_the_demo_conversation(site, asgi_server, ko_page):
    from callcenter.chat import demo as chat_demo

    chat_demo.load()
    ko_page.set_viewport_size(PHONE)
    log_in(ko_page, asgi_server, "counsellor")
    ko_page.goto(f"{asgi_server.url}/callcenter/chat/live/")
    ko_page.wait_for_function("() => document.getElementById('live-queue').dataset.connection === 'open'")
    assert ko_page.locator('[data-queue="korean"] .queue-row').count() == 1
    assert "실시간 대기열" in ko_page.locator("h1").inner_text()
    assert "분 대기" in ko_page.locator('[data-queue="korean"] .queue-row').inner_text()
    assert "3건 중 0건" in ko_page.locator("#capacity").inner_text()
    check_a11y(ko_page, "live queue (ko, 360)")
    check_no_horizontal_scroll(ko_page)
    screenshot(ko_page, "chat-live-queue-360-ko")
    # The console links to it.
    ko_page.goto(f"{asgi_server.url}/callcenter/console/")
    assert ko_page.locator("a[href='/callcenter/chat/live/']").count() >= 1
