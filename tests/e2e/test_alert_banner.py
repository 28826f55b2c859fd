"""The alerts in force under the header of the home page, on a phone, in Korean; axe clean."""

import re

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, check_no_horizontal_scroll, log_in, screenshot
from tests.notifications.factories import alert_approver, alert_author, approved_alert

pytestmark = pytest.mark.e2e
CITY_HEADLINE = "[서울시] 미세먼지 비상저감조치 발령: 외출을 자제하십시오"


def banner(page):
    return page.get_by_role("region", name="발효 중인 재난 경보")


def unread_on_bell(page):
    label = page.locator("a.bell").get_attribute("aria-label")
    return int(re.search(r"\d+", label).group(0))


def test_the_home_page_shows_the_alerts_in_force_at_360_px(ko_page, live_server, demo_site):
    from civicportal.notifications import demo as notifications_demo

    notifications_demo.load()  # the Mapo-gu fire, in force now
    approved_alert(
        alert_author(),
        alert_approver(),
        area_kind="city",
        severity="Moderate",
        category="Env",
        texts={"ko": {"headline": CITY_HEADLINE}},
    )
    mapo_headline = "[마포구] 합정동 상가 건물 화재"
    page = ko_page
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/")
    region = banner(page)
    assert region.is_visible()
    assert region.get_by_role("link", name=CITY_HEADLINE).is_visible()
    assert "재난 경보 · 보통" in region.inner_text()  # the severity in words
    assert mapo_headline not in region.inner_text()  # a district alert: not for an anonymous visitor
    check_a11y(page, "home with a city-wide alert, anonymous, 360 px")
    check_no_horizontal_scroll(page)
    screenshot(page, "alert-banner-anonymous-phone")

    log_in(page, live_server, "citizen")  # lives in Mapo-gu
    page.goto(f"{live_server.url}/")
    region = banner(page)
    assert "재난 경보 · 심각" in region.inner_text()
    mapo_link = region.get_by_role("link", name=re.compile(re.escape(mapo_headline)))
    assert mapo_link.is_visible()
    box = region.bounding_box()
    header = page.locator("header.site-header").bounding_box()
    assert abs(box["y"] - (header["y"] + header["height"])) < 2  # right under the header
    assert unread_on_bell(page) == 2
    check_a11y(page, "home with two alerts, citizen, 360 px")
    check_no_horizontal_scroll(page)
    screenshot(page, "alert-banner-citizen-phone")

    mapo_link.click()
    page.wait_for_load_state()
    assert "/alerts/KR-SEOUL-DEMO-MAPO-FIRE-0002/" in page.url
    page.goto(f"{live_server.url}/")
    assert unread_on_bell(page) == 1  # the opened alert is read; the banner still shows it
    assert banner(page).get_by_role("link", name=re.compile(re.escape(mapo_headline))).is_visible()

    page.set_viewport_size(DESKTOP)
    check_a11y(page, "home with two alerts, citizen, 1280 px")
    screenshot(page, "alert-banner-citizen-desktop")
