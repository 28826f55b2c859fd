"""Similar proposals in Korean, on SQLite and on PostgreSQL alike: titles are compared by
their nouns (the same analysis as complaints' search), so particles do not hide a duplicate.
Through the doors a citizen uses: the panel while typing, the submit form, the API."""

import pytest
from django.urls import reverse

from proposals.models import Proposal
from tests.proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db

EXISTING = "버스정류장 그늘막 설치"
NEW = "버스정류장 그늘막과 온열의자 설치"
FORM = {
    "title": NEW,
    "problem": "겨울에는 춥고 여름에는 더운 정류장에서 오래 기다립니다.",
    "idea": "주요 정류장에 그늘막과 온열의자를 함께 설치합니다.",
    "expected_effect": "어르신들의 온열·한랭 질환 감소",
    "action": "submit",
}


@pytest.fixture
def existing(db):
    ProposalFactory(title="도서관 야간 개방 확대")
    ProposalFactory(title="공공 건물 옥상 정원 설치")  # shares only 설치
    return ProposalFactory(title=EXISTING)


def test_title_nouns_drop_the_particles(existing):
    assert set(existing.title_nouns.split()) >= {"버스", "정류장", "그늘", "설치"}
    assert "그늘막과" not in Proposal.objects.get(pk=existing.pk).title_nouns


@pytest.mark.parametrize("typed", [NEW, "버스정류장에 그늘막을", "정류장 그늘막 설치해 주세요"])
def test_the_panel_while_typing_shows_the_similar_proposal(client, existing, typed):
    page = client.get(reverse("proposals:similar"), {"title": typed}, HTTP_HX_REQUEST="true").content.decode()
    assert EXISTING in page
    assert "도서관" not in page and "옥상" not in page


@pytest.mark.parametrize("typed", ["도서관에 그늘막", "온열의자 설치", "설치"])
def test_the_panel_stays_quiet_for_titles_that_share_a_word_or_less(client, existing, typed):
    page = client.get(reverse("proposals:similar"), {"title": typed}).content.decode()
    assert EXISTING not in page


def test_submitting_shows_the_similar_proposal_first_and_writes_nothing(client, citizen, existing):
    client.force_login(citizen)
    response = client.post(reverse("proposals:submit"), FORM)
    assert response.status_code == 200
    assert EXISTING in response.content.decode()
    assert not Proposal.objects.filter(title=NEW).exists()

    confirmed = client.post(reverse("proposals:submit"), {**FORM, "confirm_similar": "1"})
    assert confirmed.status_code == 302
    assert Proposal.objects.get(title=NEW).status == Proposal.Status.OPEN


def test_the_api_finds_it_too(api_client, existing):
    found = api_client.get("/api/v1/proposals/similar/", {"title": NEW}).json()
    assert [p["title"] for p in found] == [EXISTING]


def test_a_draft_is_not_shown_as_similar(client, existing):
    Proposal.objects.filter(pk=existing.pk).update(status=Proposal.Status.DRAFT, submitted_at=None)
    page = client.get(reverse("proposals:similar"), {"title": NEW}).content.decode()
    assert EXISTING not in page


def test_a_proposal_about_a_place_gets_its_district(client, citizen):
    client.force_login(citizen)
    response = client.post(
        reverse("proposals:submit"),
        {**FORM, "title": "합정역 사거리 횡단보도 신설", "location_text": "마포구 합정역 사거리"},
    )
    assert response.status_code == 302
    assert Proposal.objects.get(title="합정역 사거리 횡단보도 신설").district.code == "11440"


# --- The shared similarity service (civicportal.similarity): paraphrases, spacing, hard negatives


@pytest.fixture
def oasis(db):
    return {
        "library": ProposalFactory(title="동네 도서관 야간 개방 확대", author__username="writer_kim"),
        "pool": ProposalFactory(title="한강 야외 수영장 확대"),
        "parking": ProposalFactory(title="도서관 주차장 확대"),  # shares 도서관 and 확대 only
        "dogs": ProposalFactory(title="한강공원 반려견 놀이터 조성"),
        "kids": ProposalFactory(title="어린이 놀이터 조성"),  # shares 놀이터 and 조성 only
    }


@pytest.mark.parametrize(
    ("typed", "expected", "not_expected"),
    [
        ("도서관을 밤늦게까지 야간 개방해 주세요", "library", "parking"),
        ("도서관야간개방", "library", "parking"),
        ("반려견놀이터를 한강공원에", "dogs", "kids"),
        ("한강공원에 반려견이 뛰어놀 놀이터 만들기", "dogs", "kids"),
    ],
)
def test_the_panel_while_typing_understands_paraphrases_and_spacing(client, oasis, typed, expected, not_expected):
    page = client.get(reverse("proposals:similar"), {"title": typed}, HTTP_HX_REQUEST="true").content.decode()
    assert reverse("proposals:detail", args=[oasis[expected].pk]) in page
    assert oasis[not_expected].title not in page


def test_the_panel_shows_no_author(client, oasis):
    page = client.get(reverse("proposals:similar"), {"title": "도서관 야간 개방"}).content.decode()
    assert oasis["library"].title in page
    assert "writer_kim" not in page and "writer" not in page


def test_the_submit_form_offers_the_paraphrased_proposal_and_links_to_it(client, citizen, oasis):
    client.force_login(citizen)
    response = client.post(reverse("proposals:submit"), {**FORM, "title": "도서관을 밤에도 여는 야간 개방"})
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("proposals:detail", args=[oasis["library"].pk]) in page
    assert oasis["parking"].title not in page
    assert not Proposal.objects.filter(title="도서관을 밤에도 여는 야간 개방").exists()


def test_the_api_ranks_by_score(api_client, oasis):
    found = api_client.get("/api/v1/proposals/similar/", {"title": "한강공원 반려견 놀이터"}).json()
    assert [p["id"] for p in found] == [oasis["dogs"].pk]
