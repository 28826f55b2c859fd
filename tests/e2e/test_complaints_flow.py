"""A citizen files a case with a photo, an officer answers it, the citizen sees the answer and
rates it; every page of the program is checked with axe at 360 px and at desktop width."""

import pytest

from complaints import demo as complaints_demo
from complaints.models import Case, Rating
from tests.complaints.factories import image_bytes
from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, check_no_horizontal_scroll, log_in, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe is injected as an inline script, which the site's strict CSP would block.
    return {**browser_context_args, "bypass_csp": True}


def _check(page, name):
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        check_a11y(page, f"{name} ({label})")
        if size is PHONE:
            check_no_horizontal_scroll(page)
        screenshot(page, f"complaints-{name}-{label}")
    page.set_viewport_size(PHONE)


def test_citizen_files_officer_answers_citizen_rates(demo_site, live_server, page, browser, tmp_path):
    complaints_demo.load()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "citizen")

    page.goto(f"{live_server.url}/complaints/")
    _check(page, "index")
    page.goto(f"{live_server.url}/complaints/file/")
    _check(page, "file")
    page.select_option("#id_kind", "complaint")
    page.fill("#id_title", "골목길 불법 주차")
    page.fill("#id_text", "망원동 골목에 불법 주차 차량 때문에 소방차가 들어갈 수 없습니다.")
    page.fill("#id_location_text", "망원동 골목")
    page.click("details.coordinates > summary")  # the coordinates are a fallback behind a disclosure
    page.fill("#id_lat", "37.5563")
    page.fill("#id_lon", "126.9019")
    photo = tmp_path / "street.jpg"
    photo.write_bytes(image_bytes(size=(320, 240)))
    page.set_input_files("#id_attachments", str(photo))
    page.click("main button[type=submit].primary")
    page.wait_for_load_state()

    case = Case.objects.get(title="골목길 불법 주차")
    assert case.tracking_number in page.content()
    assert case.attachments.count() == 1 and case.department.code == "parking"
    _check(page, "detail-filed")
    page.goto(f"{live_server.url}/complaints/mine/")
    _check(page, "mine")

    officer_page = browser.new_page(bypass_csp=True, locale="ko-KR", timezone_id="Asia/Seoul")
    officer_page.set_viewport_size(PHONE)
    log_in(officer_page, live_server, "officer")
    officer_page.goto(f"{live_server.url}/complaints/queue/")
    assert case.tracking_number in officer_page.content()
    _check(officer_page, "queue")
    officer_page.goto(f"{live_server.url}/complaints/work/{case.tracking_number}/")
    _check(officer_page, "workspace")
    officer_page.fill("#id_text", "현장을 확인하고 해당 차량을 견인하였습니다. 단속을 강화하겠습니다.")
    officer_page.click("form:has(input[value=answer]) button[type=submit]")
    officer_page.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == "answered"
    officer_page.close()

    page.goto(f"{live_server.url}/complaints/c/{case.tracking_number}/")
    assert "견인하였습니다" in page.inner_text("#answer-text")
    _check(page, "detail-answered")
    page.check("input[name=score][value='5']")
    page.fill("#id_comment", "빠른 처리 감사합니다")
    page.click("form[action$='/rate/'] button[type=submit]")
    page.wait_for_load_state()
    assert Rating.objects.get(case=case).score == 5
    _check(page, "detail-rated")

    page.goto(f"{live_server.url}/complaints/examples/?q=가로등이")
    assert "골목길 가로등이 고장났습니다" in page.content()
    _check(page, "examples")


def test_monitoring_board_and_report_are_accessible(demo_site, live_server, page):
    complaints_demo.load()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "monitor")

    page.goto(f"{live_server.url}/complaints/board/")
    assert page.locator("#board table").count() >= 2
    _check(page, "board")
    page.goto(f"{live_server.url}/complaints/report/")
    page.wait_for_selector("#chart-series")
    _check(page, "report")
