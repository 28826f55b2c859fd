"""factory-boy factories for the kernel; each program adds its own in tests/<app>/factories.py."""

import itertools

import factory
from django.contrib.auth.models import Group

from civicportal.accounts.models import CitizenProfile, Department, DepartmentMembership, District, Role, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    full_name = factory.Faker("name", locale="ko_KR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create:
            return
        for role in extracted or []:
            self.groups.add(Group.objects.get_or_create(name=str(role))[0])
        self.save()


def district(code="11440"):
    """A district by code (default Mapo-gu). Migrations load them, but a transactional
    test's flush empties the table, so load them again when missing."""
    found = District.objects.filter(code=code).first()
    if found is None:
        from civicportal.accounts.districts import load_districts

        load_districts(District)
        found = District.objects.get(code=code)
    return found


class CitizenProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CitizenProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    birth_year = 1990
    gender = CitizenProfile.Gender.FEMALE
    district = factory.LazyFunction(district)
    dong = "서교동"
    consent_email = True
    consent_in_app = True


class CitizenFactory(UserFactory):
    """A citizen account with a profile."""

    profile = factory.RelatedFactory(CitizenProfileFactory, factory_related_name="user")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create:
            return
        for role in extracted or [Role.CITIZEN]:
            self.groups.add(Group.objects.get_or_create(name=str(role))[0])
        self.save()


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"department-{n}")
    name_ko = factory.Sequence(lambda n: f"부서{n}")
    name_en = factory.Sequence(lambda n: f"Department {n}")
    kind = Department.Kind.DIVISION


_officer_numbers = itertools.count(1)


def officer_of(department, *, username=None, head=False, roles=(Role.OFFICER,)):
    """An officer (supervisor with head=True) who belongs to ``department``."""
    all_roles = list(roles) + ([Role.SUPERVISOR] if head else [])
    user = UserFactory(username=username or f"officer{next(_officer_numbers)}", roles=all_roles)
    DepartmentMembership.objects.get_or_create(user=user, department=department, defaults={"is_head": head})
    CitizenProfileFactory(user=user, birth_year=1980)
    return user
