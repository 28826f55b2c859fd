"""The location picker: a citizen taps the map (or types coordinates) on the filing form and
the case shows the district derived from that point; the same picker sets a poll's site and
an alert's circle. Map tiles are answered locally (conftest), so nothing leaves 127.0.0.1."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from civicportal.accounts.districts import district_at
from complaints.models import Case
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    check_a11y,
    check_no_horizontal_scroll,
    log_in,
    screenshot,
    serve_tiles_locally,
)

pytestmark = pytest.mark.e2e


def _fill_case(page, title):
    page.select_option("#id_kind", "complaint")
    page.fill("#id_title", title)
    page.fill("#id_text", "보도블록이 깨져서 걸려 넘어질 뻔했습니다.")


def _expected_district(page):
    district = district_at(Decimal(page.input_value("#id_lat")), Decimal(page.input_value("#id_lon")))
    assert district is not None
    return district


def test_citizen_taps_the_map_at_360px_and_the_case_shows_the_district(demo_site, live_server, page, tiles_served):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "citizen")
    page.goto(f"{live_server.url}/complaints/file/")
    map_area = page.get_by_role("region", name="Map for picking the position")
    expect(map_area).to_be_visible()
    expect(page.locator(".leaflet-tile-loaded").first).to_be_attached()
    assert tiles_served and all(url.startswith("https://tile.openstreetmap.org/") for url in tiles_served)
    assert page.input_value("#id_lat") == "" and page.input_value("#id_lon") == ""
    _fill_case(page, "깨진 보도블록")

    box = map_area.bounding_box()
    map_area.click(position={"x": box["width"] / 2 + 40, "y": box["height"] / 2 + 30})

    expect(page.locator("#id_lat")).not_to_have_value("")
    district = _expected_district(page)
    status = page.locator(".map-picker-status")
    expect(status).to_contain_text("Selected: ")
    expect(status).to_contain_text(f"— {district.name}")
    expect(page.locator(".leaflet-marker-icon")).to_be_visible()
    lat, lon = page.input_value("#id_lat"), page.input_value("#id_lon")
    check_a11y(page, "filing form with a picked position (phone)")
    check_no_horizontal_scroll(page)
    screenshot(page, "map-picker-file-phone")
    page.set_viewport_size(DESKTOP)
    check_a11y(page, "filing form with a picked position (desktop)")
    screenshot(page, "map-picker-file-desktop")
    page.set_viewport_size(PHONE)

    page.click("main button[type=submit].primary")
    page.wait_for_load_state()
    case = Case.objects.get(title="깨진 보도블록")
    assert (case.lat, case.lon) == (Decimal(lat), Decimal(lon))
    assert case.district == district
    expect(page.locator("#case-district")).to_contain_text(district.name)
    screenshot(page, "map-picker-detail-phone")


def test_keyboard_user_types_coordinates_or_picks_the_centre(demo_site, live_server, page):
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "citizen")
    page.goto(f"{live_server.url}/complaints/file/")
    _fill_case(page, "망원동 가로등 고장")
    status = page.locator(".map-picker-status")

    # Enter on the focused map picks its centre (the configured city centre).
    page.get_by_role("region", name="Map for picking the position").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_lat")).to_have_value("37.566500")
    expect(page.locator("#id_lon")).to_have_value("126.978000")
    page.get_by_role("button", name="Clear the location").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_lat")).to_have_value("")
    expect(status).to_have_text("No position selected.")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(0)

    # Typed coordinates (behind the disclosure) move the marker and are announced with their district.
    page.get_by_text("Enter the coordinates instead").focus()
    page.keyboard.press("Enter")
    page.locator("#id_lat").focus()
    page.keyboard.type("37.5563")
    page.keyboard.press("Tab")
    page.keyboard.type("126.9019")
    page.keyboard.press("Tab")
    district = _expected_district(page)
    expect(status).to_have_text(f"Selected: 37.5563, 126.9019 — {district.name}")
    expect(page.locator(".leaflet-marker-icon")).to_be_visible()
    page.locator("#id_title").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form
    case = Case.objects.get(title="망원동 가로등 고장")
    assert (case.lat, case.lon, case.district) == (Decimal("37.556300"), Decimal("126.901900"), district)
    expect(page.locator("#case-district")).to_contain_text(district.name)


def test_without_scripts_the_form_keeps_plain_coordinate_inputs(demo_site, live_server, browser):
    context = browser.new_context(java_script_enabled=False, locale="en-US", timezone_id="Asia/Seoul", bypass_csp=True)
    page = context.new_page()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "citizen")
    page.goto(f"{live_server.url}/complaints/file/")
    expect(page.locator("[data-map-picker]")).to_be_hidden()
    _fill_case(page, "스크립트 없이 접수")
    page.click("details.coordinates > summary")
    page.fill("#id_lat", "37.5563")
    page.fill("#id_lon", "126.9019")
    page.click("main button[type=submit].primary")
    page.wait_for_load_state()
    case = Case.objects.get(title="스크립트 없이 접수")
    assert case.district == district_at(Decimal("37.5563"), Decimal("126.9019"))
    expect(page.locator("#case-district")).to_contain_text(case.district.name)
    context.close()


def test_the_same_picker_sets_a_poll_site_and_an_alert_circle(demo_site, live_server, page, browser):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/polls/new/")
    page.fill("#id_radius_m", "500")
    map_area = page.get_by_role("region", name="Map for picking the position")
    map_area.click()
    expect(page.locator("#id_center_lat")).not_to_have_value("")
    expect(page.locator("path.leaflet-interactive")).to_have_count(0)  # the circle is not clickable
    expect(page.locator(".leaflet-overlay-pane path")).to_have_count(1)
    check_a11y(page, "poll form with a site (phone)")
    check_no_horizontal_scroll(page)
    screenshot(page, "map-picker-poll-phone")

    # "Near me" sits in a one-line form on wide screens: the map still takes the whole row.
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/polls/")
    near_me = page.get_by_role("region", name="Map for picking the position")
    near_me.click()
    expect(page.locator("#near-lat")).not_to_have_value("")
    assert near_me.bounding_box()["width"] >= page.locator("form.position-form").bounding_box()["width"] - 1
    check_a11y(page, "polls with near me (desktop)")
    screenshot(page, "map-picker-polls-near-desktop")

    alerts = browser.new_context(locale="en-US", timezone_id="Asia/Seoul", bypass_csp=True, viewport=PHONE)
    serve_tiles_locally(alerts)
    author = alerts.new_page()
    log_in(author, live_server, "alerts")
    author.goto(f"{live_server.url}/alerts/manage/new/")
    author.fill("#id_radius_km", "2")
    author.get_by_role("region", name="Map for picking the position").click()
    expect(author.locator("#id_circle_lat")).not_to_have_value("")
    expect(author.locator("input[name=area_kind][value=circle]")).to_be_checked()
    check_a11y(author, "alert form with a circle (phone)")
    check_no_horizontal_scroll(author)
    screenshot(author, "map-picker-alert-phone")
    alerts.close()


def test_korean_reader_gets_the_picker_in_korean(demo_site, live_server, ko_page):
    ko_page.set_viewport_size(PHONE)
    log_in(ko_page, live_server, "citizen")
    ko_page.goto(f"{live_server.url}/complaints/file/")
    ko_page.get_by_role("region", name="위치 선택 지도").click()
    expect(ko_page.locator("#id_lat")).not_to_have_value("")
    district = _expected_district(ko_page)
    expect(ko_page.locator(".map-picker-status")).to_contain_text("선택한 위치: 37.5")
    expect(ko_page.locator(".map-picker-status")).to_contain_text(f"— {district.name_ko}")
    expect(ko_page.get_by_role("button", name="위치 지우기")).to_be_visible()
    check_a11y(ko_page, "filing form in Korean (phone)")
    screenshot(ko_page, "map-picker-file-ko-phone")
