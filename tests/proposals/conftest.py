import pytest

from proposals import services
from proposals.models import PanelMember
from tests.factories import CitizenFactory
from tests.proposals.factories import ProposalFactory, panel_member


@pytest.fixture
def proposal(citizen, department):
    return ProposalFactory(author=citizen, department=department, title="Shade canopies at bus stops")


@pytest.fixture
def make_voters(db):
    def make(n, prefix="voter"):
        return [CitizenFactory(username=f"{prefix}{i}") for i in range(n)]

    return make


@pytest.fixture
def internal_expert(db):
    return panel_member("expert_internal", PanelMember.Panel.INTERNAL)


@pytest.fixture
def external_expert(db):
    return panel_member("expert_external", PanelMember.Panel.EXTERNAL)


@pytest.fixture
def in_review(proposal, make_voters, settings):
    """The proposal after 11 citizens supported it."""
    settings.PROPOSAL_VOTE_THRESHOLD = 10
    for voter in make_voters(11):
        services.proposal_vote(voter=voter, proposal_id=proposal.pk)
    proposal.refresh_from_db()
    return proposal


@pytest.fixture
def evaluated(in_review, officer, internal_expert, external_expert):
    services.evaluator_assign(
        officer=officer, proposal_id=in_review.pk, evaluator_user_ids=[internal_expert.pk, external_expert.pk]
    )
    for expert in (internal_expert, external_expert):
        services.evaluation_submit(
            evaluator=expert,
            proposal_id=in_review.pk,
            necessity=4,
            effectiveness=4,
            feasibility=3,
            budget=3,
            comment="Sound idea, moderate cost.",
        )
    return in_review
