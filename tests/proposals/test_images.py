"""Uploaded images are verified and re-encoded without metadata."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civicportal.errors import DomainError
from proposals import services
from proposals.models import Proposal, ProposalImage

pytestmark = pytest.mark.django_db
TEXT = {"title": "Benches in the park", "problem": "No seats.", "idea": "Benches.", "expected_effect": "Rest."}


def jpeg_with_exif():
    image = Image.new("RGB", (40, 30), "green")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")


def test_image_is_stored_without_exif(citizen):
    proposal = services.proposal_submit(author=citizen, images=[jpeg_with_exif()], **TEXT)
    stored = proposal.images.get()
    with Image.open(stored.image.path) as image:
        assert image.size == (40, 30)
        assert dict(image.getexif()) == {}


def test_not_an_image_is_refused_and_nothing_saved(citizen):
    fake = SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    with pytest.raises(DomainError) as exc:
        services.proposal_submit(author=citizen, images=[fake], **TEXT)
    assert exc.value.field == "images"
    assert Proposal.objects.count() == 0
    assert ProposalImage.objects.count() == 0


def test_too_large_is_refused(citizen, settings):
    settings.MAX_UPLOAD_BYTES = 100
    with pytest.raises(DomainError):
        services.proposal_submit(author=citizen, images=[jpeg_with_exif()], **TEXT)
    assert Proposal.objects.count() == 0


def test_upload_through_the_page(client, citizen):
    from django.urls import reverse

    client.force_login(citizen)
    response = client.post(reverse("proposals:submit"), {**TEXT, "action": "submit", "images": [jpeg_with_exif()]})
    assert response.status_code == 302
    assert ProposalImage.objects.count() == 1


def test_transparent_png_is_stored_as_a_jpeg_on_white_at_most_2400_px(citizen):
    out = io.BytesIO()
    Image.new("RGBA", (3000, 1500), (0, 0, 0, 0)).save(out, "PNG")

    proposal = services.proposal_submit(author=citizen, images=[SimpleUploadedFile("plan.png", out.getvalue())], **TEXT)

    with Image.open(proposal.images.get().image.path) as image:
        assert (image.format, image.size) == ("JPEG", (2400, 1200))
        assert min(image.getpixel((10, 10))) > 250


def test_image_of_another_format_is_refused_with_the_formats_named(citizen):
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "BMP")

    with pytest.raises(DomainError) as exc:
        services.proposal_submit(author=citizen, images=[SimpleUploadedFile("x.bmp", out.getvalue())], **TEXT)

    assert (exc.value.field, exc.value.message) == ("images", "Only JPEG, PNG, GIF or WebP images are accepted.")
    assert Proposal.objects.count() == 0 and ProposalImage.objects.count() == 0
