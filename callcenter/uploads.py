"""MMS images: the shared image cleaner, with the 120 console's own error codes and messages."""

from django.utils.translation import gettext as _

from civicportal import uploads
from civicportal.errors import DomainError


def clean_image(upload) -> uploads.CleanImage:
    """Return a re-encoded copy of ``upload`` without EXIF/GPS; raise DomainError if it is not an image."""
    try:
        return uploads.clean_image(upload, allowed_formats=uploads.WEB_FORMATS, name="mms")
    except uploads.UploadRejected as rejected:
        # The API's codes predate the shared cleaner: size and pixels are both "too_large".
        messages = {
            "too_large": (_("The image is too large."), "too_large"),
            "too_many_pixels": (_("The image has too many pixels."), "too_large"),
            "unsupported_format": (_("Only JPEG, PNG, GIF or WebP images are accepted."), "not_an_image"),
        }
        unreadable = _("“%(name)s” is not an image we can read (JPEG, PNG, GIF or WebP).") % rejected.params
        message, code = messages.get(rejected.code, (unreadable, "not_an_image"))
        raise DomainError(message, field="images", code=code) from None
