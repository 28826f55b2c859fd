"""Poll and option images are shown with the poll: by the poll page's rule, through a checked view."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from polls.models import Poll
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db


def _png(colour):
    out = io.BytesIO()
    Image.new("RGB", (12, 8), colour).save(out, "PNG")
    return out.getvalue()


POLL_PNG, OPTION_PNG = _png("red"), _png("blue")


def _poll(**fields):
    poll = PollFactory(image=ContentFile(POLL_PNG, name="bench.png"), **fields)
    option = poll.options.first()
    option.image.save("option.png", ContentFile(OPTION_PNG))
    return poll


@pytest.fixture
def approved(department):
    return _poll(department=department)


@pytest.fixture
def proposed(citizen, department):
    """A citizen's poll proposal, awaiting approval: its author's and officers' to see."""
    return _poll(department=department, created_by=citizen, kind=Poll.Kind.CITIZEN, approval=Poll.Approval.PENDING)


def _urls(poll):
    option = poll.options.first()
    return {
        POLL_PNG: reverse("polls:image", args=[poll.pk]),
        OPTION_PNG: reverse("polls:option_image", kwargs={"pk": poll.pk, "option": option.pk}),
    }


def _body(response):
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("persona", ["citizen", "other_citizen", "officer_of_other_department"])
def test_an_approved_polls_images_are_shown_to_every_account(client, request, approved, persona):
    client.force_login(request.getfixturevalue(persona))
    for data, url in _urls(approved).items():
        response = client.get(url)
        assert response.status_code == 200
        assert _body(response) == data
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("inline;")
        assert response["Cache-Control"].startswith("private")


@pytest.mark.parametrize("persona", ["citizen", "officer"])
def test_a_proposed_polls_images_are_shown_to_its_author_and_officers(client, request, proposed, persona):
    client.force_login(request.getfixturevalue(persona))
    assert [client.get(url).status_code for url in _urls(proposed).values()] == [200, 200]


def test_a_proposed_polls_images_are_404_for_another_citizen(client, other_citizen, proposed):
    client.force_login(other_citizen)
    assert [client.get(url).status_code for url in _urls(proposed).values()] == [404, 404]


def test_anonymous_is_sent_to_sign_in_as_for_the_poll_page(client, approved):
    for url in _urls(approved).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_an_option_of_another_poll_is_404(client, citizen, approved):
    other = PollFactory(department=approved.department)
    client.force_login(citizen)
    url = reverse("polls:option_image", kwargs={"pk": other.pk, "option": approved.options.first().pk})
    assert client.get(url).status_code == 404


def test_a_poll_without_an_image_is_404(client, citizen, department):
    poll = PollFactory(department=department)
    client.force_login(citizen)
    assert client.get(reverse("polls:image", args=[poll.pk])).status_code == 404


def test_the_poll_page_shows_both_images_through_the_checked_views(client, citizen, approved):
    client.force_login(citizen)
    page = client.get(reverse("polls:detail", args=[approved.pk])).content.decode()
    for url in _urls(approved).values():
        assert f'src="{url}?v=' in page
    assert "/media/" not in page


def test_a_replaced_image_gets_a_new_url(approved):
    before = approved.image_url
    approved.image.save("bench2.png", ContentFile(POLL_PNG))
    assert approved.image_url != before
    assert approved.image_url.split("?")[0] == before.split("?")[0]


def test_the_api_answers_absolute_urls_a_token_client_can_fetch(api_as, citizen, approved):
    api = api_as(citizen)
    body = api.get(f"/api/v1/polls/{approved.pk}/").json()

    assert body["image"] == f"http://testserver{approved.image_url}"
    assert _body(api.get(body["image"])) == POLL_PNG
    option = body["options"][0]
    assert option["image"].startswith("http://testserver/polls/")
    assert _body(api.get(option["image"])) == OPTION_PNG
    assert [o["image"] for o in body["options"][1:]] == [None, None]


def test_the_stored_path_is_not_served(client, citizen, approved):
    client.force_login(citizen)
    assert client.get(f"/media/{approved.image.name}").status_code == 404
