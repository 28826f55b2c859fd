"""What the kernel does to accounts: sign-up, profile changes, roles and memberships."""

import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicportal.accounts import permissions
from civicportal.accounts.models import CitizenProfile, Department, DepartmentMembership, Role, User
from civicportal.errors import Conflict, DomainError


def role_group(role: str) -> Group:
    group, _ = Group.objects.get_or_create(name=str(role))
    return group


@transaction.atomic
def citizen_sign_up(*, username: str, email: str, password: str, full_name: str = "", **profile_fields) -> User:
    """Create a citizen account with its profile and the citizen role."""
    user = User.objects.create_user(username=username, email=email, password=password, full_name=full_name)
    CitizenProfile.objects.create(user=user, **profile_fields)
    user.groups.add(role_group(Role.CITIZEN))
    return user


def profile_for(user) -> CitizenProfile:
    """Every account has a profile (officers too: their language and consents)."""
    profile, _ = CitizenProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(*, user, actor, **fields) -> CitizenProfile:
    permissions.require(actor, "accounts.view_user_profile", user)
    profile = profile_for(user)
    if "mobile" in fields and fields["mobile"] != profile.mobile:
        # A changed number is not verified until the owner confirms it again.
        profile.mobile_verified_at = None
    if not fields.get("location_consent", profile.location_consent):
        fields["home_lat"] = None
        fields["home_lon"] = None
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    return profile


MOBILE_CODE_TTL = 300  # seconds a verification code stays valid
MOBILE_CODE_ATTEMPTS = 5


def _code_key(user):
    return f"mobile-verification:{user.pk}"


def mobile_send_code(*, user) -> None:
    """Text a 6-digit code to the user's (unverified) number; it expires in 5 minutes."""
    from civicportal.notifications.backends import get_backend

    profile = profile_for(user)
    if not profile.mobile:
        raise DomainError(_("Add a mobile number first."), field="mobile")
    if profile.mobile_verified:
        raise Conflict(_("This number is already verified."))
    code = f"{secrets.randbelow(1_000_000):06d}"
    cache.set(_code_key(user), {"hash": make_password(code), "mobile": profile.mobile, "attempts": 0}, MOBILE_CODE_TTL)
    get_backend("sms").send(
        to=profile.mobile,
        title=str(_("Civic Portal verification code")),
        body=str(_("Your verification code is %(code)s. It expires in 5 minutes.") % {"code": code}),
    )


def mobile_verify(*, user, code: str) -> CitizenProfile:
    """Check the code sent by ``mobile_send_code``; five wrong tries void it."""
    profile = profile_for(user)
    pending = cache.get(_code_key(user))
    if not pending or pending["mobile"] != profile.mobile:
        raise DomainError(_("The code has expired. Ask for a new one."), code="expired", field="code")
    if not check_password(str(code).strip(), pending["hash"]):
        pending["attempts"] += 1
        if pending["attempts"] >= MOBILE_CODE_ATTEMPTS:
            cache.delete(_code_key(user))
            raise DomainError(_("Too many wrong codes. Ask for a new one."), code="too_many_attempts", field="code")
        cache.set(_code_key(user), pending, MOBILE_CODE_TTL)
        raise DomainError(_("That code is not right."), code="wrong_code", field="code")
    cache.delete(_code_key(user))
    profile.mobile_verified_at = timezone.now()
    profile.save(update_fields=["mobile_verified_at"])
    return profile


@transaction.atomic
def grant_role(*, user, role: str, department: Department | None = None, is_head: bool = False) -> User:
    """Give ``user`` a role; officer/supervisor roles also join ``department``."""
    user.groups.add(role_group(role))
    if department is not None:
        membership, created = DepartmentMembership.objects.get_or_create(
            user=user, department=department, defaults={"is_head": is_head}
        )
        if not created and membership.is_head != is_head:
            membership.is_head = is_head
            membership.save(update_fields=["is_head"])
    permissions.forget(user)
    return user
