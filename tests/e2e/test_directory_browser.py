"""The city directory in a real browser, Korean first, at 360 px and desktop width: the tree,
a search, a department's page, and the way there from a case page; axe finds no serious or
critical violation."""

import pytest

from civicportal.accounts.models import Department, User
from complaints import demo as complaints_demo
from complaints.models import Category, RoutingRule
from tests.complaints.factories import file_case
from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, check_no_horizontal_scroll, log_in, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def directory_site(demo_site):
    departments = {d.code: d for d in Department.objects.all()}
    categories = {
        code: Category.objects.create(code=code, name_ko=ko, name_en=en) for code, ko, en in complaints_demo.CATEGORIES
    }
    for priority, name, kind, category, keywords, department, _simple in complaints_demo.RULES:
        RoutingRule.objects.create(
            priority=priority,
            name=name,
            kind=kind,
            category=categories.get(category),
            keywords=keywords,
            department=departments[department],
        )
    return departments


def _check(page, name):
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        check_a11y(page, f"{name} ({label})")
        if size is PHONE:
            check_no_horizontal_scroll(page)
        screenshot(page, f"directory-{name}-{label}")
    page.set_viewport_size(PHONE)


def test_a_korean_reader_browses_searches_and_opens_a_department_at_360px(directory_site, live_server, ko_page):
    page = ko_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    page.click("nav.programs >> text=서울시 부서 안내")

    assert page.locator("h1").inner_text() == "서울시 부서 안내"
    assert page.locator("main a[href='/directory/mapo-gu-office/']").inner_text() == "마포구청"
    _check(page, "tree")

    page.fill("#directory-q", "가로등이 고장나면")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("main .directory-cards h3").all_inner_texts() == ["도로관리과"]
    _check(page, "search")

    page.click("main .directory-cards h3 a")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "도로관리과"
    assert "02-2133-8040" in page.locator("main .facts").inner_text()
    assert "도로·가로등" in page.locator("main").inner_text()
    _check(page, "department")


def test_an_english_reader_searches_in_english(directory_site, live_server, page):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/directory/?q=noise")

    assert page.locator("main .directory-cards h3").all_inner_texts() == ["Living Environment Division"]
    check_a11y(page, "search in English")


def test_a_citizen_goes_from_a_case_to_the_department_handling_it(directory_site, live_server, ko_page):
    citizen = User.objects.get(username="citizen")
    case = file_case(citizen, title="불법 주차 신고", text="집 앞 불법 주차 차량")
    page = ko_page
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "citizen")
    page.goto(f"{live_server.url}/complaints/c/{case.tracking_number}/")

    page.click("#case-department")
    page.wait_for_load_state()

    assert page.url == f"{live_server.url}/directory/parking/"
    assert page.locator("h1").inner_text() == "주차계획과"
    roles = page.locator("main table.roles").inner_text()
    assert "주무관" in roles and "박주무관" in roles  # the demo parking division publishes names
    _check(page, "department-from-case")
