"""Concurrent voters on PostgreSQL: the count is exact and the threshold is crossed once."""

import threading

import pytest
from django.db import connection

from civicportal.errors import DomainError
from civicportal.notifications.models import Notification
from proposals import services
from proposals.models import Proposal, ProposalEvent, ProposalVote
from tests.factories import CitizenFactory
from tests.proposals.factories import ProposalFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _districts():
    # A transactional test flushes the tables, the districts of the data migration too.
    from civicportal.accounts.districts import load_districts
    from civicportal.accounts.models import District

    load_districts(District)


def run_concurrently(voters, proposal_id, repeat=1):
    barrier = threading.Barrier(len(voters) * repeat)
    errors, done = [], []

    def vote(voter):
        try:
            barrier.wait()
            services.proposal_vote(voter=voter, proposal_id=proposal_id)
            done.append(voter.pk)
        except DomainError as exc:
            errors.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(v,)) for v in voters for _ in range(repeat)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done, errors


def test_64_concurrent_voters_cross_the_threshold_exactly_once(settings):
    settings.PROPOSAL_VOTE_THRESHOLD = 10
    author = CitizenFactory(username="author")
    proposal = ProposalFactory(author=author)
    voters = [CitizenFactory(username=f"concurrent{i}") for i in range(64)]
    done, errors = run_concurrently(voters, proposal.pk)
    proposal.refresh_from_db()
    # Exactly 11 votes got in (the 11th moved it to review); the others were refused.
    assert proposal.status == Proposal.Status.IN_REVIEW
    assert proposal.vote_count == ProposalVote.objects.filter(proposal=proposal).count() == 11 == len(done)
    assert sorted(set(errors)) == ["voting_closed"]
    assert ProposalEvent.objects.filter(proposal=proposal, kind="threshold").count() == 1
    assert Notification.objects.filter(recipient=author, kind="proposals.in_review").count() == 1


def test_concurrent_double_votes_count_once(settings):
    settings.PROPOSAL_VOTE_THRESHOLD = 1000
    proposal = ProposalFactory()
    voters = [CitizenFactory(username=f"double{i}") for i in range(8)]
    done, errors = run_concurrently(voters, proposal.pk, repeat=2)
    proposal.refresh_from_db()
    assert proposal.vote_count == ProposalVote.objects.filter(proposal=proposal).count() == 8 == len(done)
    assert errors == ["already_voted"] * 8
