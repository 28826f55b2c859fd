"""The one place that answers "may this user do X (to this object)?".

Roles are Django groups named after ``Role``; department roles also need a
``DepartmentMembership``. Each program registers its object rules with ``rules``
(``add_perm("complaints.answer_case", ...)``) built from the predicates here, and
its services call ``require(user, perm, obj)`` before changing anything, so a
template hiding a button is never the only guard.
"""

import rules

from civicportal.accounts.models import Role
from civicportal.errors import NotAllowed


def roles_of(user) -> frozenset:
    """The role names of ``user``, cached on the instance for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            names.add(Role.ADMINISTRATOR)
        if user.memberships.filter(is_head=True).exists():
            names.add(Role.SUPERVISOR)
        cached = frozenset(names)
        user._portal_roles = cached
    return cached


def department_ids(user) -> frozenset:
    """Ids of the departments ``user`` is a member of (cached on the instance)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_portal_department_ids", None)
    if cached is None:
        cached = frozenset(user.memberships.values_list("department_id", flat=True))
        user._portal_department_ids = cached
    return cached


def headed_department_ids(user) -> frozenset:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_portal_headed_ids", None)
    if cached is None:
        cached = frozenset(user.memberships.filter(is_head=True).values_list("department_id", flat=True))
        user._portal_headed_ids = cached
    return cached


def forget(user):
    """Drop the cached roles after a change of groups or memberships."""
    for attr in ("_portal_roles", "_portal_department_ids", "_portal_headed_ids", "_perm_cache", "_user_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)


def has_role(role):
    @rules.predicate(name=f"has_role:{role}")
    def predicate(user):
        return role in roles_of(user)

    return predicate


is_citizen = has_role(Role.CITIZEN)
is_counsellor = has_role(Role.COUNSELLOR)
is_evaluator = has_role(Role.EVALUATOR)
is_monitor = has_role(Role.MONITOR)
is_alert_author = has_role(Role.ALERT_AUTHOR)
is_alert_approver = has_role(Role.ALERT_APPROVER)
is_administrator = has_role(Role.ADMINISTRATOR)


@rules.predicate
def is_officer(user):
    """An officer is in the officer (or supervisor) role and belongs to a department."""
    roles = roles_of(user)
    return bool(roles & {Role.OFFICER, Role.SUPERVISOR}) and bool(department_ids(user))


@rules.predicate
def is_supervisor(user):
    return bool(headed_department_ids(user))


def member_of(user, department) -> bool:
    """True when ``user`` is an officer of ``department`` (a Department or its id)."""
    if department is None:
        return False
    department_id = getattr(department, "pk", department)
    return is_officer(user) and department_id in department_ids(user)


def head_of(user, department) -> bool:
    if department is None:
        return False
    return getattr(department, "pk", department) in headed_department_ids(user)


@rules.predicate
def is_self(user, other):
    return other is not None and getattr(user, "pk", None) == getattr(other, "pk", other)


@rules.predicate
def is_officer_of_object(user, obj):
    """For objects with a ``department`` attribute: the user is an officer there."""
    return obj is not None and member_of(user, getattr(obj, "department_id", None))


@rules.predicate
def is_supervisor_of_object(user, obj):
    return obj is not None and head_of(user, getattr(obj, "department_id", None))


# Kernel rules. Programs add theirs in their own ``rules.py``.
rules.add_perm("accounts.view_own_profile", rules.is_authenticated)
rules.add_perm("accounts.view_user_profile", is_self | is_administrator)
rules.add_perm("accounts.manage_departments", is_administrator)
rules.add_perm("accounts.read_everything", is_monitor | is_administrator)


def can(user, perm, obj=None) -> bool:
    return user.has_perm(perm, obj)


def require(user, perm, obj=None, message=None):
    """Raise ``NotAllowed`` unless ``user`` holds ``perm`` (on ``obj``)."""
    if not user.has_perm(perm, obj):
        raise NotAllowed(message or "You are not allowed to do this.")
