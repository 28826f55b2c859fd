"""Pages where a person waits for news update themselves over /ws/live/, through the ASGI server:
an approved alert appears under the header and the all-clear removes it, a poll's results move
after a vote, an officer's queue and the monitoring board count a new case; no reload."""

import re

import pytest
from playwright.sync_api import expect

from civicportal.accounts.models import User
from civicportal.notifications import alerts
from tests.e2e.conftest import PHONE, check_a11y, check_no_horizontal_scroll, log_in, screenshot
from tests.notifications.factories import make_alert

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
HEADLINE = "[서울시] 한강 수위 상승: 둔치 주차장을 즉시 비우십시오"


@pytest.fixture(autouse=True)
def _quick_news(settings):
    settings.REALTIME_COALESCE_SECONDS = 0.3
    settings.REALTIME_POLL_COALESCE_SECONDS = 0.3
    settings.REALTIME_BOARD_COALESCE_SECONDS = 0.3


def wait_subscribed(page):
    page.wait_for_function("() => document.documentElement.dataset.live === 'subscribed'", timeout=10_000)


def unread_on_bell(page):
    return int(re.search(r"\d+", page.locator("a.bell").get_attribute("aria-label")).group(0))


def test_an_approved_alert_appears_on_an_open_page_and_the_all_clear_removes_it(
    ko_page, browser, asgi_server, demo_site
):
    author = User.objects.get(username="alerts")
    alert = make_alert(author, area_kind="city", texts={"ko": {"headline": HEADLINE}}, channels=["in_app"])
    alerts.alert_submit(alert=alert, by=author)

    citizen = ko_page
    citizen.set_viewport_size(PHONE)
    log_in(citizen, asgi_server, "citizen")
    citizen.goto(f"{asgi_server.url}/")
    wait_subscribed(citizen)
    assert HEADLINE not in citizen.locator("#alert-banner").inner_text()
    bell_before = unread_on_bell(citizen)
    assert citizen.locator("#alert-banner").get_attribute("aria-live") == "polite"

    # Another person, in another browser, approves it (four eyes).
    approver_context = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul")
    approver = approver_context.new_page()
    log_in(approver, asgi_server, "alerts_approver")
    approver.goto(f"{asgi_server.url}/alerts/manage/{alert.pk}/")
    approver.click(f"form[action='/alerts/manage/{alert.pk}/approve/'] button")
    approver.wait_for_load_state()
    approver_context.close()

    banner = citizen.get_by_role("region", name="발효 중인 재난 경보")
    expect(banner.get_by_role("link", name=HEADLINE)).to_be_visible(timeout=10_000)
    expect(citizen.locator("a.bell")).to_have_attribute(
        "aria-label", re.compile(rf"\b{bell_before + 1}\b"), timeout=10_000
    )  # the in-app delivery of the fan-out is counted too
    check_a11y(citizen, "home with an alert pushed in, 360 px")
    check_no_horizontal_scroll(citizen)
    screenshot(citizen, "live-alert-pushed-phone")

    alert.refresh_from_db()  # approved and sent by the server's threads
    all_clear = make_alert(
        author, msg_type="Cancel", references=alert, urgency="Past", texts={"ko": {"headline": "한강 수위 경보 해제"}}
    )
    alerts.alert_submit(alert=all_clear, by=author)
    alerts.alert_approve(alert=all_clear, by=User.objects.get(username="alerts_approver"))
    expect(citizen.locator("#alert-banner")).not_to_contain_text(HEADLINE, timeout=10_000)


def test_a_polls_results_move_after_a_vote_without_a_reload(page, asgi_server, demo_site):
    from polls import demo as polls_demo
    from polls import services
    from polls.models import Poll
    from tests.factories import CitizenFactory

    services.forget_hot_poll()
    polls_demo.load()
    poll = Poll.objects.get(question=polls_demo.MAPO_QUESTION)
    poll.results_visible_while_open = True
    poll.save(update_fields=["results_visible_while_open"])

    log_in(page, asgi_server, "officer")
    page.goto(f"{asgi_server.url}/polls/{poll.pk}/results/")
    wait_subscribed(page)
    assert "0 ballots" in page.locator("#live-results").inner_text()
    page.evaluate(
        """partial => { window.fetched = 0; const f = window.fetch;
            window.fetch = (url, init) => {
                if (String(url).endsWith(partial)) window.fetched++;
                return f(url, init);
            }; }""",
        page.locator("#live-results").get_attribute("data-live-url"),
    )
    page.wait_for_timeout(1500)
    assert page.evaluate("window.fetched") == 0  # nothing polls while the socket is up and nothing changes

    voter = CitizenFactory(username="neighbour")
    services.vote_cast(poll=poll, voter=voter, option_ids=[poll.options.first().pk])
    expect(page.locator("#live-results")).to_contain_text("1 ballot ", timeout=10_000)
    assert page.evaluate("window.fetched") == 1
    assert page.url.endswith(f"/polls/{poll.pk}/results/")


def test_the_officers_queue_and_the_board_count_a_new_case(page, browser, asgi_server, demo_site):
    from complaints import filing, routing
    from complaints.models import Channel, Kind

    log_in(page, asgi_server, "officer")  # Parking Planning Division
    page.set_viewport_size(PHONE)
    page.goto(f"{asgi_server.url}/complaints/queue/")
    wait_subscribed(page)
    count_before = page.locator("#queue-rows > p.meta").inner_text()

    monitor_context = browser.new_context(locale="en-US", timezone_id="Asia/Seoul", bypass_csp=True)
    board = monitor_context.new_page()
    log_in(board, asgi_server, "monitor")
    board.goto(f"{asgi_server.url}/complaints/board/")
    wait_subscribed(board)
    stamp_before = board.locator("#board time").first.get_attribute("datetime")
    board.wait_for_timeout(1100)  # the board's clock shows seconds: a new render has a new stamp

    from civicportal.accounts.models import Department
    from complaints.models import RoutingRule

    RoutingRule.objects.create(
        name="둔치 주차장", keywords="둔치", department=Department.objects.get(code="parking"), priority=1
    )
    routing.clear_caches()
    citizen = User.objects.get(username="citizen")
    case = filing.case_file(
        citizen=citizen,
        filed_by=citizen,
        kind=Kind.COMPLAINT,
        title="한강공원 주차장 불법 주차",
        text="둔치 주차장 입구에 불법 주차 차량이 있습니다.",
        channel=Channel.WEB,
    )
    assert case.department.code == "parking"

    expect(page.locator("#queue-rows")).to_contain_text(case.tracking_number, timeout=10_000)
    assert page.locator("#queue-rows > p.meta").inner_text() != count_before
    check_a11y(page, "queue after a pushed case, 360 px")
    check_no_horizontal_scroll(page)
    screenshot(page, "live-queue-phone")

    expect(board.locator("#board time").first).not_to_have_attribute("datetime", stamp_before, timeout=10_000)
    check_a11y(board, "board after a pushed case")
    monitor_context.close()
