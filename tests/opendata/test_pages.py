"""The public pages: catalogue, dataset page with its dictionary, the dashboard."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from callcenter.models import Contact
from opendata import services
from tests.callcenter.factories import ContactFactory


@pytest.fixture
def data(make_cases, noise, parking):
    make_cases(8, category=noise, status="answered", answered_at=dt.datetime(2026, 3, 4, 7, tzinfo=dt.UTC))
    make_cases(5, category=parking, district_code="11680", dong="역삼1동", day=dt.date(2026, 2, 10))
    ContactFactory.create_batch(4, channel=Contact.Channel.VOICE)
    ContactFactory.create_batch(2, channel=Contact.Channel.TEXT_CHAT, language=Contact.Language.VIETNAMESE)
    services.datasets_refresh_all()


def test_catalogue_lists_each_dataset_with_downloads_licence_and_refresh_time(client, data):
    page = client.get("/opendata/").content.decode()

    assert "Eung-Dap-So cases and their handling" in page
    assert page.count('href="/opendata/cases.csv"') == 1
    assert 'href="/opendata/contacts.json"' in page
    assert "Korea Open Government License Type 1" in page
    assert "Refreshed" in page and "13 rows" in page


def test_catalogue_reads_korean_by_default(client, data, settings):
    settings.LANGUAGE_CODE = "ko"

    page = client.get("/opendata/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert "응답소 민원 처리 현황" in page
    assert "공공누리 제1유형" in page
    assert "Eung-Dap-So cases and their handling" not in page


def test_dataset_page_shows_its_data_dictionary(client, data):
    page = client.get("/opendata/cases/").content.decode()

    assert "<code>processing_hours</code>" in page
    assert "Hours from filing to answer" in page
    assert "접수부터 답변까지 걸린 시간" in page
    assert 'href="/opendata/cases.csv"' in page


def test_dashboard_draws_the_25_districts_with_values_classes_and_tables(client, data):
    page = client.get("/opendata/dashboard/").content.decode()

    assert len(re.findall(r"<path d=\"M", page)) >= 25
    assert "<title>Mapo-gu: 8</title>" in page
    assert "<title>Gangnam-gu: 5</title>" in page
    assert "<title>Jongno-gu: no data</title>" in page
    # The table beside the map, and one beside each chart.
    assert re.search(r"<th scope=\"row\">Mapo-gu</th><td>5</td><td>8</td>", page)
    assert re.search(r"<th scope=\"row\">2026-03</th><td>8</td>", page)
    assert re.search(r"<th scope=\"row\">Noise</th><td>8</td>", page)
    assert re.search(r"<th scope=\"row\">Voice call</th><td>4</td>", page)
    assert re.search(r"<th scope=\"row\">Vietnamese</th><td>2</td>", page)


def test_dashboard_colours_by_processing_time_on_request(client, data):
    page = client.get("/opendata/dashboard/?measure=time").content.decode()

    # Answered at 16:00, filed from 10:00 a minute apart: 6 hours once, then 5 (whole hours).
    assert "<title>Mapo-gu: 5.1 hours</title>" in page
    assert "<title>Gangnam-gu: no data</title>" in page
    assert 'href="?measure=time" aria-current="page"' in page


def _dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/opendata/dashboard/").status_code == 200
    # The site-wide alert banner has its own cache; count what this page asks for.
    return [q["sql"] for q in queries.captured_queries if "opendata_" in q["sql"] or "accounts_district" in q["sql"]]


def test_dashboard_costs_the_same_few_queries_however_many_rows(client, data, make_cases, noise):
    few = _dashboard_queries(client)
    make_cases(40, category=noise, district_code="11110", dong="청운효자동")
    services.dataset_refresh(slug="cases")

    many = _dashboard_queries(client)

    assert len(many) == len(few) == 7


def test_nothing_published_yet_still_renders(client, db):
    assert client.get("/opendata/").status_code == 200
    assert client.get("/opendata/dashboard/").status_code == 200
    assert "Not yet published." in client.get("/opendata/cases/").content.decode()
