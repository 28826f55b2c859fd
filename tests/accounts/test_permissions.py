"""The permission module: each role, allowed and denied (a persona x action matrix)."""

import pytest

from civicportal.accounts import permissions
from civicportal.errors import NotAllowed
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


class Thing:
    """Any object of a program that belongs to a department."""

    def __init__(self, department):
        self.department_id = department.pk


PERSONAS = [
    "citizen",
    "officer",
    "supervisor",
    "officer_of_other_department",
    "counsellor",
    "evaluator",
    "monitor",
    "administrator",
]

# persona -> the predicates that hold for it
EXPECTED = {
    "citizen": {"is_citizen"},
    "officer": {"is_officer", "officer_of_thing"},
    "supervisor": {"is_officer", "is_supervisor", "officer_of_thing", "supervisor_of_thing"},
    "officer_of_other_department": {"is_officer"},
    "counsellor": {"is_counsellor"},
    "evaluator": {"is_evaluator"},
    "monitor": {"is_monitor", "read_everything"},
    "administrator": {"is_administrator", "read_everything", "manage_departments"},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_role_matrix(request, persona, department):
    user = request.getfixturevalue(persona)
    thing = Thing(department)
    holds = {
        "is_citizen": permissions.is_citizen(user),
        "is_officer": permissions.is_officer(user),
        "is_supervisor": permissions.is_supervisor(user),
        "is_counsellor": permissions.is_counsellor(user),
        "is_evaluator": permissions.is_evaluator(user),
        "is_monitor": permissions.is_monitor(user),
        "is_administrator": permissions.is_administrator(user),
        "officer_of_thing": permissions.is_officer_of_object(user, thing),
        "supervisor_of_thing": permissions.is_supervisor_of_object(user, thing),
        "read_everything": user.has_perm("accounts.read_everything"),
        "manage_departments": user.has_perm("accounts.manage_departments"),
    }
    assert {name for name, value in holds.items() if value} == EXPECTED[persona]


def test_anonymous_holds_nothing(department):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not permissions.is_officer(anonymous)
    assert not permissions.member_of(anonymous, department)
    assert permissions.roles_of(anonymous) == frozenset()


def test_an_officer_without_a_department_is_not_an_officer(db):
    from civicportal.accounts.models import Role
    from tests.factories import UserFactory

    assert not permissions.is_officer(UserFactory(roles=[Role.OFFICER]))


def test_require_raises_not_allowed(citizen):
    with pytest.raises(NotAllowed):
        permissions.require(citizen, "accounts.manage_departments")


def test_a_user_may_view_only_their_own_profile(citizen, other_citizen, administrator):
    assert citizen.has_perm("accounts.view_user_profile", citizen)
    assert not citizen.has_perm("accounts.view_user_profile", other_citizen)
    assert administrator.has_perm("accounts.view_user_profile", other_citizen)


def test_membership_in_two_departments(officer, department):
    from civicportal.accounts.services import grant_role

    second = DepartmentFactory(code="road-management")
    grant_role(user=officer, role="officer", department=second)
    assert permissions.member_of(officer, department)
    assert permissions.member_of(officer, second)
