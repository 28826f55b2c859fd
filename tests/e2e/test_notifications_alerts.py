"""An officer writes an alert, another approves it, the progress page reaches 100 %, a citizen
of the district sees it in the inbox and on the public page; axe at 360 px and desktop."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicportal.accounts.models import District
from civicportal.notifications.models import EmergencyAlert
from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, check_no_horizontal_scroll, log_in, screenshot

pytestmark = pytest.mark.e2e
HEADLINE = "마포구 침수 위험 — 지하 공간 대피"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # As on main's conftest: let the test inject axe-core; the pages keep their strict CSP.
    return {**browser_context_args, "bypass_csp": True}


def check_both_widths(page, name):
    for size, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(size)
        check_a11y(page, f"{name} at {label}")
        if size is PHONE:
            check_no_horizontal_scroll(page)
        screenshot(page, f"alerts-{name}-{label}")


def log_out(page):
    page.click("form[action='/accounts/logout/'] button")
    page.wait_for_load_state()


def test_alert_from_writing_to_the_citizens_inbox(ko_page, live_server, demo_site):
    page = ko_page
    from civicportal.notifications import demo as notifications_demo

    notifications_demo.load()
    mapo = District.objects.get(code="11440")
    now = timezone.localtime()

    log_in(page, live_server, "alerts")
    page.goto(f"{live_server.url}/alerts/manage/new/")
    check_both_widths(page, "form")
    page.fill("#id_event", "호우")
    page.select_option("#id_category", "Met")
    page.select_option("#id_severity", "Severe")
    page.select_option("#id_urgency", "Immediate")
    page.select_option("#id_certainty", "Observed")
    page.check("input[name=area_kind][value=districts]")
    page.check(f"input[name=districts][value='{mapo.pk}']")
    page.fill("#id_onset", now.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_expires", (now + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_headline_ko", HEADLINE)
    page.fill("#id_instruction_ko", "저지대 주민은 대피하십시오.")
    assert not page.locator("#id_headline_en").is_visible()  # optional languages are folded
    page.click("details:has(#id_headline_en) > summary")
    page.fill("#id_headline_en", "Flood risk in Mapo-gu: leave basements")
    page.click("button[name=submit]")
    page.wait_for_load_state()
    alert = EmergencyAlert.objects.get(texts__headline=HEADLINE)
    assert alert.status == "pending_approval"
    assert page.locator("h1").inner_text() == HEADLINE
    check_both_widths(page, "officer-detail")
    log_out(page)

    log_in(page, live_server, "alerts_approver")
    page.goto(f"{live_server.url}/alerts/manage/")
    check_both_widths(page, "manage")
    page.goto(f"{live_server.url}/alerts/manage/{alert.pk}/")
    page.click(f"form[action='/alerts/manage/{alert.pk}/approve/'] button")
    page.wait_for_load_state()
    assert page.url.endswith(f"/alerts/manage/{alert.pk}/progress/")
    page.wait_for_selector("strong.percent:text('100%')", timeout=20_000)
    assert page.locator("dd.targeted").inner_text() == "2"  # citizen and citizen2 live in Mapo-gu
    check_both_widths(page, "progress")
    log_out(page)

    log_in(page, live_server, "citizen")
    page.goto(f"{live_server.url}/notifications/")
    main = page.locator("main")  # the banner under the header links to the same alert
    assert main.get_by_role("link", name=HEADLINE, exact=True).is_visible()
    check_both_widths(page, "inbox")
    page.goto(f"{live_server.url}/alerts/")
    assert main.get_by_role("link", name=HEADLINE, exact=True).is_visible()
    check_both_widths(page, "public-list")
    main.get_by_role("link", name=HEADLINE, exact=True).click()
    page.wait_for_load_state()
    assert "저지대 주민은 대피하십시오." in page.content()
    check_both_widths(page, "public-detail")
