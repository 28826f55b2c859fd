"""Proposal images are served by the proposal's gatekeeper: a draft's to its author alone,
a submitted proposal's to anyone."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from proposals import services
from proposals.models import Proposal, ProposalImage
from tests.proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "green").save(out, "JPEG")
    return out.getvalue()


JPEG = _jpeg()


def _with_image(proposal):
    ProposalImage.objects.create(proposal=proposal, image=ContentFile(JPEG, name="x.jpg"), alt_text="bus stop")
    return proposal


@pytest.fixture
def draft(citizen, department):
    return _with_image(ProposalFactory(author=citizen, department=department, status=Proposal.Status.DRAFT))


@pytest.fixture
def published(citizen, department):
    return _with_image(ProposalFactory(author=citizen, department=department))


def _url(proposal):
    return reverse("proposals:image", kwargs={"pk": proposal.pk, "image": proposal.images.get().pk})


def _body(response):
    return b"".join(response.streaming_content)


def test_the_author_gets_the_draft_image(client, citizen, draft):
    client.force_login(citizen)

    response = client.get(_url(draft))

    assert response.status_code == 200
    assert _body(response) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Cache-Control"].startswith("private")


@pytest.mark.parametrize("persona", ["other_citizen", "officer", "evaluator"])
def test_a_drafts_image_is_404_for_anyone_else(client, request, draft, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(draft)).status_code == 404


def test_a_drafts_image_is_404_for_anonymous(client, draft):
    assert client.get(_url(draft)).status_code == 404


@pytest.mark.parametrize("persona", [None, "other_citizen", "officer"])
def test_a_published_proposals_image_is_public(client, request, published, persona):
    if persona:
        client.force_login(request.getfixturevalue(persona))

    response = client.get(_url(published))

    assert response.status_code == 200
    assert _body(response) == JPEG
    assert response["Content-Type"] == "image/jpeg"


def test_an_image_under_another_proposals_id_is_404(client, published):
    other = ProposalFactory()
    url = reverse("proposals:image", kwargs={"pk": other.pk, "image": published.images.get().pk})
    assert client.get(url).status_code == 404


def test_the_detail_page_shows_the_image_through_the_checked_view(client, published):
    page = client.get(reverse("proposals:detail", args=[published.pk])).content.decode()
    assert f'src="{_url(published)}"' in page
    assert "/media/" not in page


def test_the_evaluation_page_shows_the_image(client, in_review, officer, internal_expert):
    _with_image(in_review)
    services.evaluator_assign(officer=officer, proposal_id=in_review.pk, evaluator_user_ids=[internal_expert.pk])
    client.force_login(internal_expert)

    page = client.get(reverse("proposals:evaluate", args=[in_review.pk])).content.decode()

    assert f'src="{_url(in_review)}"' in page
    assert client.get(_url(in_review)).status_code == 200


def test_the_api_answers_absolute_urls_the_author_can_fetch_with_a_token(api_as, citizen, draft):
    api = api_as(citizen)
    images = api.get(f"/api/v1/proposals/{draft.pk}/").json()["images"]

    assert images == [f"http://testserver{_url(draft)}"]
    assert _body(api.get(images[0])) == JPEG


def test_the_stored_path_is_not_served(client, published):
    assert client.get(f"/media/{published.images.get().image.name}").status_code == 404


def test_an_administrator_sees_a_drafts_image_from_its_admin_page(client, administrator, draft):
    client.force_login(administrator)
    page = client.get(reverse("admin:proposals_proposal_change", args=[draft.pk])).content.decode()
    assert _url(draft) in page  # the admin links the checked view

    response = client.get(_url(draft))

    assert response.status_code == 200
    assert _body(response) == JPEG
    assert response["Cache-Control"].startswith("private")
