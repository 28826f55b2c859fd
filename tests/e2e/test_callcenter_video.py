"""Browser: a sign-language video conversation between a citizen's and a counsellor's page, with
Debian's chromium giving both a synthetic camera; the counsellor's page decodes the citizen's
frames. And a citizen without a camera is told so in words and keeps the text chat."""

import time

import pytest
from django.contrib.auth import get_user_model

from callcenter import demo as callcenter_demo
from callcenter.chat import services
from callcenter.chat.models import CounsellorSeat
from tests.callcenter.chat_helpers import interpreters_all_week, start
from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, check_no_horizontal_scroll, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]

FRAMES_DECODED = """async () => {
    const pc = window.CivicChat.video.pc;
    if (!pc) return 0;
    let frames = 0;
    (await pc.getStats()).forEach(r => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') frames = r.framesDecoded || 0;
    });
    return frames;
}"""


def frames_decoded(page, seconds=15):
    """Video frames the page's peer connection has decoded, once there are any (or after ``seconds``)."""
    deadline = time.monotonic() + seconds
    frames = page.evaluate(FRAMES_DECODED)
    while frames == 0 and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        frames = page.evaluate(FRAMES_DECODED)
    return frames


@pytest.fixture
def camera_browser(browser_type, browser_type_launch_args):
    """A browser of its own whose camera and microphone are synthetic, granted without a prompt."""
    args = {**browser_type_launch_args, "args": [*browser_type_launch_args["args"], *FAKE_MEDIA]}
    browser = browser_type.launch(**args)
    yield browser
    browser.close()


@pytest.fixture
def sign_language_conversation(demo_site):
    callcenter_demo.load()
    interpreters_all_week()
    users = get_user_model().objects
    citizen, counsellor = users.get(username="citizen"), users.get(username="counsellor")
    CounsellorSeat.objects.update_or_create(counsellor=counsellor, defaults={"sign_language": True})
    conversation, _token = start(citizen, kind="sign_language")
    return services.conversation_accept(conversation=conversation, counsellor=counsellor)


def open_pages(browser, asgi_server, conversation):
    citizen_context = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul", bypass_csp=True)
    counsellor_context = browser.new_context(locale="en-US", timezone_id="Asia/Seoul", bypass_csp=True)
    citizen, counsellor = citizen_context.new_page(), counsellor_context.new_page()
    citizen.set_viewport_size(PHONE)
    counsellor.set_viewport_size(DESKTOP)
    log_in(citizen, asgi_server, "citizen")
    log_in(counsellor, asgi_server, "counsellor")
    citizen.goto(f"{asgi_server.url}/callcenter/chat/{conversation.pk}/")
    counsellor.goto(f"{asgi_server.url}/callcenter/chat/{conversation.pk}/work/")
    for page in (citizen, counsellor):
        page.wait_for_function("() => document.getElementById('chat').dataset.connection === 'open'")
        page.wait_for_function("() => window.CivicChat && window.CivicChat.video")
    return citizen, counsellor


def test_the_counsellor_decodes_the_citizens_sign_language_video(
    camera_browser, asgi_server, sign_language_conversation
):
    citizen, counsellor = open_pages(camera_browser, asgi_server, sign_language_conversation)
    state = "[data-video-state]"
    assert "영상 시작" in citizen.locator("[data-video-start]").inner_text()
    assert counsellor.locator("[data-video-hangup]").is_hidden()

    citizen.click("[data-video-start]")
    citizen.locator(state, has_text="상대방이 영상을 시작하기를 기다리고 있습니다").wait_for()
    counsellor.click("[data-video-start]")

    for page in (citizen, counsellor):
        page.wait_for_function(
            "() => window.CivicChat.video.pc && window.CivicChat.video.pc.connectionState === 'connected'"
        )
    assert frames_decoded(counsellor) > 0
    assert frames_decoded(citizen) > 0
    assert counsellor.locator(state).inner_text() == "Connected."
    assert citizen.locator(state).inner_text() == "연결되었습니다."
    assert citizen.evaluate("() => document.querySelector('[data-video-local]').muted") is True

    # Sign-language users type too: the text chat works beside the video.
    citizen.fill("#chat-text", "수어로 설명드릴게요")
    citizen.press("#chat-text", "Enter")
    counsellor.locator("#chat-log .chat-text", has_text="수어로 설명드릴게요").wait_for()

    # Microphone and camera switches say what they do and whether they are on.
    citizen.click("[data-video-mute]")
    assert citizen.get_attribute("[data-video-mute]", "aria-pressed") == "true"
    assert citizen.locator("[data-video-mute]").inner_text() == "마이크 켜기"
    citizen.click("[data-video-camera]")
    assert citizen.get_attribute("[data-video-camera]", "aria-pressed") == "true"
    citizen.click("[data-video-camera]")

    check_a11y(citizen, "video conversation (ko, 360 px)")
    check_no_horizontal_scroll(citizen)
    screenshot(citizen, "video-citizen-360-ko")
    check_a11y(counsellor, "video workspace")
    screenshot(counsellor, "video-workspace-1280")

    # Hanging up ends the call on both sides; the chat stays.
    citizen.click("[data-video-hangup]")
    counsellor.locator(state, has_text="The other side hung up.").wait_for()
    assert citizen.locator(state).inner_text() == "영상 통화가 끝났습니다."
    assert citizen.evaluate("() => document.querySelector('[data-video-local]').srcObject") is None
    assert citizen.locator("#chat-text").is_enabled()


def test_without_a_camera_the_citizen_is_told_so_and_keeps_chatting(browser, asgi_server, sign_language_conversation):
    # This browser has no camera at all (no synthetic device).
    citizen, counsellor = open_pages(browser, asgi_server, sign_language_conversation)

    citizen.click("[data-video-start]")

    citizen.locator("[data-video-state]", has_text="상대방은 내 모습을 볼 수 없습니다").wait_for()
    assert "글로 상담" in citizen.locator("[data-video-state]").inner_text()
    citizen.fill("#chat-text", "카메라가 없어요")
    citizen.press("#chat-text", "Enter")
    counsellor.locator("#chat-log .chat-text", has_text="카메라가 없어요").wait_for()
    check_a11y(citizen, "video without a camera (ko)")
