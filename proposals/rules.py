"""Object rules of Oasis, checked by ``proposals.services`` through ``permissions.require``."""

import rules

from civicportal.accounts.permissions import (
    is_administrator,
    is_citizen,
    is_evaluator,
    is_monitor,
    is_officer_of_object,
    member_of,
)


@rules.predicate
def is_officer_of_department(user, department):
    return member_of(user, department)


rules.add_perm("proposals.submit_proposal", is_citizen)
rules.add_perm("proposals.vote_proposal", is_citizen)
rules.add_perm("proposals.comment_proposal", rules.is_authenticated)
rules.add_perm("proposals.review_proposal", is_officer_of_object)
rules.add_perm("proposals.evaluate_proposal", is_evaluator)
rules.add_perm("proposals.manage_themed_call", is_officer_of_department | is_administrator)
# The mayor's office monitors every review, read-only.
rules.add_perm("proposals.view_review", is_officer_of_object | is_monitor | is_administrator)
