"""The directory's pages through HTTP: the tree, the search in Korean and English, a
department's page with its roles, and the link from a case page."""

import pytest
from django.test import Client

from civicportal.accounts.models import Department, DepartmentMembership
from complaints.models import RoutingRule
from tests.directory.conftest import set_visibility

pytestmark = pytest.mark.django_db
SHOWN, HIDDEN, DEPARTMENT = (DepartmentMembership.DirectoryName.values[i] for i in (1, 2, 0))


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_directory_lists_every_active_department_with_phone_and_what_it_handles(client, city):
    Department.objects.filter(code="culture-policy").update(is_active=False)

    html = page(client, "/directory/")

    shown = [d for d in city.values() if d.code != "culture-policy"]
    assert all(f'href="/directory/{d.code}/"' in html for d in shown)
    assert 'href="/directory/culture-policy/"' not in html
    assert html.count("-office/") == 25
    assert 'href="tel:02-2133-2370"' in html  # the parking division
    assert 'District offices <span class="count">(25)</span>' in html
    assert "Outside Seoul" in html and "Gyeonggi Province" in html


def test_the_directory_needs_no_account_and_answers_in_korean_by_default(settings, city):
    settings.LANGUAGE_CODE = "ko"

    html = page(Client(), "/directory/")

    assert "주차계획과" in html and "Parking Planning Division" not in html
    assert "서울시 부서 안내" in html and "City directory" not in html
    assert "구청" in html and "서울특별시 마포구 월드컵로 212" not in html  # addresses on the department page


@pytest.mark.parametrize(
    ("query", "expected", "not_expected"),
    [
        ("주차", "parking", "living-environment"),
        ("주차는 어디에 신고하나요", "parking", "road-management"),  # particles and question words
        ("가로등이", "road-management", "parking"),
        ("소음", "living-environment", "parking"),
        ("마포구", "mapo-gu-office", "gangnam-gu-office"),
        ("parking", "parking", "living-environment"),
        ("noise", "living-environment", "parking"),  # by the category its keywords name
        ("street lights", "road-management", "bus-policy"),
        ("where do I report corruption", "audit", "parking"),
        ("Mapo-gu", "mapo-gu-office", "gangnam-gu-office"),
    ],
)
def test_search_in_korean_and_english_by_name_or_by_what_it_handles(client, city, query, expected, not_expected):
    html = page(client, f"/directory/?q={query}")

    assert f'href="/directory/{expected}/"' in html
    assert f'href="/directory/{not_expected}/"' not in html


def test_a_search_that_matches_nothing_says_so(client, city):
    html = page(client, "/directory/?q=zzzqqq")

    assert "No department matches" in html and 'href="/directory/parking/"' not in html


def test_a_search_puts_the_departments_named_by_it_first(client, city):
    # Mapo-gu's office also takes street lights (its category, "Roads and street lights").
    RoutingRule.objects.create(priority=5, name="마포 가로등", keywords="가로등", department=city["mapo-gu-office"])

    html = page(client, "/directory/?q=road")

    assert html.index('href="/directory/road-management/"') < html.index('href="/directory/mapo-gu-office/"')


def test_a_department_page_shows_contact_handles_and_place_in_the_tree(client, city):
    html = page(client, "/directory/parking/")

    assert "<h1>Parking Planning Division</h1>" in html
    assert 'lang="ko">주차계획과</p>' in html
    assert "02-2133-2370" in html and "15 Deoksugung-gil, Jung-gu, Seoul" in html
    assert 'href="/directory/transport/"' in html and 'href="/directory/seoul/"' in html  # breadcrumbs
    assert '<span class="tag">Parking</span>' in html
    assert "불법주차" in html  # the keywords that route here


def test_a_district_office_takes_its_districts_unrouted_cases(client, city):
    html = page(client, "/directory/mapo-gu-office/")

    assert "Cases in Mapo-gu that no other department is named for" in html
    assert "212 World Cup-ro, Mapo-gu, Seoul" in html


def test_the_coordination_desk_takes_what_nothing_else_claims(client, city):
    html = page(client, "/directory/coordination-desk/")

    assert "Every case no rule routes elsewhere" in html
    assert '<span class="tag">Inquiry</span>' in html


def test_unknown_and_inactive_departments_are_404(client, city):
    Department.objects.filter(code="parks").update(is_active=False)

    assert client.get("/directory/parks/").status_code == 404
    assert client.get("/directory/no-such-department/").status_code == 404


@pytest.mark.parametrize(
    ("lists_names", "head", "officer", "head_shown", "officer_shown"),
    [
        (False, None, None, False, False),  # the default: no names
        (False, SHOWN, None, True, False),  # one person chose to be listed
        (True, None, None, True, True),  # the department lists its officers
        (True, None, HIDDEN, True, False),  # ...but a person's own choice wins
        (True, HIDDEN, DEPARTMENT, False, True),
    ],
)
def test_officers_names_appear_only_where_the_city_chooses(
    client, city, parking_officers, lists_names, head, officer, head_shown, officer_shown
):
    set_visibility(city["parking"], lists_names=lists_names, head=head, officer=officer)

    html = page(client, "/directory/parking/")

    assert ("최과장" in html) is head_shown
    assert ("박주무관" in html) is officer_shown
    assert "Head of department" in html and "Officer" in html  # the roles, named or not
    assert html.count("not published") >= (not head_shown) + (not officer_shown)


def test_the_directory_never_shows_personal_contact_data(client, city, parking_officers):
    set_visibility(city["parking"], lists_names=True)

    html = page(client, "/directory/parking/") + page(client, "/directory/?q=주차")

    assert "박주무관" in html
    for personal in ("choi.head@example.org", "park.officer@example.org", "1012345678", "010-1234-5678"):
        assert personal not in html
    assert "parking_officer" not in html and "parking_head" not in html  # usernames either


def test_the_tree_reads_in_a_bounded_number_of_queries(client, city, parking_officers, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        page(client, "/directory/")
    with django_assert_max_num_queries(10):
        page(client, "/directory/parking/")


def test_the_search_box_keeps_a_long_query_short(client, city):
    assert client.get("/directory/?q=" + "주차" * 500).status_code == 200


def test_site_navigation_and_footer_link_to_the_directory(client):
    html = page(client, "/")

    assert html.count('href="/directory/"') == 2


def test_a_search_reads_in_a_bounded_number_of_queries(client, city, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        page(client, "/directory/?q=주차는 어디에")


def test_the_tree_is_cached_and_an_edit_shows_at_once(client, city, django_assert_max_num_queries):
    page(client, "/directory/")
    with django_assert_max_num_queries(1):
        page(client, "/directory/")

    parking = city["parking"]
    parking.phone = "02-2133-9999"
    parking.save()
    RoutingRule.objects.create(priority=1, name="새 규칙", keywords="자전거", department=city["bus-policy"])

    html = page(client, "/directory/")
    assert "02-2133-9999" in html and "02-2133-2370" not in html
    assert 'href="/directory/bus-policy/"' in page(client, "/directory/?q=자전거")
