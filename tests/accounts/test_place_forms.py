"""Every form with a location puts the place (or "use my position") and the map first and
folds the latitude/longitude inputs behind a disclosure, opened when they hold an error."""

import re

import pytest
from django.urls import reverse

from tests.callcenter.factories import ContactFactory
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db


def folded(page, *ids):
    """The disclosure holding the inputs ``ids`` (and whether it is open), or None."""
    match = re.search(r'<details class="coordinates"( open)?>(.*?)</details>', page, re.S)
    if match is None or not all(f'id="{i}"' in match.group(2) for i in ids):
        return None
    return "open" if match.group(1) else "closed"


def before(page, first, then):
    return page.index(first) < page.index(then)


def test_complaint_form_place_then_map_then_folded_coordinates(client, citizen):
    client.force_login(citizen)
    page = client.get("/complaints/file/").content.decode()
    assert folded(page, "id_lat", "id_lon") == "closed"
    assert before(page, 'id="id_location_text"', "<details")  # the map sits before the details (map_picker.js)


def test_complaint_form_opens_the_coordinates_when_they_hold_an_error(client, citizen):
    client.force_login(citizen)
    response = client.post("/complaints/file/", {"kind": "complaint", "title": "t", "text": "x", "lat": "north"})
    assert response.status_code == 400
    assert folded(response.content.decode(), "id_lat", "id_lon") == "open"


def test_120_turn_into_case_form_folds_the_coordinates(client, counsellor, citizen):
    contact = ContactFactory(counsellor=counsellor, caller=citizen)
    client.force_login(counsellor)
    page = client.get(reverse("callcenter:contact_detail", args=[contact.pk])).content.decode()
    assert folded(page, "id_case-lat", "id_case-lon") == "closed"
    assert before(page, 'id="id_case-location_text"', "<details")


def test_gps_vote_offers_my_position_first_and_folds_the_coordinates(client, citizen, officer, department):
    poll = PollFactory(
        department=department, created_by=officer, center_lat="37.566295", center_lon="126.977945", radius_m=3200
    )
    client.force_login(citizen)
    page = client.get(reverse("polls:detail", args=[poll.pk])).content.decode()
    assert folded(page, "vote-lat", "vote-lon") == "closed"
    assert before(page, "data-map-locate", "<details")


def test_poll_site_and_polls_near_me_fold_the_coordinates(client, officer):
    client.force_login(officer)
    assert folded(client.get("/polls/new/").content.decode(), "id_center_lat", "id_center_lon") == "closed"
    assert folded(client.get("/polls/").content.decode(), "near-lat", "near-lon") == "closed"


def test_my_page_offers_my_position_for_home_without_a_map(client, citizen):
    client.force_login(citizen)
    page = client.get("/accounts/me/").content.decode()
    assert folded(page, "id_home_lat", "id_home_lon") == "closed"
    assert "data-map-locate" in page and "map-picker-map" not in page
