import pytest

from civicportal.accounts import demo
from civicportal.accounts.models import Department, DepartmentMembership
from complaints import demo as complaints_demo
from complaints.models import Category, RoutingRule
from tests.factories import officer_of


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def city(db):
    """The demo organisation (HQ, bureaus, divisions, agencies, 25 district offices, the 120
    centre, bodies outside Seoul) with the demo categories and routing rules."""
    from civicportal.accounts.districts import load_districts
    from civicportal.accounts.models import District

    if District.objects.count() < 25:  # an earlier transactional test flushed them
        load_districts(District)
    demo.load_departments()
    departments = {d.code: d for d in Department.objects.all()}
    categories = {}
    for code, ko, en in complaints_demo.CATEGORIES:
        categories[code] = Category.objects.create(code=code, name_ko=ko, name_en=en)
    for priority, name, kind, category, keywords, department, simple in complaints_demo.RULES:
        RoutingRule.objects.create(
            priority=priority,
            name=name,
            kind=kind,
            category=categories.get(category),
            keywords=keywords,
            department=departments[department],
            marks_simple=simple,
        )
    return departments


@pytest.fixture
def parking_officers(city):
    """The parking division's head and an officer, with emails and mobiles on their accounts."""
    parking = city["parking"]
    head = officer_of(parking, username="parking_head", head=True)
    head.full_name, head.email = "최과장", "choi.head@example.org"
    head.save()
    officer = officer_of(parking, username="parking_officer")
    officer.full_name, officer.email = "박주무관", "park.officer@example.org"
    officer.save()
    officer.profile.mobile = "+821012345678"
    officer.profile.save()
    return head, officer


def set_visibility(department, *, lists_names, head=None, officer=None):
    Department.objects.filter(pk=department.pk).update(lists_officer_names=lists_names)
    for username, choice in (("parking_head", head), ("parking_officer", officer)):
        if choice:
            DepartmentMembership.objects.filter(user__username=username, department=department).update(
                name_in_directory=choice
            )
