"""Uploaded images, made safe to store: the one image cleaner every program calls.

``clean_image()`` reads an upload, refuses what is too large, too many pixels (a
decompression bomb), not an image, truncated or in a format not on the caller's list, and
returns a fresh encoding of the first frame's pixels alone: orientation applied first,
then every metadata block (EXIF with GPS, XMP, comments, ICC profile) left behind.
Programs turn ``UploadRejected`` into their own answer (a field error, a 400 body).
"""

import io
import os
import warnings

import filetype
from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from civicportal.errors import DomainError

# A phone photo is about 12 megapixels; 40 stays far below what would exhaust a worker.
MAX_PIXELS = 40_000_000
PHOTO_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
WEB_FORMATS = PHOTO_FORMATS | {"GIF"}
JPEG_QUALITY = 90
# Pillow names a camera's multi-picture JPEG "MPO"; it is a JPEG with more images appended.
_SAME_AS = {"MPO": "JPEG"}
_FILE_TYPES = {
    "JPEG": (".jpg", "image/jpeg"),
    "PNG": (".png", "image/png"),
    "WEBP": (".webp", "image/webp"),
    "GIF": (".gif", "image/gif"),
}
_FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}


class UploadRejected(DomainError):
    """The upload cannot be stored as an image. Nothing was written.

    ``code`` is one of ``too_large`` (bytes), ``too_many_pixels``, ``unsupported_format``
    (an image, but not of an accepted format) or ``not_an_image`` (unreadable, truncated,
    empty, a disguised file). ``params`` fills a program's own message:
    ``name`` (the file's name), ``limit`` (the byte limit in whole MB) and ``formats``.
    """

    def __init__(self, message, *, code, params):
        super().__init__(message, code=code)
        self.params = params


class CleanImage(ContentFile):
    """A re-encoded image: pixels only, no metadata. ``name`` ends with the real format's extension."""

    def __init__(self, data, *, name, format):
        super().__init__(data, name=name)
        self.format = format
        self.content_type = _FILE_TYPES[format][1]


def clean_image(
    file,
    *,
    max_bytes=None,
    max_pixels=MAX_PIXELS,
    allowed_formats=PHOTO_FORMATS,
    output_format=None,
    max_side=None,
    name=None,
) -> CleanImage:
    """Verify ``file`` (any file object with a ``name``) with Pillow and return a clean copy.

    ``max_bytes`` defaults to ``settings.MAX_UPLOAD_BYTES``. ``allowed_formats`` are Pillow
    format names among JPEG, PNG, WEBP, GIF; no other decoder is ever run on the bytes.
    The copy keeps the format unless ``output_format`` is given (``"JPEG"``: transparency is
    flattened onto white); ``max_side`` shrinks it to fit that many pixels a side. Only the
    first frame of an animated GIF, PNG or WebP is kept. The copy is named after ``name``
    (or the upload's name) with the extension of its format. Raises ``UploadRejected``.
    """
    allowed = sorted(set(allowed_formats))
    if not set(allowed) | {output_format or "JPEG"} <= _FILE_TYPES.keys():
        raise ValueError(f"Formats must be among {sorted(_FILE_TYPES)}.")
    max_bytes = settings.MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    original = os.path.basename(getattr(file, "name", None) or "image")
    params = {
        "name": original,
        "limit": max_bytes // 2**20,
        "formats": ", ".join(_FORMAT_NAMES[f] for f in allowed),
    }
    data = _read_at_most(file, max_bytes)
    if data is None:
        raise UploadRejected(_("“%(name)s” is larger than %(limit)d MB.") % params, code="too_large", params=params)
    image = _decode(data, allowed, max_pixels, params)
    fmt = output_format or _SAME_AS.get(image.format, image.format)
    out = io.BytesIO()
    try:
        clean = _pixels_only(image, fmt, max_side)
        clean.save(out, format=fmt, **({"quality": JPEG_QUALITY} if fmt in ("JPEG", "WEBP") else {}))
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a file it cannot handle
        raise _not_an_image(params) from None
    stem = name or os.path.splitext(original)[0][:100] or "image"
    return CleanImage(out.getvalue(), name=stem + _FILE_TYPES[fmt][0], format=fmt)


def _read_at_most(file, max_bytes):
    """The file's bytes, or None when there are more than ``max_bytes`` (read no further)."""
    if (getattr(file, "size", None) or 0) > max_bytes:
        return None
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(max_bytes + 1)
    return None if len(data) > max_bytes else data


def _decode(data, allowed, max_pixels, params):
    """The decoded first frame, after the size, bomb, type, verify and truncation checks."""
    try:
        with warnings.catch_warnings():
            # Pillow warns (and only above twice its limit refuses) about a decompression bomb.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=allowed) as probe:
                if probe.width * probe.height > max_pixels:
                    raise _too_many_pixels(params)
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=allowed)
            image.load()  # a truncated file fails here: verify() does not decode JPEG data
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(params) from None
    except UnidentifiedImageError:
        if filetype.is_image(data):
            raise UploadRejected(
                _("“%(name)s”: only these image formats are accepted: %(formats)s.") % params,
                code="unsupported_format",
                params=params,
            ) from None
        raise _not_an_image(params) from None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a bad file
        raise _not_an_image(params) from None
    return image


def _pixels_only(image, fmt, max_side):
    """A copy with the orientation applied and no metadata but transparency."""
    clean = ImageOps.exif_transpose(image)  # EXIF orientation must be applied before EXIF goes
    transparency = clean.info.get("transparency")
    clean.info = {} if transparency is None else {"transparency": transparency}
    if max_side:
        clean.thumbnail((max_side, max_side))
    if fmt == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = _flatten(clean)
    return clean


def _flatten(image):
    """RGB for JPEG: CMYK, palette, 16-bit converted; transparent parts become white."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode.startswith("I"):
        image = image.point(lambda v: v / 256).convert("L")  # 16-bit greyscale to 8-bit
    return image.convert("RGB")


def _too_many_pixels(params):
    return UploadRejected(_("“%(name)s” has too many pixels.") % params, code="too_many_pixels", params=params)


def _not_an_image(params):
    return UploadRejected(_("“%(name)s” is not a valid image.") % params, code="not_an_image", params=params)


class CleanImagesForm(forms.ModelForm):
    """A model form (admin) that stores no uploaded image without passing ``clean_image``.

    Every image field given a new file is verified and re-encoded (web formats, original
    format kept); a rejected file is a field error and nothing is saved.
    """

    def __init__(self, *args, **kwargs):
        from civicportal.files import CheckedFileInput

        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ImageField):
                field.widget = CheckedFileInput(attrs=field.widget.attrs)

    def _post_clean(self):
        for name, field in self.fields.items():
            upload = self.cleaned_data.get(name)
            if isinstance(field, forms.ImageField) and isinstance(upload, UploadedFile):
                try:
                    self.cleaned_data[name] = clean_image(upload, allowed_formats=WEB_FORMATS)
                except UploadRejected as error:
                    self.add_error(name, str(error))
        super()._post_clean()
