"""A proposal's whole life in a real browser, with axe at 360 px and desktop on every page."""

import re

import pytest
from playwright.sync_api import expect

from proposals import demo as proposals_demo
from proposals import services
from proposals.models import Proposal, ThemedCall
from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, check_no_horizontal_scroll, log_in, screenshot
from tests.factories import CitizenFactory

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # check_a11y injects axe as an inline script, which the site's strict CSP blocks.
    return {**browser_context_args, "bypass_csp": True}


def audit(page, name):
    """axe (serious/critical fail) at phone and desktop widths; no sideways scroll on the phone."""
    page.set_viewport_size(PHONE)
    check_a11y(page, f"{name} @360")
    check_no_horizontal_scroll(page)
    screenshot(page, f"proposals-{name}-360")
    page.set_viewport_size(DESKTOP)
    check_a11y(page, f"{name} @desktop")
    screenshot(page, f"proposals-{name}-desktop")


def switch_user(page, live_server, username):
    page.context.clear_cookies()
    log_in(page, live_server, username)


def test_citizen_proposal_to_adoption(page, live_server, demo_site, settings):
    settings.PROPOSAL_VOTE_THRESHOLD = 10
    proposals_demo.load()  # the two expert panels, a themed call, proposals at every stage
    base = live_server.url

    # Public pages, anonymous
    for path, name in [
        ("/proposals/", "index"),
        ("/proposals/?list=supported", "most-supported"),
        ("/proposals/calls/", "themed-calls"),
        ("/proposals/statistics/", "statistics"),
    ]:
        page.goto(base + path)
        audit(page, name)
    call = ThemedCall.objects.get(title=proposals_demo.CALL_TITLE)
    page.goto(f"{base}/proposals/calls/{call.pk}/")
    audit(page, "themed-call")

    # 1. The citizen submits a proposal
    log_in(page, live_server, "citizen")
    page.goto(f"{base}/proposals/new/")
    audit(page, "submit")
    page.fill("#id_title", "Bicycle racks at every subway exit")
    page.fill("#id_problem", "Bicycles are chained to railings and block the pavement.")
    page.fill("#id_idea", "Install covered bicycle racks at every subway exit.")
    page.fill("#id_expected_effect", "Clear pavements and more people cycling to the subway.")
    page.select_option("#id_department", label="Parking Planning Division")
    page.get_by_role("button", name=re.compile("Submit|제출")).first.click()
    page.wait_for_url(re.compile(r"/proposals/\d+/$"))
    proposal = Proposal.objects.get(title="Bicycle racks at every subway exit")
    assert proposal.status == Proposal.Status.OPEN
    audit(page, "detail-open")
    page.goto(f"{base}/proposals/mine/")
    audit(page, "mine")

    # 2. Ten citizens support it through the service, the eleventh in the browser
    for i in range(10):
        services.proposal_vote(voter=CitizenFactory(username=f"supporter{i}"), proposal_id=proposal.pk)
    switch_user(page, live_server, "citizen2")
    page.goto(f"{base}/proposals/{proposal.pk}/")
    page.locator("form[action$='/vote/'] button").click()
    page.wait_for_load_state()
    expect(page.locator("#vote-count")).to_have_text("11")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.IN_REVIEW
    audit(page, "detail-in-review")
    page.goto(f"{base}/proposals/my-votes/")
    audit(page, "my-votes")

    # 3. The department assigns one expert of each panel
    switch_user(page, live_server, "officer")
    page.goto(f"{base}/proposals/workspace/calls/new/")
    audit(page, "themed-call-new")
    page.goto(f"{base}/proposals/workspace/")
    audit(page, "workspace")
    page.get_by_role("link", name="Bicycle racks at every subway exit").click()
    page.wait_for_load_state()
    audit(page, "workspace-detail")
    for label in page.locator("input[name='assign-evaluators']").all():
        label.check()
    page.locator("form:has(input[value='assign']) button[type=submit]").click()
    page.wait_for_load_state()
    assert proposal.assignments.count() == 2

    # 4. Both evaluators score it
    for username in ("evaluator", "evaluator2"):
        switch_user(page, live_server, username)
        page.goto(f"{base}/proposals/evaluations/")
        audit(page, f"evaluations-{username}")
        page.get_by_role("link", name="Bicycle racks at every subway exit").click()
        page.wait_for_load_state()
        audit(page, f"evaluate-{username}")
        for field in ("necessity", "effectiveness", "feasibility", "budget"):
            page.check(f"input[name={field}][value='4']")
        page.fill("#id_comment", "Cheap, visible and useful.")
        page.locator("form.score-form button[type=submit]").click()
        page.wait_for_load_state()
    assert proposal.assignments.filter(evaluation__isnull=False).count() == 2

    # 5. The department adopts it
    switch_user(page, live_server, "officer")
    page.goto(f"{base}/proposals/workspace/{proposal.pk}/")
    page.check("input[name='decision-outcome'][value='adopted']")
    page.fill("#id_decision-summary", "The city will install racks at 300 exits.")
    page.fill("#id_decision-necessity", "Pavements are blocked.")
    page.fill("#id_decision-effectiveness", "More cycling, clearer walkways.")
    page.fill("#id_decision-feasibility", "Exits have space.")
    page.fill("#id_decision-required_budget", "450000000")
    page.locator("form:has(input[value='decision']) button[type=submit]").click()
    page.wait_for_load_state()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ADOPTED

    # 6. The author sees the decision
    switch_user(page, live_server, "citizen")
    page.goto(f"{base}/proposals/{proposal.pk}/")
    expect(page.locator("#decision-title")).to_be_visible()
    expect(page.locator(".decision")).to_contain_text("The city will install racks at 300 exits.")
    expect(page.locator(".decision")).to_contain_text("450,000,000")
    audit(page, "detail-decided")
    page.goto(f"{base}/notifications/")
    expect(page.locator("main")).to_contain_text("Bicycle racks at every subway exit")
