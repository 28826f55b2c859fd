"""Following a case without an account, in a real browser, Korean first, at 360 px and desktop
width: the form, a wrong code, the right code; axe finds no serious or critical violation."""

import pytest

from complaints import services
from tests.complaints.factories import file_case
from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, check_no_horizontal_scroll, screenshot
from tests.factories import CitizenFactory, DepartmentFactory, officer_of

pytestmark = pytest.mark.e2e


@pytest.fixture
def answered_case(transactional_db):
    department = DepartmentFactory(code="parking", name_ko="주차계획과", name_en="Parking Planning Division")
    citizen = CitizenFactory(username="tracked_citizen", full_name="김시민")
    officer = officer_of(department, username="tracked_officer")
    from tests.complaints.factories import RoutingRuleFactory

    RoutingRuleFactory(name="parking", keywords="주차", department=department, priority=10)
    case = file_case(citizen, title="골목 불법 주차", text="망원동 12-3 앞 골목", location_text="망원동 12-3")
    services.case_answer(case=case, by=officer, text="현장을 확인하고 견인 조치했습니다.")
    case.refresh_from_db()
    return case


def _check(page, name):
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        check_a11y(page, f"{name} ({label})")
        if size is PHONE:
            check_no_horizontal_scroll(page)
        screenshot(page, f"complaints-track-{name}-{label}")
    page.set_viewport_size(PHONE)


def test_anyone_with_the_code_follows_the_case_in_korean_at_360px(answered_case, live_server, ko_page):
    page = ko_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/complaints/track/?number={answered_case.tracking_number}")

    assert page.locator("h1").inner_text() == "민원 처리 상황 확인"
    assert page.input_value("#id_tracking_number") == answered_case.tracking_number
    _check(page, "form")

    page.fill("#id_access_code", "ZZZZ-ZZZZ")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "맞는 민원이 없습니다" in page.locator("[role=alert]").inner_text()
    _check(page, "wrong-code")

    page.fill("#id_access_code", answered_case.access_code_display.lower())
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#tracked-status").inner_text() == "답변 완료"
    assert page.locator("#tracked-department").inner_text() == "주차계획과"
    assert "견인 조치했습니다" in page.locator("#tracked-answer").inner_text()
    content = page.content()
    for secret in ("김시민", "망원동 12-3", "골목 불법 주차"):
        assert secret not in content
    _check(page, "answered")
