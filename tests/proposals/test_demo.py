import pytest

from civicportal.accounts import demo as kernel_demo
from proposals import demo
from proposals.models import Proposal


@pytest.mark.django_db
def test_demo_loads_every_stage_and_is_idempotent():
    kernel_demo.load_all()
    demo.load()
    demo.load()
    statuses = sorted(Proposal.objects.values_list("status", flat=True))
    assert statuses == ["implementing", "in_review", "open", "open"]
