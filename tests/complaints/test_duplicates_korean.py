"""The officer's duplicate panel understands Korean: a paraphrase of the case filed nearby is
offered as a duplicate (particles, spacing and wording differ), an unrelated case at the same
corner is not, and neither is the same complaint far away. Through the workspace page, on
SQLite and PostgreSQL alike (the score is worked out in Python)."""

import re

import pytest

from complaints.models import Case
from tests.complaints.factories import file_case

pytestmark = pytest.mark.django_db

HERE = {"lat": "37.5663", "lon": "126.9019"}
FAR = {"lat": "37.5100", "lon": "127.0600"}  # another district, kilometres away


def panel(html):
    """The "Similar open cases" section of the workspace page ("" when there is none)."""
    found = re.search(r"<section class=\"card\"><h2>Similar open cases</h2>(.*?)</section>", html, re.S)
    return found.group(1) if found else ""


@pytest.fixture
def cases(citizen, other_citizen, parking_rule):
    earlier = file_case(
        other_citizen,
        title="정문 앞 불법주차 신고",
        text="매일 저녁 아파트 정문에 불법주차 차량이 많아 통행이 어렵습니다.",
        **HERE,
    )
    unrelated = file_case(
        other_citizen,
        title="아파트 정문 쓰레기 무단 투기",
        text="정문 옆 분리수거장에 쓰레기를 몰래 버리고 갑니다.",
        **HERE,
    )
    far = file_case(
        other_citizen,
        title="정문 앞 불법주차 신고",
        text="매일 저녁 아파트 정문에 불법주차 차량이 많아 통행이 어렵습니다.",
        **FAR,
    )
    new = file_case(
        citizen,
        title="아파트 정문 불법 주차",
        text="아파트 정문 앞에 불법 주차한 차들 때문에 다니기 힘들어요. 단속해 주세요.",
        **HERE,
    )
    return {"earlier": earlier, "unrelated": unrelated, "far": far, "new": new}


def test_the_panel_offers_the_paraphrase_and_not_the_unrelated_case(client, officer, cases):
    client.force_login(officer)

    response = client.get(f"/complaints/work/{cases['new'].tracking_number}/")

    assert response.status_code == 200
    shown = panel(response.content.decode())
    assert cases["earlier"].tracking_number in shown
    assert cases["unrelated"].tracking_number not in shown
    assert cases["far"].tracking_number not in shown
    assert "similarity 0." in shown


def test_the_panel_works_before_the_nouns_are_stored(client, officer, cases):
    """A case filed a moment ago has no stored nouns yet: they are worked out on the spot."""
    Case.objects.update(nouns="")
    client.force_login(officer)

    shown = panel(client.get(f"/complaints/work/{cases['new'].tracking_number}/").content.decode())

    assert cases["earlier"].tracking_number in shown
    assert cases["unrelated"].tracking_number not in shown


def test_a_case_linked_as_a_duplicate_is_not_offered(client, officer, cases):
    Case.objects.filter(pk=cases["earlier"].pk).update(duplicate_of=cases["unrelated"])
    client.force_login(officer)

    shown = panel(client.get(f"/complaints/work/{cases['new'].tracking_number}/").content.decode())

    assert shown == ""


def test_the_panel_speaks_korean(client, officer, cases):
    client.force_login(officer)

    html = client.get(f"/complaints/work/{cases['new'].tracking_number}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert "유사도 0." in html
    assert "similarity 0." not in html
