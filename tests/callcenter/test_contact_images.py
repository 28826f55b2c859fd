"""120 contact images are served through the contact's gatekeeper, never by a guessable path."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from callcenter.models import ContactImage
from tests.callcenter.conftest import image_bytes
from tests.callcenter.factories import ContactFactory

pytestmark = pytest.mark.django_db

JPEG = image_bytes(exif=False)


@pytest.fixture
def contact(citizen):
    """A citizen's MMS with one image."""
    contact = ContactFactory(channel="sms_mms", caller=citizen, message_text="사진 보냅니다")
    ContactImage.objects.create(contact=contact, image=ContentFile(JPEG, name="mms.jpg"))
    return contact


def _url(contact):
    return reverse("callcenter:contact_image", kwargs={"pk": contact.pk, "image": contact.images.get().pk})


def _body(response):
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("persona", ["counsellor", "citizen"])
def test_counsellor_and_caller_get_the_image_with_safe_headers(client, request, contact, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(_url(contact))

    assert response.status_code == 200
    assert _body(response) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert "/" not in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("persona", ["other_citizen", "officer_of_other_department"])
def test_a_stranger_gets_404(client, request, contact, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(contact)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, contact):
    response = client.get(_url(contact))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_image_under_another_contacts_id_is_404(client, counsellor, contact):
    other = ContactFactory()
    client.force_login(counsellor)
    url = reverse("callcenter:contact_image", kwargs={"pk": other.pk, "image": contact.images.get().pk})
    assert client.get(url).status_code == 404


def test_the_contact_page_shows_the_image_through_the_checked_view(client, counsellor, contact):
    client.force_login(counsellor)
    page = client.get(reverse("callcenter:contact_detail", args=[contact.pk])).content.decode()
    assert f'src="{_url(contact)}"' in page
    assert "/media/" not in page


def test_the_api_answers_absolute_urls_a_token_client_can_fetch(api_as, counsellor, contact):
    api = api_as(counsellor)
    images = api.get(f"/api/v1/callcenter/contacts/{contact.pk}/").json()["images"]

    assert images == [f"http://testserver{_url(contact)}"]
    response = api.get(images[0])
    assert response.status_code == 200
    assert _body(response) == JPEG


def test_the_stored_path_is_not_served(client, counsellor, contact):
    client.force_login(counsellor)
    assert client.get(f"/media/{contact.images.get().image.name}").status_code == 404
