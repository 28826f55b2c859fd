"""The case detail in the API lists its attachments with URLs of the checked view."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.complaints.factories import file_case, image_bytes

pytestmark = pytest.mark.django_db
BASE = "/api/v1/complaints"


@pytest.fixture
def case_with_files(citizen, parking_rule):
    photo = SimpleUploadedFile("현장.jpg", image_bytes(), content_type="image/jpeg")
    pdf = SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return file_case(citizen, attachments=[photo, pdf])


def test_the_detail_lists_each_attachment_and_its_url_serves_it(api_as, citizen, case_with_files):
    client = api_as(citizen)

    body = client.get(f"{BASE}/cases/{case_with_files.tracking_number}/").json()

    photo, pdf = case_with_files.attachments.order_by("pk")
    assert body["attachments"] == [
        {
            "name": photo.original_name,
            "kind": "image",
            "content_type": "image/jpeg",
            "size": photo.size,
            "url": f"http://testserver/complaints/attachments/{photo.pk}/",
        },
        {
            "name": "letter.pdf",
            "kind": "document",
            "content_type": "application/pdf",
            "size": pdf.size,
            "url": f"http://testserver/complaints/attachments/{pdf.pk}/",
        },
    ]
    served = client.get(body["attachments"][0]["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == photo.file.open("rb").read()


def test_the_officer_of_the_department_fetches_them_with_the_token(api_as, officer, case_with_files):
    body = api_as(officer).get(f"{BASE}/cases/{case_with_files.tracking_number}/").json()

    assert api_as(officer).get(body["attachments"][1]["url"]).status_code == 200


@pytest.mark.parametrize("who", ["other_citizen", "officer_of_other_department"])
def test_someone_who_may_not_see_the_case_sees_neither_list_nor_file(request, api_as, who, case_with_files):
    client = api_as(request.getfixturevalue(who))
    attachment = case_with_files.attachments.first()

    assert client.get(f"{BASE}/cases/{case_with_files.tracking_number}/").status_code == 404
    assert client.get(f"/complaints/attachments/{attachment.pk}/").status_code == 404


def test_an_anonymous_request_for_an_attachment_is_not_served(client, case_with_files):
    response = client.get(f"/complaints/attachments/{case_with_files.attachments.first().pk}/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_schema_documents_the_attachments(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    detail = schema["components"]["schemas"]["CaseDetail"]["properties"]["attachments"]
    assert detail["type"] == "array" and detail["items"] == {"$ref": "#/components/schemas/Attachment"}
    attachment = schema["components"]["schemas"]["Attachment"]
    assert set(attachment["properties"]) == {"name", "kind", "content_type", "size", "url"}
