"""Staff pages on a phone and a desktop, in a real browser: the queue and board tables stack
into cards at 360 px, the sort control is whole at 1280 px, a board figure opens its cases,
the map marker moves with the keyboard, and axe finds no serious violation on the board,
the report, the queue, the case list, sign-up and the terms pages."""

import pytest
from playwright.sync_api import expect

from civicportal.accounts.models import Department, User
from tests.complaints.factories import bulk_cases
from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, check_no_horizontal_scroll, log_in, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def parking_cases(demo_site):
    parking = Department.objects.get(code="parking")
    officer = User.objects.get(username="officer")
    bulk_cases(parking, 3)
    bulk_cases(parking, 2, start=50, officer=officer)
    return parking


def test_the_queue_stacks_into_cards_on_a_phone_and_keeps_its_sort_control_whole(live_server, page, parking_cases):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/")
    page.locator("header").get_by_role("link", name="My queue").click()
    expect(page).to_have_url(f"{live_server.url}/complaints/queue/")

    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(5)
    assert rows.first.evaluate("r => getComputedStyle(r).display") == "block"
    # The officer's name stays on one line (no syllable per line) and the claim button is whole.
    officer_cell = page.locator("table.queue td", has_text="박주무관").first
    assert officer_cell.get_attribute("data-label") == "Officer"
    name_height = officer_cell.evaluate(
        "c => { const r = document.createRange(); r.selectNodeContents(c); return r.getBoundingClientRect().height; }"
    )
    line = officer_cell.evaluate("c => parseFloat(getComputedStyle(c).lineHeight) || 24")
    assert name_height < line * 1.6
    claim = page.get_by_role("button", name="Claim").first
    box = claim.bounding_box()
    assert box["height"] < 56 and box["width"] > 40
    check_no_horizontal_scroll(page)
    check_a11y(page, "queue (phone)")
    screenshot(page, "staff-queue-phone")

    page.set_viewport_size(DESKTOP)
    sort = page.locator("#f-sort")
    text_width = sort.evaluate(
        """s => { const c = document.createElement('canvas').getContext('2d');
                  c.font = getComputedStyle(s).font;
                  return c.measureText(s.options[s.selectedIndex].text).width; }"""
    )
    assert sort.evaluate("s => s.clientWidth") >= text_width + 16  # room for the text and the arrow
    assert rows.first.evaluate("r => getComputedStyle(r).display") == "table-row"
    check_a11y(page, "queue (desktop)")
    screenshot(page, "staff-queue-desktop")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_the_board_figures_open_their_cases_and_the_board_and_report_pass_axe(
    live_server, page, parking_cases, viewport
):
    page.set_viewport_size(viewport)
    log_in(page, live_server, "monitor")
    page.goto(f"{live_server.url}/")
    page.locator("header").get_by_role("link", name="Monitoring board").click()
    check_no_horizontal_scroll(page)
    check_a11y(page, f"board {viewport['width']}")
    screenshot(page, f"staff-board-{viewport['width']}")

    page.locator("#board-departments + .table-wrap a").first.click()
    expect(page.get_by_role("heading", name="Cases behind the figure")).to_be_visible()
    expect(page.locator("table.stack tbody tr")).to_have_count(5)
    check_no_horizontal_scroll(page)
    check_a11y(page, f"board case list {viewport['width']}")
    screenshot(page, f"staff-board-cases-{viewport['width']}")

    page.goto(f"{live_server.url}/complaints/report/")
    expect(page.locator("#chart-series-title")).to_have_text("Cases filed over time")
    check_no_horizontal_scroll(page)
    check_a11y(page, f"report {viewport['width']}")
    screenshot(page, f"staff-report-{viewport['width']}")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_sign_up_links_the_terms_and_privacy_pages_which_pass_axe(live_server, page, demo_site, viewport):
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/accounts/sign-up/")
    check_a11y(page, f"sign-up {viewport['width']}")
    for name, heading in (("Read the terms of use", "Terms of use"), ("Read the privacy notice", "Privacy notice")):
        href = page.get_by_role("link", name=name).get_attribute("href")
        page.goto(f"{live_server.url}{href}")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_no_horizontal_scroll(page)
        check_a11y(page, f"{heading} {viewport['width']}")
        page.goto(f"{live_server.url}/accounts/sign-up/")
    screenshot(page, f"sign-up-{viewport['width']}")


def test_the_placed_marker_moves_with_the_arrow_keys_and_updates_the_inputs(live_server, page, demo_site):
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "citizen")
    page.goto(f"{live_server.url}/complaints/file/")
    page.get_by_role("region", name="Map for picking the position").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_lat")).to_have_value("37.566500")

    marker = page.locator(".leaflet-marker-icon")
    marker.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#id_lon")).not_to_have_value("126.978000")
    assert float(page.input_value("#id_lon")) > 126.978
    assert page.input_value("#id_lat") == "37.566500"
    page.keyboard.press("ArrowUp")
    expect(page.locator("#id_lat")).not_to_have_value("37.566500")
    assert float(page.input_value("#id_lat")) > 37.5665
    expect(marker).to_be_focused()
    expect(page.locator(".map-picker-status")).to_contain_text(page.input_value("#id_lat")[:7])
    check_a11y(page, "filing form, marker moved by keyboard")


def test_the_callback_queue_stacks_into_cards_on_a_phone(live_server, page, demo_site):
    from datetime import timedelta

    from django.utils import timezone

    from callcenter.models import Contact
    from tests.callcenter.factories import ClosedContactFactory

    ClosedContactFactory(
        outcome=Contact.Outcome.CALLBACK,
        caller_phone="+821012345678",
        callback_due_at=timezone.now() + timedelta(hours=2),
        question="주차 단속 문의에 대해 다시 전화해 주세요",
    )
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "counsellor")
    page.goto(f"{live_server.url}/callcenter/callbacks/")
    row = page.locator("table.stack tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    claim = page.get_by_role("button", name="Claim").first
    assert claim.bounding_box()["height"] < 56
    check_no_horizontal_scroll(page)
    check_a11y(page, "callback queue (phone)")
    screenshot(page, "staff-callbacks-phone")
