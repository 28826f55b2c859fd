"""Similar texts in a real Korean browser: the Oasis form shows an existing proposal while the
citizen types a paraphrase of it, and the officer's workspace offers the paraphrased case
nearby; axe (no serious or critical violation) and no sideways scroll at 360 px."""

import pytest
from playwright.sync_api import expect

from civicportal.accounts.models import User
from complaints import filing as complaint_filing
from complaints.models import Channel, Kind
from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, check_no_horizontal_scroll, log_in, screenshot
from tests.proposals.factories import ProposalFactory

pytestmark = pytest.mark.e2e


def audit(page, name):
    page.set_viewport_size(PHONE)
    check_a11y(page, f"{name} @360")
    check_no_horizontal_scroll(page)
    screenshot(page, f"similar-{name}-360")
    page.set_viewport_size(DESKTOP)
    check_a11y(page, f"{name} @desktop")
    screenshot(page, f"similar-{name}-desktop")


def test_the_proposal_form_shows_a_similar_proposal_while_typing(ko_page, live_server, demo_site):
    library = ProposalFactory(title="동네 도서관 야간 개방 확대")
    parking = ProposalFactory(title="도서관 주차장 확대")
    page = ko_page
    log_in(page, live_server, "citizen")
    page.goto(f"{live_server.url}/proposals/new/")

    page.fill("#id_title", "도서관을 밤늦게까지 야간개방")
    page.locator("#id_title").dispatch_event("keyup")

    hint = page.locator("#similar-hint")
    expect(hint.get_by_role("link", name=library.title)).to_be_visible(timeout=10_000)
    expect(hint).not_to_contain_text(parking.title)
    expect(hint).to_contain_text("비슷한 제안")
    audit(page, "proposal-form")


def test_the_workspace_offers_the_paraphrased_case(ko_page, live_server, demo_site):
    citizen = User.objects.get(username="citizen")
    place = {"lat": "37.5663", "lon": "126.9019", "kind": Kind.COMPLAINT, "channel": Channel.WEB}
    earlier = complaint_filing.case_file(
        citizen=citizen,
        filed_by=citizen,
        title="정문 앞 불법주차 신고",
        text="매일 저녁 아파트 정문에 불법주차 차량이 많아 통행이 어렵습니다.",
        **place,
    )
    unrelated = complaint_filing.case_file(
        citizen=citizen,
        filed_by=citizen,
        title="아파트 정문 쓰레기 무단 투기",
        text="정문 옆 분리수거장에 쓰레기를 몰래 버리고 갑니다.",
        **place,
    )
    new = complaint_filing.case_file(
        citizen=citizen,
        filed_by=citizen,
        title="아파트 정문 불법 주차",
        text="아파트 정문 앞에 불법 주차한 차들 때문에 다니기 힘들어요. 단속해 주세요.",
        **place,
    )
    new.refresh_from_db()
    officer = demo_site.department_officer(new.department.code)  # whoever the case was routed to
    page = ko_page
    log_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/complaints/work/{new.tracking_number}/")

    panel = page.locator("section.card", has=page.get_by_role("heading", name="유사한 처리 중 민원"))
    expect(panel).to_contain_text(earlier.tracking_number)
    expect(panel).to_contain_text("유사도 0.")
    expect(panel).not_to_contain_text(unrelated.tracking_number)
    audit(page, "workspace")
