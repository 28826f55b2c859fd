"""A decision reaches every voter through the broker and a real worker, in chunks."""

import pytest

from civicportal.notifications.models import Notification
from proposals import services
from proposals.models import Decision, PanelMember
from tests.factories import CitizenFactory, DepartmentFactory, officer_of
from tests.integration.conftest import wait_for
from tests.proposals.factories import ProposalFactory, panel_member

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _districts(transactional_db):
    from civicportal.accounts.districts import load_districts
    from civicportal.accounts.models import District

    load_districts(District)


def test_decision_fans_out_to_every_voter_through_the_worker(celery_worker, settings, monkeypatch):
    settings.PROPOSAL_VOTE_THRESHOLD = 1000  # keep it open while 25 citizens vote
    monkeypatch.setattr(services, "VOTER_CHUNK", 10)
    department = DepartmentFactory(code="parking")
    officer = officer_of(department, username="fanout_officer")
    expert = panel_member("fanout_expert", PanelMember.Panel.EXTERNAL)
    proposal = ProposalFactory(department=department)
    voters = [CitizenFactory(username=f"fanout{i}") for i in range(25)]
    for voter in voters:
        services.proposal_vote(voter=voter, proposal_id=proposal.pk)
    settings.PROPOSAL_VOTE_THRESHOLD = 10
    proposal.transition_to("in_review")
    services.evaluator_assign(officer=officer, proposal_id=proposal.pk, evaluator_user_ids=[expert.pk])
    services.evaluation_submit(
        evaluator=expert, proposal_id=proposal.pk, necessity=3, effectiveness=3, feasibility=3, budget=3, comment="ok"
    )

    services.proposal_decide(
        officer=officer,
        proposal_id=proposal.pk,
        outcome="rejected",
        summary="Not this year.",
        reason_budget=True,
        reasons="No budget left.",
    )

    def notified():
        return set(Notification.objects.filter(kind="proposals.decided_voter").values_list("recipient_id", flat=True))

    assert wait_for(lambda: len(notified()) == 25, timeout=30)
    assert notified() == {v.pk for v in voters}
    assert Decision.objects.get().voters_notified_at is not None
