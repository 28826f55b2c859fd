"""Factories of Eung-Dap-So. Cases are filed through the service (tracking number,
routing, deadline and events included); ``bulk_cases`` builds many rows at once."""

import io
from datetime import timedelta

import factory
import pytest
from django.utils import timezone
from PIL import Image

from complaints import filing
from complaints.models import Case, Category, Channel, FaqEntry, Kind, PublishedExample, RoutingRule, Status


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category-{n}")
    name_ko = factory.Sequence(lambda n: f"분야{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    name = factory.Sequence(lambda n: f"rule {n}")
    priority = factory.Sequence(lambda n: 10 + n)


class FaqEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaqEntry

    question = "질문"
    answer = "답변"


class PublishedExampleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublishedExample

    title = "제목"
    question = "질문"
    answer = "답변"


def file_case(citizen, **overrides):
    fields = {
        "citizen": citizen,
        "filed_by": citizen,
        "kind": Kind.COMPLAINT,
        "title": "불법 주차 신고",
        "text": "집 앞에 불법 주차 차량이 있습니다.",
        "channel": Channel.WEB,
    }
    fields.update(overrides)
    return filing.case_file(**fields)


def bulk_cases(department, count, *, citizen=None, now=None, status=Status.RECEIVED, start=0, officer=None):
    """``count`` cases of ``department`` without events (for the queue and board tests)."""
    now = now or timezone.now()
    rows = [
        Case(
            tracking_number=f"2099-{start + i:07d}",
            kind=Kind.COMPLAINT,
            channel=Channel.WEB,
            status=status,
            title=f"민원 {i}",
            text="내용",
            citizen=citizen,
            department=department,
            officer=officer,
            filed_at=now - timedelta(hours=i),
            clock_started_at=now - timedelta(hours=i),
            due_at=now + timedelta(days=1) - timedelta(hours=i * 10),
            warn_at=now - timedelta(hours=i),
        )
        for i in range(count)
    ]
    return Case.objects.bulk_create(rows)


def image_bytes(fmt="JPEG", size=(40, 30), exif=True):
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        data[0x8825] = {2: (37, 33, 0), 4: (126, 55, 0)}  # GPSInfo
        kwargs["exif"] = data.tobytes()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


@pytest.fixture
def restore_districts_after(django_db_blocker):
    """Request it FIRST in a transactional test: its teardown runs after the flush that ends
    the test and reloads the districts the migration created, so later tests find them."""
    yield
    from civicportal.accounts.districts import load_districts
    from civicportal.accounts.models import District

    with django_db_blocker.unblock():
        load_districts(District)
