"""Attachments (verified, metadata stripped, refused when bad) and Korean keyword search."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civicportal.errors import DomainError
from complaints.models import Attachment, Case
from complaints.search import nouns_of, search
from complaints.selectors import faq_entries, public_examples
from tests.complaints.factories import FaqEntryFactory, PublishedExampleFactory, file_case, image_bytes

pytestmark = pytest.mark.django_db


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_photo_is_stored_without_exif_or_gps(citizen, parking_rule):
    original = image_bytes()
    assert Image.open(io.BytesIO(original)).getexif()  # the test photo does carry EXIF

    case = file_case(citizen, attachments=[upload("photo.jpg", original, "image/jpeg")])

    attachment = case.attachments.get()
    stored = Image.open(attachment.file.path)
    assert attachment.kind == "image" and attachment.content_type == "image/jpeg"
    assert dict(stored.getexif()) == {}
    assert "exif" not in stored.info
    assert stored.size == (40, 30)


def test_png_keeps_its_format(citizen, parking_rule):
    case = file_case(citizen, attachments=[upload("map.png", image_bytes("PNG"), "image/png")])

    assert Image.open(case.attachments.get().file.path).format == "PNG"


def test_pdf_is_accepted_as_a_document(citizen, parking_rule):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    case = file_case(citizen, attachments=[upload("letter.pdf", pdf, "application/pdf")])

    assert case.attachments.get().kind == "document"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.jpg", b"this is not an image at all"),  # claims to be a photo, is not
        ("photo.jpg", image_bytes()[:60]),  # truncated JPEG
        ("script.exe", b"MZ\x90\x00" + b"\x00" * 100),  # unsupported type
        ("notes.txt", b"plain text"),
        ("empty.pdf", b""),
    ],
)
def test_bad_attachment_is_refused_and_nothing_is_written(citizen, parking_rule, name, data):
    with pytest.raises(DomainError) as error:
        file_case(citizen, attachments=[upload(name, data)])

    assert error.value.field == "attachments"
    assert Case.objects.count() == 0 and Attachment.objects.count() == 0


def test_too_large_attachment_is_refused(citizen, parking_rule, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    with pytest.raises(DomainError):
        file_case(citizen, attachments=[upload("big.jpg", image_bytes(size=(400, 400)))])
    assert Case.objects.count() == 0


def test_decompression_bomb_is_refused(citizen, parking_rule, monkeypatch):
    monkeypatch.setattr("complaints.uploads.MAX_PIXELS", 100)
    with pytest.raises(DomainError, match="pixels"):
        file_case(citizen, attachments=[upload("bomb.png", image_bytes("PNG", size=(50, 50)))])
    assert Case.objects.count() == 0


def test_turned_photo_is_stored_upright(citizen, parking_rule):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the phone was held sideways
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="JPEG", exif=exif)

    case = file_case(citizen, attachments=[upload("turned.jpg", out.getvalue(), "image/jpeg")])

    stored = Image.open(case.attachments.get().file.path)
    assert stored.size == (30, 40)
    assert dict(stored.getexif()) == {}


def test_gif_is_refused_with_the_photo_formats_named(citizen, parking_rule):
    with pytest.raises(DomainError) as error:
        file_case(citizen, attachments=[upload("anim.gif", image_bytes("GIF", exif=False), "image/gif")])

    assert error.value.message == "“anim.gif”: only JPEG, PNG and WebP photos are accepted."
    assert (error.value.code, error.value.field) == ("invalid_attachment", "attachments")
    assert Case.objects.count() == 0 and Attachment.objects.count() == 0


def test_more_than_five_attachments_are_refused(citizen, parking_rule):
    files = [upload(f"p{i}.png", image_bytes("PNG")) for i in range(6)]
    with pytest.raises(DomainError):
        file_case(citizen, attachments=files)
    assert Case.objects.count() == 0


# --- Korean search --------------------------------------------------------------------------


def test_nouns_drop_particles():
    assert "가로등" in nouns_of("가로등이 고장났어요").split()


@pytest.fixture
def examples(db):
    return [
        PublishedExampleFactory(title="윗집 층간소음이 심해요", question="밤마다 뛰는 소리", answer="상담 안내"),
        PublishedExampleFactory(title="불법 주차 신고", question="골목에 차량", answer="단속"),
        PublishedExampleFactory(title="골목길 가로등 고장", question="어두워요", answer="교체"),
        PublishedExampleFactory(title="공원 벤치 파손", question="의자", answer="수리"),
    ]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("소음", "윗집 층간소음이 심해요"),  # 2 syllables, inside a compound
        ("층간소음", "윗집 층간소음이 심해요"),  # the compound itself
        ("주차", "불법 주차 신고"),
        ("가로등이", "골목길 가로등 고장"),  # a particle on the query
        ("벤치", "공원 벤치 파손"),
    ],
)
def test_korean_keyword_search_finds_examples(examples, query, title):
    assert [e.title for e in public_examples(query)] == [title]


def test_search_with_no_match_is_empty(examples):
    assert list(public_examples("지하철")) == []


def test_faq_search_and_unpublished_entries_hidden(db):
    FaqEntryFactory(question="층간소음 상담은 어디서?", answer="이웃사이센터")
    FaqEntryFactory(question="주차 소음 문의", answer="비공개", is_published=False)

    assert [f.question for f in faq_entries("소음")] == ["층간소음 상담은 어디서?"]


def test_case_search_uses_the_nouns_column(citizen, parking_rule, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the after-filing task stores the nouns
        file_case(citizen, title="가로등이 꺼졌어요", text="어두워서 위험합니다")
        file_case(citizen, title="불법 주차", text="차량")

    assert [c.title for c in search(Case.objects.all(), "가로등")] == ["가로등이 꺼졌어요"]
