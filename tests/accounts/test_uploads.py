"""The shared image cleaner: what it stores, and what it refuses, for real images built with Pillow."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from civicportal.errors import DomainError
from civicportal.uploads import WEB_FORMATS, UploadRejected, clean_image

GPS_XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="37,33.9N"/></rdf:RDF></x:xmpmeta>'
)


def encode(image, fmt, **kwargs):
    out = io.BytesIO()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")  # what the client claims is never read


def camera_exif(orientation=1):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (37.0, 33.0, 54.0), 3: "E", 4: (126.0, 54.0, 30.0)}  # GPS IFD
    return exif


def gps_photo(size=(40, 30), orientation=1):
    return encode(
        Image.new("RGB", size, (200, 30, 30)),
        "JPEG",
        exif=camera_exif(orientation),
        xmp=GPS_XMP,
        comment=b"taken at home",
    )


def reopen(cleaned):
    cleaned.seek(0)
    image = Image.open(io.BytesIO(cleaned.read()))
    image.load()
    return image


def rejection(data, name="photo.jpg", **options):
    with pytest.raises(UploadRejected) as error:
        clean_image(upload(name, data), **options)
    return error.value


# --- What is stored ---------------------------------------------------------------------


def test_jpeg_loses_gps_exif_xmp_and_comment():
    original = gps_photo()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo does carry GPS

    cleaned = clean_image(upload("photo.jpg", original))

    stored = reopen(cleaned)
    data = cleaned.open().read()
    assert (cleaned.name, cleaned.format, cleaned.content_type) == ("photo.jpg", "JPEG", "image/jpeg")
    assert stored.size == (40, 30)
    assert dict(stored.getexif()) == {}
    assert not {"exif", "xmp", "comment", "icc_profile"} & stored.info.keys()
    assert b"SpyCam" not in data and b"GPSLatitude" not in data and b"taken at home" not in data


def test_orientation_is_applied_before_the_exif_goes():
    # Orientation 6: the camera was turned; the stored pixels must stand the right way up.
    stored = reopen(clean_image(upload("turned.jpg", gps_photo(size=(40, 30), orientation=6))))

    assert stored.size == (30, 40)
    assert dict(stored.getexif()) == {}


def test_png_stays_png_with_its_transparency():
    rgba = Image.new("RGBA", (8, 8), (0, 0, 255, 0))
    rgba.putpixel((0, 0), (255, 0, 0, 255))
    palette = Image.new("P", (8, 8), 1)
    palette.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)

    stored = reopen(clean_image(upload("map.png", encode(rgba, "PNG", exif=camera_exif()))))
    stored_palette = reopen(clean_image(upload("icon.png", encode(palette, "PNG", transparency=1))))

    assert (stored.format, stored.mode) == ("PNG", "RGBA")
    assert stored.getpixel((0, 0)) == (255, 0, 0, 255) and stored.getpixel((5, 5))[3] == 0
    assert "exif" not in stored.info
    assert stored_palette.info == {"transparency": 1}


def test_the_name_follows_the_real_format_not_the_claimed_one():
    cleaned = clean_image(upload("holiday.jpg", encode(Image.new("RGB", (4, 4)), "PNG")))

    assert (cleaned.name, cleaned.content_type) == ("holiday.png", "image/png")
    assert clean_image(upload("holiday.jpg", gps_photo()), name="mms").name == "mms.jpg"


def test_cmyk_jpeg_is_stored_as_rgb():
    stored = reopen(clean_image(upload("print.jpg", encode(Image.new("CMYK", (10, 10), (0, 255, 255, 0)), "JPEG"))))

    assert (stored.format, stored.mode) == ("JPEG", "RGB")
    red, green, blue = stored.getpixel((5, 5))
    assert red > 200 and green < 60 and blue < 60


def test_only_the_first_frame_of_an_animated_gif_is_kept():
    frames = [Image.new("RGB", (10, 10), colour) for colour in ("red", "green", "blue")]
    gif = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(io.BytesIO(gif)).n_frames == 3

    stored = reopen(clean_image(upload("wave.gif", gif), allowed_formats=WEB_FORMATS))

    assert stored.format == "GIF"
    assert getattr(stored, "n_frames", 1) == 1
    assert stored.convert("RGB").getpixel((5, 5)) == (255, 0, 0)


def test_only_the_first_frame_of_an_animated_png_is_kept():
    frames = [Image.new("RGB", (10, 10), colour) for colour in ("red", "green")]
    apng = encode(frames[0], "PNG", save_all=True, append_images=frames[1:])
    assert Image.open(io.BytesIO(apng)).n_frames == 2

    cleaned = clean_image(upload("wave.png", apng))

    assert b"acTL" not in cleaned.open().read()  # no animation control chunk
    assert reopen(cleaned).getpixel((5, 5)) == (255, 0, 0)


def test_a_camera_multi_picture_jpeg_is_a_jpeg():
    mpo = encode(Image.new("RGB", (20, 10), "red"), "MPO", save_all=True, append_images=[Image.new("RGB", (20, 10))])
    assert Image.open(io.BytesIO(mpo)).format == "MPO"

    cleaned = clean_image(upload("phone.jpg", mpo))

    assert (cleaned.name, reopen(cleaned).format) == ("phone.jpg", "JPEG")


def test_jpeg_output_flattens_transparency_onto_white_and_fits_max_side():
    rgba = Image.new("RGBA", (3000, 1000), (0, 0, 0, 0))

    cleaned = clean_image(upload("plan.png", encode(rgba, "PNG")), output_format="JPEG", max_side=2400)

    stored = reopen(cleaned)
    assert (cleaned.name, stored.format, stored.mode, stored.size) == ("plan.jpg", "JPEG", "RGB", (2400, 800))
    assert min(stored.getpixel((100, 100))) > 250


# --- What is refused --------------------------------------------------------------------


def test_a_text_file_named_jpg_is_refused():
    error = rejection(b"<?php system($_GET['c']); ?>", name="photo.jpg")

    assert (error.code, error.message) == ("not_an_image", "“photo.jpg” is not a valid image.")
    assert isinstance(error, DomainError) and error.status_code == 400


@pytest.mark.parametrize(
    "data",
    [
        gps_photo(size=(200, 150))[:400],
        encode(Image.effect_noise((200, 150), 50), "PNG")[:300],
        b"",
    ],
    ids=["truncated-jpeg", "truncated-png", "empty"],
)
def test_a_truncated_or_empty_image_is_refused(data):
    assert rejection(data).code == "not_an_image"


def test_a_real_image_of_a_format_not_on_the_list_is_refused():
    bmp = encode(Image.new("RGB", (4, 4)), "BMP")

    error = rejection(bmp, name="scan.bmp")

    assert error.code == "unsupported_format"
    assert error.message == "“scan.bmp”: only these image formats are accepted: JPEG, PNG, WebP."
    gif = encode(Image.new("RGB", (4, 4)), "GIF")
    assert rejection(gif).code == "unsupported_format"  # GIF only where the caller allows it
    assert clean_image(upload("a.gif", gif), allowed_formats=WEB_FORMATS).format == "GIF"


def test_a_decompression_bomb_is_refused():
    # 64 megapixels in a few kilobytes: over the 40 MP limit, under Pillow's own warning.
    bomb = encode(Image.new("1", (8000, 8000)), "PNG")
    assert len(bomb) < 100_000

    error = rejection(bomb, name="bomb.png")

    assert (error.code, error.message) == ("too_many_pixels", "“bomb.png” has too many pixels.")


def png_header_only(width, height):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [10_000, 100_000], ids=["over-pillow-warning", "over-pillow-error"])
def test_a_bomb_pillow_itself_flags_is_refused_before_decoding(side):
    assert rejection(png_header_only(side, side), name="bomb.png").code == "too_many_pixels"


def test_the_pixel_limit_is_the_callers():
    photo = gps_photo(size=(50, 50))

    assert rejection(photo, max_pixels=2499).code == "too_many_pixels"
    assert clean_image(upload("p.jpg", photo), max_pixels=2500).format == "JPEG"


def test_too_many_bytes_are_refused(settings):
    noisy = encode(Image.effect_noise((300, 300), 80).convert("RGB"), "PNG")

    settings.MAX_UPLOAD_BYTES = len(noisy) - 1
    assert rejection(noisy, name="big.png").code == "too_large"
    assert rejection(noisy, max_bytes=1000).params["limit"] == 0
    settings.MAX_UPLOAD_BYTES = len(noisy)
    assert clean_image(upload("big.png", noisy)).format == "PNG"


def test_a_file_that_hides_its_size_is_read_no_further_than_the_limit():
    class Stream(io.BytesIO):
        name = "stream.jpg"
        asked = []

        def read(self, size=-1):
            self.asked.append(size)
            return super().read(size)

    stream = Stream(gps_photo(size=(200, 200)))

    with pytest.raises(UploadRejected) as error:
        clean_image(stream, max_bytes=500)

    assert error.value.code == "too_large"
    assert stream.asked == [501]


def test_refusals_are_translated():
    with translation.override("ko"):
        error = rejection(b"not an image", name="x.jpg")

    assert error.message == "“x.jpg”: 올바른 이미지가 아닙니다."


def test_a_format_the_cleaner_does_not_know_is_a_programming_error():
    with pytest.raises(ValueError):
        clean_image(upload("p.jpg", gps_photo()), allowed_formats={"JPEG", "TIFF"})
