"""Image uploads: verified with Pillow, bombs refused, metadata stripped by re-saving."""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image

MAX_PIXELS = 40_000_000


def clean_image(upload):
    """Return a re-encoded copy of ``upload`` (no EXIF/GPS) or raise ValidationError."""
    if upload is None:
        return None
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(_("The image is too large."))
    try:
        upload.seek(0)
        probe = Image.open(upload)
        if probe.width * probe.height > MAX_PIXELS:
            raise ValidationError(_("The image has too many pixels."))
        probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a bad file
        raise ValidationError(_("The file is not an image we can read."))
    fmt = "PNG" if image.format == "PNG" else "JPEG"
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format=fmt)  # a fresh file: no EXIF, no GPS
    name = (upload.name.rsplit(".", 1)[0] or "image") + (".png" if fmt == "PNG" else ".jpg")
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")
