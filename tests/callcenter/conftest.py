import io
import itertools
from types import SimpleNamespace

import pytest
from PIL import Image

from civicportal.accounts.models import Role
from tests.factories import officer_of

_numbers = itertools.count(1)


class FakeCaseFile:
    """Stands in for complaints.filing.case_file until complaints/ is merged."""

    def __init__(self):
        self.calls = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        n = next(_numbers)
        return SimpleNamespace(pk=1000 + n, tracking_number=f"2026-120-{n:06d}")


@pytest.fixture
def fake_case_file(monkeypatch):
    fake = FakeCaseFile()
    monkeypatch.setattr("callcenter.case_link._case_file", fake)
    return fake


@pytest.fixture
def other_counsellor(call_centre):
    return officer_of(call_centre, username="counsellor2", roles=(Role.COUNSELLOR,))


@pytest.fixture
def lead_counsellor(call_centre):
    return officer_of(call_centre, username="lead_counsellor", head=True, roles=(Role.COUNSELLOR,))


def image_bytes(fmt="JPEG", exif=True):
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    out = io.BytesIO()
    kwargs = {}
    if exif and fmt == "JPEG":
        data = Image.Exif()
        data[0x010F] = "SpyCam"  # Make
        data[0x8825] = {2: (37, 33, 0)}  # GPS info
        kwargs["exif"] = data.tobytes()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


@pytest.fixture
def jpeg_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.jpg", image_bytes(), content_type="image/jpeg")


@pytest.fixture
def fake_image_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.jpg", b"%PDF-1.4 this is not an image", content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _districts(request):
    """A browser test (transactional, flushes the tables) may have run before: the 25 districts
    that migration 0002 loads are then gone, and the citizen factories need them."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        return
    from civicportal.accounts.districts import load_districts
    from civicportal.accounts.models import District

    if not District.objects.exists():
        load_districts(District)
