"""The open-data dashboard and catalogue in a real browser, Korean first, at 360 px and at
desktop width: the map of the 25 districts, the charts with their tables; axe finds no
serious or critical violation and nothing scrolls sideways on a phone."""

import datetime as dt
import random

import pytest

from callcenter.models import Contact
from opendata import services
from tests.callcenter.factories import ContactFactory
from tests.complaints.factories import CategoryFactory
from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, check_no_horizontal_scroll, screenshot
from tests.factories import DepartmentFactory
from tests.opendata.conftest import make_cases  # noqa: F401 - a fixture, used by name

pytestmark = pytest.mark.e2e

DISTRICTS = [("11440", "합정동"), ("11680", "역삼1동"), ("11110", "청운효자동"), ("11710", "잠실본동"), ("11350", "")]


@pytest.fixture
def department(transactional_db):
    return DepartmentFactory(code="parking", name_ko="주차계획과", name_en="Parking Planning Division")


@pytest.fixture
def published(request):
    make = request.getfixturevalue("make_cases")
    rng = random.Random(7)
    categories = [
        CategoryFactory(code="noise", name_ko="소음", name_en="Noise"),
        CategoryFactory(code="parking", name_ko="불법 주정차", name_en="Illegal parking"),
        CategoryFactory(code="roads", name_ko="도로 파손", name_en="Damaged roads"),
    ]
    for month in range(1, 7):
        for code, dong in DISTRICTS:
            make(
                rng.randrange(5, 12),
                district_code=code,
                dong=dong,
                category=rng.choice(categories),
                day=dt.date(2026, month, 10),
                status="answered",
                answered_at=dt.datetime(2026, month, 11, rng.randrange(0, 9), tzinfo=dt.UTC),
            )
    for channel, language, n in (
        (Contact.Channel.VOICE, Contact.Language.KOREAN, 9),
        (Contact.Channel.TEXT_CHAT, Contact.Language.ENGLISH, 4),
        (Contact.Channel.SIGN_LANGUAGE, Contact.Language.KOREAN, 2),
    ):
        ContactFactory.create_batch(n, channel=channel, language=language)
    services.datasets_refresh_all()


def _check(page, name):
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        check_a11y(page, f"{name} ({label})")
        if size is PHONE:
            check_no_horizontal_scroll(page)
        screenshot(page, f"opendata-{name}-{label}")


def test_dashboard_in_korean_at_360px_and_desktop(published, live_server, ko_page):
    page = ko_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/opendata/dashboard/")

    assert page.locator("h1").inner_text() == "서울 데이터 대시보드"
    assert page.locator(".od-map svg path").count() >= 25
    assert page.locator("#district-table + thead, table.od-table").first.is_visible()
    assert page.get_by_role("row", name="마포구").count() == 1
    _check(page, "dashboard")

    page.get_by_role("link", name="처리 시간").click()
    page.wait_for_load_state()
    assert "measure=time" in page.url
    assert page.get_by_role("link", name="처리 시간").get_attribute("aria-current") == "page"
    _check(page, "dashboard-time")


def test_catalogue_and_dataset_page_in_korean(published, live_server, ko_page):
    page = ko_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/opendata/")
    assert page.get_by_role("heading", name="응답소 민원 처리 현황").is_visible()
    _check(page, "catalogue")

    page.get_by_role("link", name="응답소 민원 처리 현황", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="데이터 사전").is_visible()
    _check(page, "dataset")
