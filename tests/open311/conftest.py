import pytest

from complaints.models import Category
from open311 import services
from open311.models import ServiceAttribute


@pytest.fixture
def pothole(db):
    from tests.factories import district

    district("11440")  # the districts, even after an earlier test flushed them
    category = Category.objects.create(code="pothole", name_ko="도로 파임", name_en="Pothole")
    ServiceAttribute.objects.create(
        category=category,
        code="size",
        description="How large is it?",
        datatype="singlevaluelist",
        required=True,
        order=1,
        values=[{"key": "small", "name": "Smaller than a hand"}, {"key": "large", "name": "Larger than a wheel"}],
    )
    return category


@pytest.fixture
def parking(db):
    return Category.objects.create(code="parking", name_ko="불법 주정차", name_en="Illegal parking")


@pytest.fixture
def app_key(db):
    _app, raw = services.application_create(name="Street Fix", contact_email="dev@streetfix.example")
    return raw
