"""Staff reach their work from the header; every figure of the board opens the cases it counts."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import selectors
from tests.complaints.factories import bulk_cases

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "link"),
    [
        ("officer", "complaints:queue"),
        ("counsellor", "callcenter:console"),
        ("monitor", "complaints:board"),
        ("evaluator", "proposals:evaluations"),
    ],
)
def test_staff_reach_their_work_from_the_header_of_every_page(client, request, persona, link):
    client.force_login(request.getfixturevalue(persona))
    for page in ("/", reverse("polls:index")):
        html = client.get(page).content.decode()
        header = html[html.index("<header") : html.index("</header>")]
        assert f'href="{reverse(link)}"' in header


def test_a_citizen_has_no_work_link(client, citizen):
    client.force_login(citizen)
    html = client.get("/").content.decode()
    assert 'class="work-link"' not in html


def _links(html):
    return {re.sub("&amp;", "&", href) for href in re.findall(r'href="(/complaints/board/cases/[^"]*)"', html)}


def test_every_board_figure_opens_the_list_of_the_cases_it_counts(client, monitor, department, other_department):
    now = timezone.now()
    bulk_cases(department, 4, now=now)  # the last one is past its deadline
    bulk_cases(other_department, 2, now=now, start=100)
    client.force_login(monitor)
    board = client.get(reverse("complaints:board")).content.decode()
    links = _links(board)
    assert "/complaints/board/cases/?period=today" in links
    assert f"/complaints/board/cases/?department={department.code}" in links
    data = selectors.board(now)
    for row in data["by_department"]:
        listed = client.get(reverse("complaints:board_cases"), {"department": row["department__code"]})
        assert listed.status_code == 200
        assert listed.context["page"].paginator.count == row["open"]
        overdue = client.get(reverse("complaints:board_cases"), {"department": row["department__code"], "overdue": "1"})
        assert overdue.context["page"].paginator.count == row["overdue"]
    today = client.get(reverse("complaints:board_cases"), {"period": "today"})
    assert today.context["page"].paginator.count == data["today_total"]
    assert "민원 0" not in today.content.decode()  # no titles: nothing a citizen wrote about their life


@pytest.mark.parametrize("persona", ["citizen", "officer"])
def test_the_board_list_is_for_the_monitoring_roles(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("complaints:board_cases")).status_code == 404  # as the board itself
