"""Stored uploads, answered by the application once a gatekeeper has said who may see them.

There is no blanket ``/media/`` route: every file is served by its program's view, which
loads the owning object through that program's gatekeeper (404 otherwise) and returns
``file_response()``. The answer is always ``inline`` with a plain file name, never sniffed
into another type, and cached by the browser alone (``private``).
"""

import contextlib
import functools
import hashlib
import logging
import posixpath
import unicodedata

from django import forms
from django.http import FileResponse, Http404
from django.utils.html import format_html
from django.utils.translation import gettext as _

from civicportal.errors import StorageUnavailable

logger = logging.getLogger(__name__)

# Images are re-encoded on upload (civicportal/uploads.py), so the extension is the format.
IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}


def api_token_accepted(view):
    """Let a mobile client fetch the file with the API token it already holds: the API answers
    these URLs, and a client with a token has no session. A bad token is an anonymous request."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            from rest_framework.exceptions import AuthenticationFailed

            from civicportal.authentication import TokenAuthentication

            try:
                found = TokenAuthentication().authenticate(request)
            except AuthenticationFailed:
                found = None
            if found:
                request.user = found[0]
        return view(request, *args, **kwargs)

    return wrapper


@contextlib.contextmanager
def files_with_their_rows():
    """Files stored inside the block are removed again if the block fails, so a failed write
    leaves neither a row without its file nor a file without its row. Wrap the transaction
    that saves the rows (its commit included); pass each saved ``FieldFile`` to ``keep``.
    A store that refuses the write (a full disk, an unreachable bucket) is a clear
    ``StorageUnavailable``, not a 500.
    """
    written = []
    try:
        yield lambda field_file: written.append((field_file.storage, field_file.name))
    except BaseException as exc:
        for storage, name in written:
            try:
                storage.delete(name)
            except Exception:  # noqa: BLE001 - the first failure is the one to report
                logger.exception("could not remove %s after a failed save", name)
        if isinstance(exc, OSError):
            logger.error("the file store refused a write: %s", exc)
            message = _(
                "The file could not be stored: the file store is full or unavailable. Nothing was saved; "
                "try again later."
            )
            raise StorageUnavailable(message) from exc
        raise


def safe_filename(name: str) -> str:
    """The last path segment of ``name``, without control characters or quotes."""
    base = posixpath.basename(str(name).replace("\\", "/"))
    cleaned = "".join(c for c in base if unicodedata.category(c)[0] != "C" and c not in '"\\;')
    return cleaned.strip(" .") or "file"


def image_content_type(name: str) -> str:
    """The image type named by the stored file's extension; anything else is opaque bytes."""
    return IMAGE_TYPES.get(posixpath.splitext(str(name))[1].lower(), "application/octet-stream")


def file_response(field_file, *, content_type=None, filename=None, cache="private") -> FileResponse:
    """Stream ``field_file`` (a FieldFile) after the caller has checked access; 404 when missing.

    ``content_type`` defaults to the image type of the stored name; ``filename`` to the
    stored name's last segment; ``cache`` is the whole ``Cache-Control`` value."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=content_type or image_content_type(field_file.name),
        filename=safe_filename(filename or field_file.name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache
    return response


def versioned(url: str, field_file) -> str:
    """``url`` with a token of the stored name, so a replaced file gets a new URL (and cache entry)."""
    token = hashlib.blake2s(field_file.name.encode(), digest_size=4).hexdigest()
    return f"{url}?v={token}"


class _Shown:
    """A stored file as ClearableFileInput shows it, linked to the checked view."""

    def __init__(self, name, url):
        self.name, self.url = name, url

    def __str__(self):
        return self.name


class CheckedFileInput(forms.ClearableFileInput):
    """Admin's "currently" link points at the model's checked view (the instance's
    ``url_attribute``, ``image_url`` by default), since the stored path is not served."""

    def __init__(self, attrs=None, url_attribute="image_url"):
        super().__init__(attrs)
        self.url_attribute = url_attribute

    def format_value(self, value):
        shown = super().format_value(value)
        url = getattr(getattr(value, "instance", None), self.url_attribute, "")
        return _Shown(value.name, url) if shown and url else shown


def admin_file_link(url, field_file):
    """A read-only admin cell linking a stored file to its checked view."""
    return format_html('<a href="{}">{}</a>', url, field_file.name) if url and field_file else "-"
