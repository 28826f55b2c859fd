"""The desk officer's queue and transfer dialog with learned suggestions, in Korean, on a phone
and a desktop: readable, nothing sticks out at 360 px, and axe finds no serious violation."""

import pytest
from playwright.sync_api import expect

from civicportal.accounts.models import User
from complaints import filing, routing, suggestions
from complaints.models import RoutingSettings
from tests.complaints.learned_history import generated, load_history
from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, check_no_horizontal_scroll, log_in, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def waiting_case(demo_site):
    by_code = load_history(list(generated()))
    assert suggestions.routing_model_train() is not None
    RoutingSettings.objects.filter(pk=1).update(threshold=1.0)  # stays at the desk
    routing.clear_caches()
    citizen = User.objects.get(username="citizen")
    case = filing.case_file(
        citizen=citizen,
        filed_by=citizen,
        kind="complaint",
        channel="web",
        title="심야버스 노선 연장 요청",
        text="심야버스 노선을 우리 동네까지 연장해 주세요. 출근 시간에 버스가 정류장을 그냥 지나갑니다.",
    )
    assert case.department.code == "coordination-desk"
    return case, by_code["bus-policy"]


def test_the_desk_sees_the_suggestions_in_its_queue_and_transfer_dialog(live_server, ko_page, waiting_case):
    case, bus_policy = waiting_case
    page = ko_page
    log_in(page, live_server, "desk")
    for size, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/complaints/queue/")
        expect(page.locator(".routing-suggestions").first).to_contain_text("추천 부서:")
        expect(page.locator(".routing-suggestions").first).to_contain_text(bus_policy.name_ko)
        check_no_horizontal_scroll(page)
        check_a11y(page, f"desk queue ({name})")
        screenshot(page, f"learned-routing-queue-{name}")

        page.goto(f"{live_server.url}/complaints/work/{case.tracking_number}/")
        dialog = page.locator(".routing-suggestions")
        expect(dialog).to_contain_text("크게 작용한 단어:")
        expect(dialog.locator("li").first).to_contain_text(bus_policy.name_ko)
        expect(page.locator("#id_to_department")).to_have_value(str(bus_policy.pk))
        check_no_horizontal_scroll(page)
        check_a11y(page, f"transfer dialog ({name})")
        screenshot(page, f"learned-routing-transfer-{name}")
