"""A citizen signs up, logs in, switches language, at phone and desktop widths; axe on every page."""

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, check_no_horizontal_scroll, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_citizen_signs_up_logs_in_and_switches_language(ko_page, live_server, demo_site, viewport):
    page = ko_page
    width = viewport["width"]
    page.set_viewport_size(viewport)
    page.goto(live_server.url + "/")
    check_a11y(page, "home")
    check_no_horizontal_scroll(page)
    screenshot(page, f"home-{width}")

    page.get_by_role("link", name="회원가입").first.click()
    check_a11y(page, "sign-up")
    page.fill("#id_username", f"newcitizen{width}")
    page.fill("#id_full_name", "홍길동")
    page.fill("#id_email", f"new{width}@example.org")
    page.fill("#id_password1", "a-long-and-unusual-passphrase")
    page.fill("#id_password2", "a-long-and-unusual-passphrase")
    page.check("#id_terms")
    page.check("#id_privacy")
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/me/")
    check_a11y(page, "my page")
    check_no_horizontal_scroll(page)
    screenshot(page, f"my-page-{width}")

    # Log out and back in.
    page.get_by_role("button", name="로그아웃").click()
    page.wait_for_url(live_server.url + "/")
    log_in(page, live_server, f"newcitizen{width}", "a-long-and-unusual-passphrase")
    page.wait_for_url("**/accounts/me/")
    assert page.get_by_role("heading", name="마이페이지").is_visible()

    # English and back.
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="My page").is_visible()
    check_a11y(page, "my page (en)")
    page.get_by_role("button", name="한국어").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ko"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_kernel_page_passes_axe(page, live_server, demo_site, viewport):
    page.set_viewport_size(viewport)
    public = [
        "/",
        "/accounts/login/",
        "/accounts/sign-up/",
        "/accounts/password-reset/",
        "/accounts/password-reset/done/",
        "/accounts/reset/done/",
        "/no-such-page/",
    ]
    for path in public:
        page.goto(live_server.url + path)
        check_a11y(page, path)
        check_no_horizontal_scroll(page)
    log_in(page, live_server, "citizen")
    for path in ["/accounts/me/", "/notifications/", "/accounts/password-change/"]:
        page.goto(live_server.url + path)
        check_a11y(page, path)
        check_no_horizontal_scroll(page)


def test_failed_login_shows_an_error_message(page, live_server, demo_site):
    log_in(page, live_server, "citizen", "wrong-password")
    assert page.locator(".form-errors").is_visible()
    check_a11y(page, "login error")
