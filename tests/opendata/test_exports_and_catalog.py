"""Downloads (CSV, JSON, dictionary), the DCAT catalogue and the licence, through HTTP."""

import csv
import io
import json

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from opendata import services

KOGL = "https://www.kogl.or.kr/info/licenseType1.do"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def body(response):
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.fixture
def published(make_cases, noise):
    cases = make_cases(6, category=noise, text_is_public=True, title="소음 신고", text="공사 소음")
    services.datasets_refresh_all()
    return cases


def test_csv_has_the_dictionary_columns_and_the_published_rows(client, published):
    response = client.get("/opendata/cases.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = body(response)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 6
    first = rows[0]
    assert list(first)[:3] == ["tracking_number", "kind", "category"]
    assert (first["district"], first["district_name_ko"], first["dong"], first["category_name_ko"]) == (
        "11440",
        "마포구",
        "합정동",
        "소음",
    )
    assert (first["title"], first["lat"], first["filed_date"]) == ("소음 신고", "37.550", "2026-03-04")
    assert "010-1234-5678" not in text and "김시민" not in text


def test_json_carries_licence_refresh_time_dictionary_and_rows(client, published):
    response = client.get("/opendata/cases.json")

    assert response.status_code == 200
    document = json.loads(body(response))
    assert document["dataset"] == "cases"
    assert document["license"] == KOGL
    assert document["refreshed_at"]
    assert [f["name"] for f in document["fields"]][:2] == ["tracking_number", "kind"]
    assert {f["name"]: f["ko"] for f in document["fields"]}["dong"].startswith("행정동")
    assert len(document["rows"]) == 6
    assert document["rows"][0]["lat"] == 37.55
    assert document["rows"][0]["filed_date"] == "2026-03-04"


def test_an_empty_dataset_is_valid_json_and_a_csv_header(client, db):
    assert json.loads(body(client.get("/opendata/proposals.json")))["rows"] == []
    assert body(client.get("/opendata/proposals.csv")).lstrip("\ufeff").startswith("proposal,title,status")


def test_unknown_dataset_is_404(client, db):
    assert client.get("/opendata/nothing.csv").status_code == 404
    assert client.get("/opendata/nothing/").status_code == 404


def test_downloads_are_throttled_per_address(client, db, monkeypatch):
    from civicportal.throttling import AddressRateThrottle

    monkeypatch.setattr(AddressRateThrottle, "THROTTLE_RATES", {"opendata_download": "2/minute"})

    codes = [client.get("/opendata/contacts.csv").status_code for _ in range(3)]

    assert codes == [200, 200, 429]


DCAT_NS = Namespace("http://www.w3.org/ns/dcat#")


def _catalog(client):
    response = client.get("/opendata/catalog.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    graph = Graph()
    graph.parse(data=response.content.decode("utf-8"), format="json-ld")
    return graph


def test_dcat_catalogue_parses_as_json_ld_with_the_expected_classes(client, published):
    graph = _catalog(client)

    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    distributions = set(graph.subjects(RDF.type, DCAT.Distribution))
    assert len(catalogs) == 1
    assert len(datasets) == 4
    assert len(distributions) == 8
    assert set(graph.objects(catalogs[0], DCAT.dataset)) == datasets
    cases = URIRef("http://127.0.0.1:8000/opendata/cases/")
    assert cases in datasets
    assert Literal("응답소 민원 처리 현황", lang="ko") in set(graph.objects(cases, DCTERMS.title))
    assert set(graph.objects(cases, DCTERMS.license)) == {URIRef(KOGL)}
    modified = next(graph.objects(cases, DCTERMS.modified))
    assert modified.datatype == XSD.dateTime
    media = {str(graph.value(d, DCAT.mediaType)) for d in graph.objects(cases, DCAT.distribution)}
    assert media == {
        "https://www.iana.org/assignments/media-types/text/csv",
        "https://www.iana.org/assignments/media-types/application/json",
    }
    downloads = {str(graph.value(d, DCAT.downloadURL)) for d in distributions}
    assert "http://127.0.0.1:8000/opendata/cases.csv" in downloads


def test_the_licence_is_chosen_in_settings(client, published, settings):
    settings.OPENDATA_LICENSE = "cc-by-4.0"

    graph = _catalog(client)

    assert set(graph.objects(None, DCTERMS.license)) == {URIRef(CC_BY)}
    assert json.loads(body(client.get("/opendata/cases.json")))["license"] == CC_BY
    assert "Creative Commons Attribution 4.0" in client.get("/opendata/").content.decode()


def test_every_download_link_of_the_catalogue_answers(client, published):
    graph = _catalog(client)

    for url in graph.objects(None, DCAT.downloadURL):
        path = str(url).removeprefix("http://127.0.0.1:8000")
        assert client.get(path).status_code == 200, path
