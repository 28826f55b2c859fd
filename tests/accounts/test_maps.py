"""The location picker's server side: the district lookup it calls, the tile source from the
environment, and the Content Security Policy that allows exactly that tile host."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from civicportal.accounts.models import District
from civicportal.settings import tile_source
from tests.accounts.test_site import _run_settings

pytestmark = pytest.mark.django_db
LOOKUP = "/accounts/districts/at/"


def test_lookup_names_the_district_of_a_point_in_seoul(client):
    response = client.get(LOOKUP, {"lat": "37.5563", "lon": "126.9019"})
    assert response.status_code == 200
    assert response.json() == {
        "district": {"code": "11440", "name": "Mapo-gu"},
        "dong": "망원2동",
        "dong_name": "Mangwon 2(i)-dong",
        "outside": False,
        "centre": None,
    }


def test_lookup_answers_in_the_readers_language(client):
    response = client.get(LOOKUP, {"lat": "37.5563", "lon": "126.9019"}, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.json()["district"]["name"] == District.objects.get(code="11440").name_ko == "마포구"


def test_lookup_outside_seoul_finds_no_district(client):
    response = client.get(LOOKUP, {"lat": "35.1796", "lon": "129.0756"})  # Busan
    assert response.status_code == 200
    assert response.json() == {"district": None, "dong": "", "dong_name": "", "outside": True, "centre": None}


@pytest.mark.parametrize(
    "query, bad",
    [
        ({}, {"lat", "lon"}),
        ({"lat": "37.5", "lon": ""}, {"lon"}),
        ({"lat": "north", "lon": "126.9"}, {"lat"}),
        ({"lat": "NaN", "lon": "126.9"}, {"lat"}),
        ({"lat": "37.5", "lon": "Infinity"}, {"lon"}),
        ({"lat": "91", "lon": "126.9"}, {"lat"}),
        ({"lat": "37.5", "lon": "-180.5"}, {"lon"}),
        ({"lat": "1e999999", "lon": "126.9"}, {"lat"}),
    ],
)
def test_lookup_refuses_what_is_not_a_position(client, query, bad):
    response = client.get(LOOKUP, query)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid" and set(body["fields"]) == bad


def test_lookup_only_reads(client):
    assert client.post(LOOKUP, {"lat": "37.5563", "lon": "126.9019"}).status_code == 405


def test_filing_form_has_the_map_and_the_plain_inputs(client, citizen):
    client.force_login(citizen)
    page = client.get("/complaints/file/").content.decode()
    assert 'name="lat"' in page and 'name="lon"' in page
    assert "data-map-picker hidden" in page
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    assert "vendor/leaflet/leaflet.js" in page and 'role="region"' in page


def test_without_a_tile_url_the_picker_has_no_map(client, citizen, settings):
    settings.MAP_TILE_URL = ""
    client.force_login(citizen)
    page = client.get("/complaints/file/").content.decode()
    assert "data-map-picker" in page and "data-map-clear" in page
    assert "data-tile-url" not in page and "leaflet.js" not in page


def test_csp_allows_images_from_the_tile_host_only(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    img_src = next(d for d in policy.split(";") if d.strip().startswith("img-src"))
    assert img_src.split() == ["img-src", "'self'", "data:", "blob:", "https://tile.openstreetmap.org"]
    assert "openstreetmap" not in policy.replace(img_src, "")


@pytest.mark.parametrize(
    "url, source",
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}{r}.png", "https://*.tile.example.org"),
        ("http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png", "http://127.0.0.1:8080"),
        ("/tiles/{z}/{x}/{y}.png", None),
        ("", None),
    ],
)
def test_tile_source_is_the_host_of_the_template(url, source):
    assert tile_source(url) == source


@pytest.mark.parametrize(
    "url",
    [
        "https://tile.example.org/{z}/{x}.png",
        "ftp://tile.example.org/{z}/{x}/{y}.png",
        "https://a{s}.example.org/{z}/{x}/{y}.png",
        "tile.example.org/{z}/{x}/{y}.png",
    ],
)
def test_tile_source_refuses_an_unusable_template(url):
    with pytest.raises(ImproperlyConfigured):
        tile_source(url)


def test_tile_url_and_centre_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.MAP_CENTER, s.MAP_ZOOM, s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'][-1])"
    )
    env = {
        "DEBUG": "true",
        "MAP_TILE_URL": "https://tiles.example.org/{z}/{x}/{y}.png",
        "MAP_CENTER": "35.1796,129.0756",
        "MAP_ZOOM": "11",
    }
    result = _run_settings(env, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["(35.1796,", "129.0756)", "11", "https://tiles.example.org"]
