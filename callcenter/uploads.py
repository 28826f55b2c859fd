"""MMS images: verified with Pillow, decompression bombs refused, metadata stripped by re-encoding."""

import io
import warnings

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from civicportal.errors import DomainError

MAX_PIXELS = 40_000_000
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}


def clean_image(upload) -> SimpleUploadedFile:
    """Return a re-encoded copy of ``upload`` without EXIF/GPS; raise DomainError if it is not an image."""
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise DomainError(_("The image is too large."), field="images", code="too_large")
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.open(io.BytesIO(data)).verify()
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise DomainError(_("The image has too many pixels."), field="images", code="too_large")
            image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise DomainError(
            _("“%(name)s” is not an image we can read (JPEG, PNG, GIF or WebP).") % {"name": upload.name},
            field="images",
            code="not_an_image",
        ) from exc
    if image.format not in FORMATS:
        raise DomainError(_("Only JPEG, PNG, GIF or WebP images are accepted."), field="images", code="not_an_image")
    extension, content_type = FORMATS[image.format]
    out = io.BytesIO()
    fmt = image.format
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # Re-saving without exif= drops EXIF and GPS.
    clean = image.copy()
    clean.info = {}
    clean.save(out, format=fmt)
    return SimpleUploadedFile(f"mms.{extension}", out.getvalue(), content_type=content_type)
