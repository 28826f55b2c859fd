"""Where, not coordinates: the filing form shows the place field and the map first; the
latitude/longitude inputs wait behind a disclosure. A place typed as text is named back
with its district and dong before sending, and the case lands in that district."""

import pytest
from playwright.sync_api import expect

from complaints.models import Case
from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, check_no_horizontal_scroll, log_in, screenshot

pytestmark = pytest.mark.e2e


def test_phone_form_in_korean_shows_place_and_map_with_coordinates_folded(demo_site, live_server, ko_page):
    page = ko_page
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "citizen")
    page.goto(f"{live_server.url}/complaints/file/")

    place = page.get_by_label("장소")
    map_area = page.get_by_role("region", name="위치 선택 지도")
    expect(place).to_be_visible()
    expect(map_area).to_be_visible()
    expect(page.locator("#id_lat")).to_be_hidden()
    expect(page.locator("#id_lon")).to_be_hidden()
    disclosure = page.locator("details.coordinates")
    expect(disclosure).not_to_have_attribute("open", "")
    expect(disclosure.locator("summary")).to_have_text("좌표로 직접 입력")
    # Reading order: the place, then the map, then the folded coordinates.
    assert place.bounding_box()["y"] < map_area.bounding_box()["y"] < disclosure.bounding_box()["y"]
    check_a11y(page, "filing form, place first (phone, Korean)")
    check_no_horizontal_scroll(page)
    screenshot(page, "place-first-file-ko-phone")

    page.select_option("#id_kind", "complaint")
    page.fill("#id_title", "합정역 사거리 신호등 고장")
    page.fill("#id_text", "보행자 신호가 켜지지 않습니다.")
    place.fill("마포구 합정역 사거리")
    place.press("Tab")
    expect(page.locator(".map-picker-status")).to_have_text("찾은 장소: 마포구 합정동")
    expect(page.locator("#id_lat")).to_have_value("")  # a place is not a position
    check_a11y(page, "filing form with a place named back (phone, Korean)")

    page.click("main button[type=submit].primary")
    page.wait_for_load_state()
    case = Case.objects.get(title="합정역 사거리 신호등 고장")
    assert (case.district.code, case.dong, case.lat) == ("11440", "합정동", None)
    expect(page.locator("#case-district")).to_have_text("마포구 합정동")

    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/complaints/file/")
    check_a11y(page, "filing form, place first (desktop, Korean)")
    screenshot(page, "place-first-file-ko-desktop")


def test_coordinates_open_on_request_and_on_error(demo_site, live_server, page):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "citizen")
    page.goto(f"{live_server.url}/complaints/file/")
    page.get_by_text("Enter the coordinates instead").click()
    expect(page.locator("#id_lat")).to_be_visible()
    page.select_option("#id_kind", "complaint")
    page.fill("#id_title", "과천 도로")
    page.fill("#id_text", "도로가 파였어요")
    page.fill("#id_lat", "37.4292")
    page.fill("#id_lon", "126.9876")
    page.click("main button[type=submit].primary")
    page.wait_for_load_state()
    expect(page.get_by_text("This position is outside Seoul")).to_be_visible()
    expect(page.locator("details.coordinates")).to_have_attribute("open", "")
    assert not Case.objects.filter(title="과천 도로").exists()
    check_a11y(page, "filing form with a position outside Seoul (phone)")
    screenshot(page, "place-first-outside-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "place-first-outside-desktop")
