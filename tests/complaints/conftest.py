import pytest

from civicportal.accounts.models import Department
from tests.complaints.factories import CategoryFactory, RoutingRuleFactory
from tests.factories import DepartmentFactory, district


@pytest.fixture
def parking_rule(department):
    """주차 → the parking department (the `department` persona fixture)."""
    return RoutingRuleFactory(name="parking", keywords="주차,견인", department=department, priority=10)


@pytest.fixture
def desk(coordination_desk):
    return coordination_desk


@pytest.fixture
def ministry(db):
    return DepartmentFactory(code="molit", name_ko="국토교통부", name_en="MOLIT", kind=Department.Kind.MINISTRY)


@pytest.fixture
def mapo_office(db):
    return DepartmentFactory(
        code="mapo-gu-office",
        name_ko="마포구청",
        name_en="Mapo-gu Office",
        kind=Department.Kind.DISTRICT_OFFICE,
        district=district("11440"),
    )


@pytest.fixture
def category(db):
    return CategoryFactory(code="parking", name_ko="주차", name_en="Parking")


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages in English so assertions read the source strings (Korean is the site default)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Routing rules and SLA policies are cached per process; each test starts clean."""
    from complaints import routing

    routing.clear_caches()
    yield
    routing.clear_caches()
