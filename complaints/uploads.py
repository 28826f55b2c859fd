"""Attachment checks: size, real type; photos go through the shared image cleaner."""

import os
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

from civicportal.errors import DomainError
from civicportal.uploads import MAX_PIXELS, UploadRejected, clean_image

MAX_ATTACHMENTS = 5
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


@dataclass
class CleanUpload:
    name: str
    data: bytes
    kind: str
    content_type: str


def _field_error(message):
    return DomainError(message, code="invalid_attachment", field="attachments")


def _clean_image(upload, name) -> CleanUpload:
    try:
        image = clean_image(upload, max_pixels=MAX_PIXELS, name=os.path.splitext(name)[0])
    except UploadRejected as rejected:
        message = rejected.message
        if rejected.code == "unsupported_format":
            message = _("“%(name)s”: only JPEG, PNG and WebP photos are accepted.") % {"name": name}
        raise _field_error(message) from None
    return CleanUpload(name=image.name, data=image.read(), kind="image", content_type=image.content_type)


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
        return _clean_image(upload, name)
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
