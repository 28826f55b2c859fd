"""Factories of Oasis."""

from datetime import timedelta

import factory
from django.utils import timezone

from civicportal.accounts.models import Role
from proposals.models import PanelMember, Proposal, ThemedCall
from tests.factories import CitizenFactory, DepartmentFactory, UserFactory


class ThemedCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThemedCall

    department = factory.SubFactory(DepartmentFactory)
    title = factory.Sequence(lambda n: f"Ideas for cooler bus stops {n}")
    description = "Summer heat at bus stops: what should the city do?"
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=29))
    status = ThemedCall.Status.OPEN


class ProposalFactory(factory.django.DjangoModelFactory):
    """An open proposal (submitted) unless status=DRAFT is given."""

    class Meta:
        model = Proposal

    author = factory.SubFactory(CitizenFactory)
    department = factory.SubFactory(DepartmentFactory)
    title = factory.Sequence(lambda n: f"Shade canopies at bus stop {n}")
    problem = "Bus stops are unbearably hot in July."
    idea = "Install shade canopies and misting fans."
    expected_effect = "Fewer heat illnesses among people waiting."
    status = Proposal.Status.OPEN
    submitted_at = factory.LazyFunction(timezone.now)
    voting_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


def panel_member(username, panel=PanelMember.Panel.INTERNAL):
    user = UserFactory(username=username, roles=[Role.EVALUATOR])
    PanelMember.objects.get_or_create(user=user, defaults={"panel": panel})
    return user
