"""The media disk full: a filing with attachments fails with a clear message and leaves neither a
case without its file nor a file without its case (``civicportal/storage.py``, ``files.py``).

The disk fills in the middle of a write: the storage's writer stores part of the bytes and then
the operating system refuses the rest with ``ENOSPC``, as a full file system does.
"""

import errno
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicportal import storage
from complaints.models import Attachment, Case
from proposals.models import Proposal, ProposalImage
from tests.complaints.factories import image_bytes

pytestmark = pytest.mark.django_db
FULL = "No space left on device"


@pytest.fixture
def disk_fills(monkeypatch):
    """The disk fills after ``room`` whole files: the next write stores half its bytes, then fails."""
    state = {"room": 0}
    write = storage.write_chunks

    def write_until_full(out, content):
        if state["room"] > 0:
            state["room"] -= 1
            return write(out, content)
        data = b"".join(c if isinstance(c, bytes) else c.encode() for c in content.chunks())
        out.write(data[: len(data) // 2])
        out.flush()
        raise OSError(errno.ENOSPC, FULL)

    monkeypatch.setattr(storage, "write_chunks", write_until_full)
    return state


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def files_in(settings):
    root = settings.MEDIA_ROOT
    return sorted(
        os.path.relpath(os.path.join(folder, name), root) for folder, _, names in os.walk(root) for name in names
    )


def photo(name="street.jpg"):
    return SimpleUploadedFile(name, image_bytes(), content_type="image/jpeg")


FILING = {"kind": "complaint", "title": "불법 주차", "text": "골목을 막았어요", "lat": "37.5663", "lon": "126.9019"}


def test_a_web_filing_on_a_full_disk_says_so_and_leaves_nothing(as_user, citizen, parking_rule, settings, disk_fills):
    response = as_user(citizen).post("/complaints/file/", {**FILING, "attachments": [photo()]})

    assert response.status_code == 400  # the form again, with what the citizen typed
    page = response.content.decode()
    assert "the file store is full or unavailable. Nothing was saved" in page
    assert "골목을 막았어요" in page
    assert Case.objects.count() == 0 and Attachment.objects.count() == 0
    assert files_in(settings) == []


def test_the_second_attachment_failing_removes_the_first(as_user, citizen, parking_rule, settings, disk_fills):
    disk_fills["room"] = 1
    response = as_user(citizen).post("/complaints/file/", {**FILING, "attachments": [photo("a.jpg"), photo("b.jpg")]})

    assert response.status_code == 400
    assert Case.objects.count() == 0 and Attachment.objects.count() == 0
    assert files_in(settings) == []


def test_the_korean_page_says_it_in_korean(as_user, citizen, parking_rule, settings, disk_fills):
    settings.LANGUAGE_CODE = "ko"
    client = as_user(citizen)
    response = client.post("/complaints/file/", {**FILING, "attachments": [photo()]}, HTTP_ACCEPT_LANGUAGE="ko")

    assert "파일 저장소가 가득 찼거나" in response.content.decode()


def test_an_api_filing_on_a_full_disk_is_503_and_writes_nothing(api_as, citizen, parking_rule, settings, disk_fills):
    response = api_as(citizen).post(
        "/api/v1/complaints/cases/",
        {"kind": "complaint", "title": "주차", "text": "사진 첨부", "attachments": [photo()]},
        format="multipart",
    )

    assert response.status_code == 503
    assert response.json()["error"] == "storage_unavailable"
    assert Case.objects.count() == 0 and files_in(settings) == []


def test_filing_works_again_once_there_is_room(as_user, citizen, parking_rule, settings, disk_fills):
    as_user(citizen).post("/complaints/file/", {**FILING, "attachments": [photo()]})
    disk_fills["room"] = 5

    response = as_user(citizen).post("/complaints/file/", {**FILING, "attachments": [photo()]})

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert files_in(settings) == [attachment.file.name]
    with attachment.file.open("rb") as stored:
        assert stored.read()[:2] == b"\xff\xd8"  # a whole JPEG


def test_a_proposal_image_on_a_full_disk_keeps_the_draft_without_it(api_as, citizen, settings, disk_fills):
    from tests.proposals.test_images import jpeg_with_exif

    client = api_as(citizen)
    pk = client.post("/api/v1/proposals/", {"title": "사진과 함께", "draft": True}, format="json").json()["id"]

    response = client.post(f"/api/v1/proposals/{pk}/images/", {"images": [jpeg_with_exif()]}, format="multipart")

    assert response.status_code == 503 and response.json()["error"] == "storage_unavailable"
    assert Proposal.objects.filter(pk=pk).exists() and ProposalImage.objects.count() == 0
    assert files_in(settings) == []
