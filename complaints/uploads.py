"""Attachment checks: size, real type, images verified and re-encoded without metadata."""

import io
import os
import warnings
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from civicportal.errors import DomainError

MAX_ATTACHMENTS = 5
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MEDIA_TYPES = {
    "audio/mpeg": "audio",
    "audio/mp4": "audio",
    "audio/x-m4a": "audio",
    "audio/m4a": "audio",
    "audio/x-wav": "audio",
    "audio/ogg": "audio",
    "video/mp4": "video",
    "video/webm": "video",
    "video/quicktime": "video",
    "application/pdf": "document",
}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".bmp", ".tif", ".tiff"}
# Decompression-bomb guard: refuse anything above 40 megapixels (a phone photo is ~12).
MAX_PIXELS = 40_000_000


@dataclass
class CleanUpload:
    name: str
    data: bytes
    kind: str
    content_type: str


def _field_error(message):
    return DomainError(message, code="invalid_attachment", field="attachments")


def _clean_image(name, data) -> CleanUpload:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise _field_error(_("“%(name)s” has too many pixels.") % {"name": name})
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format
                if fmt not in IMAGE_FORMATS:
                    raise _field_error(_("“%(name)s”: only JPEG, PNG and WebP photos are accepted.") % {"name": name})
                image.load()
                # Apply the orientation, then re-encode from pixels only: EXIF (GPS included)
                # and every other metadata block are left behind.
                clean = ImageOps.exif_transpose(image)
                if fmt == "JPEG" and clean.mode not in ("RGB", "L"):
                    clean = clean.convert("RGB")
                clean.info = {}
                out = io.BytesIO()
                clean.save(out, format=fmt, **({"quality": 90} if fmt in ("JPEG", "WEBP") else {}))
    except DomainError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError):
        raise _field_error(_("“%(name)s” is not a valid image.") % {"name": name})
    base = os.path.splitext(name)[0]
    extension = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[fmt]
    return CleanUpload(name=f"{base}{extension}", data=out.getvalue(), kind="image", content_type=IMAGE_FORMATS[fmt])


def clean_upload(upload) -> CleanUpload:
    """Check one uploaded file (a Django UploadedFile) and return what may be stored."""
    name = os.path.basename(upload.name or "file")[:150]
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise _field_error(
            _("“%(name)s” is larger than %(limit)d MB.") % {"name": name, "limit": settings.MAX_UPLOAD_BYTES // 2**20}
        )
    data = upload.read()
    if not data:
        raise _field_error(_("“%(name)s” is empty.") % {"name": name})
    guess = filetype.guess(data)
    mime = guess.mime if guess else ""
    if mime.startswith("image/") or os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS:
        return _clean_image(name, data)
    kind = MEDIA_TYPES.get(mime)
    if kind is None:
        raise _field_error(
            _("“%(name)s”: this type of file is not accepted (photos, voice, video or PDF only).") % {"name": name}
        )
    return CleanUpload(name=name, data=data, kind=kind, content_type=mime)


def clean_uploads(uploads) -> list[CleanUpload]:
    uploads = [u for u in (uploads or []) if u]
    if len(uploads) > MAX_ATTACHMENTS:
        raise _field_error(_("At most %(n)d attachments.") % {"n": MAX_ATTACHMENTS})
    return [clean_upload(u) for u in uploads]
