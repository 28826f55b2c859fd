"""Object rules of mVoting, built from the kernel predicates."""

import rules

from civicportal.accounts.permissions import (
    is_administrator,
    is_citizen,
    is_monitor,
    is_officer,
    is_officer_of_object,
    member_of,
)


@rules.predicate
def is_officer_of_department(user, department):
    return department is not None and member_of(user, department)


@rules.predicate
def may_decide(user, poll):
    """Officers of the proposal's department; any officer when the citizen named none."""
    return poll is not None and (poll.department_id is None or member_of(user, poll.department_id))


rules.add_perm("polls.create_poll", is_officer_of_department | is_administrator)
rules.add_perm("polls.manage_poll", is_officer_of_object | is_administrator)
rules.add_perm("polls.propose_poll", is_citizen)
rules.add_perm("polls.decide_proposal", (is_officer & may_decide) | is_administrator)
rules.add_perm("polls.view_breakdown", is_officer_of_object | is_monitor | is_administrator)
