"""Poll images: the shared image cleaner, refusals as form errors."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from civicportal import uploads


def clean_image(upload):
    """Return a re-encoded copy of ``upload`` (no EXIF/GPS), None for no upload, or raise ValidationError."""
    if upload is None:
        return None
    try:
        return uploads.clean_image(upload, allowed_formats=uploads.WEB_FORMATS)
    except uploads.UploadRejected as rejected:
        messages = {
            "too_large": _("The image is too large."),
            "too_many_pixels": _("The image has too many pixels."),
            "unsupported_format": _("Only JPEG, PNG, GIF or WebP images are accepted."),
        }
        message = messages.get(rejected.code, _("The file is not an image we can read."))
        raise ValidationError(message, code=rejected.code) from None
