"""What the kernel does to accounts: sign-up, profile changes, roles and memberships."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from civicportal.accounts import permissions
from civicportal.accounts.models import CitizenProfile, Department, DepartmentMembership, Role, User


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


def mobile_mark_verified(*, profile: CitizenProfile) -> CitizenProfile:
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
