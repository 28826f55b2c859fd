"""Who may work live conversations: the counsellors of the centre (a counsellor who is a member
of a call-centre department), and the head of the centre (its department head)."""

import rules

from civicportal.accounts.models import Department, Role
from civicportal.accounts.permissions import roles_of


def _centre_memberships(user):
    if not getattr(user, "is_authenticated", False):
        return ()
    cached = getattr(user, "_chat_centre_memberships", None)
    if cached is None:
        memberships = user.memberships.filter(department__kind=Department.Kind.CALL_CENTRE)
        cached = tuple(memberships.values_list("department_id", "is_head"))
        user._chat_centre_memberships = cached
    return cached


@rules.predicate
def is_centre_counsellor(user):
    return Role.COUNSELLOR in roles_of(user) and bool(_centre_memberships(user))


@rules.predicate
def is_head_of_centre(user):
    return any(is_head for _department, is_head in _centre_memberships(user))


rules.add_perm("callcenter_chat.work_conversations", is_centre_counsellor)
rules.add_perm("callcenter_chat.manage_seats", is_head_of_centre)
