"""Browser: a counsellor logs an SMS contact with an image and turns it into a case; axe on every page."""

import importlib.util
import io
import itertools
from types import SimpleNamespace

import pytest
from PIL import Image

from callcenter import demo as callcenter_demo
from callcenter.models import Contact, KnowledgeArticle
from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, check_no_horizontal_scroll, log_in, screenshot

pytestmark = pytest.mark.e2e

COMPLAINTS_MERGED = importlib.util.find_spec("complaints.services") is not None


@pytest.fixture
def browser_context_args(browser_context_args):
    # The portal's strict CSP blocks the inline <script> that check_a11y injects for axe.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def site(demo_site, monkeypatch):
    callcenter_demo.load()
    if not COMPLAINTS_MERGED:
        numbers = itertools.count(1)

        def fake_case_file(**kwargs):
            n = next(numbers)
            return SimpleNamespace(pk=n, tracking_number=f"2026-120-{n:06d}")

        monkeypatch.setattr("callcenter.case_link._case_file", fake_case_file)
    return demo_site


def photo(tmp_path):
    path = tmp_path / "street.jpg"
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


def check_page(page, name):
    for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        check_a11y(page, f"{name} ({label})")
        if size is PHONE:
            check_no_horizontal_scroll(page)
            screenshot(page, f"callcenter-{name}-360")
    page.set_viewport_size(DESKTOP)


def test_counsellor_logs_sms_with_image_and_turns_it_into_a_case(site, page, live_server, tmp_path):
    log_in(page, live_server, "counsellor")
    page.goto(f"{live_server.url}/callcenter/console/")
    check_page(page, "console")
    assert page.evaluate("document.activeElement.id") == "id_channel"  # autofocus: type straight away
    page.select_option("#id_channel", "sms_mms")
    page.fill("#id_caller_phone", "010-3333-4444")
    page.press("#id_caller_phone", "Tab")  # change -> htmx caller lookup
    page.wait_for_selector("#caller-lookup p")
    assert "anonymous" in page.inner_text("#caller-lookup").lower()
    page.fill("#id_message_text", "집 앞 도로에 싱크홀이 생겼어요. 사진 보냅니다.")
    page.fill("#id_question", "도로 싱크홀 신고")
    page.set_input_files("#id_images", str(photo(tmp_path)))
    assert "certificate of residence" in page.inner_text("#kb-results")
    page.fill("#kb-q", "주정차")  # search as you type (htmx)
    page.wait_for_function("!document.querySelector('#kb-results').innerText.includes('certificate of residence')")
    assert "불법 주정차 신고 방법" in page.inner_text("#kb-results")
    page.focus("#id_question")
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/callcenter/contacts/*/")
    contact = Contact.objects.get(question="도로 싱크홀 신고")
    assert contact.images.count() == 1
    check_page(page, "contact-detail")
    # The MMS image is served by the contact's checked view and the browser decodes it.
    image = page.locator(".cc-images img")
    assert image.get_attribute("src") == contact.images.get().image_url
    page.wait_for_function("document.querySelector('.cc-images img').complete")
    assert image.evaluate("img => img.naturalWidth") > 0  # 0 when the answer was not an image
    page.fill("#id_case-title", "도로 싱크홀")
    page.click("form[action$='/case/'] button[type=submit]")
    page.wait_for_selector("[data-testid=tracking-number]")
    contact.refresh_from_db()
    assert contact.case_tracking_number
    assert page.inner_text("[data-testid=tracking-number]") == contact.case_tracking_number
    assert contact.outcome == "case"
    screenshot(page, "callcenter-case-filed")


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        (None, ["/callcenter/"]),
        ("citizen", ["/callcenter/", "/callcenter/message/", "/callcenter/my/", "contact:citizen", "survey:citizen"]),
        (
            "counsellor",
            ["/callcenter/callbacks/", "/callcenter/kb/", "kb:detail", "/callcenter/statistics/", "contact:any"],
        ),
        ("counsellor_lead", ["/callcenter/kb/suggestions/", "/callcenter/kb/new/", "kb:edit"]),
    ],
)
def test_every_page_passes_axe_at_360_and_desktop(site, page, live_server, username, paths):
    if username:
        log_in(page, live_server, username)
    article = KnowledgeArticle.objects.first()
    mine = Contact.objects.filter(caller__username="citizen").first()
    Contact.objects.filter(pk=mine.pk).update(status="closed", outcome="answered", survey_sent_at=mine.started_at)
    resolved = {
        "contact:citizen": f"/callcenter/contacts/{mine.pk}/",
        "survey:citizen": f"/callcenter/contacts/{mine.pk}/survey/",
        "contact:any": f"/callcenter/contacts/{Contact.objects.filter(channel='web_message').first().pk}/",
        "kb:detail": f"/callcenter/kb/{article.pk}/",
        "kb:edit": f"/callcenter/kb/{article.pk}/edit/",
    }
    for path in paths:
        response = page.goto(live_server.url + resolved.get(path, path))
        assert response.status == 200, path
        check_page(page, (path.strip("/").replace("/", "-").replace(":", "-") or "index"))
