"""A case page (the citizen's, the officer's, the tracking page) links to the department
handling it in the directory."""

import pytest

from complaints import services
from tests.complaints.factories import RoutingRuleFactory, file_case
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def parking_case(citizen, department):
    department.phone = "02-2133-2370"
    department.save()
    RoutingRuleFactory(name="parking", keywords="주차", department=department, priority=10)
    return file_case(citizen)


def test_the_citizens_case_page_links_to_the_handling_department(client, citizen, parking_case):
    client.force_login(citizen)

    html = client.get(f"/complaints/c/{parking_case.tracking_number}/").content.decode()

    assert '<a id="case-department" href="/directory/parking/">Parking Planning Division</a>' in html
    assert 'href="tel:02-2133-2370"' in html
    assert client.get("/directory/parking/").status_code == 200


def test_the_officers_workspace_links_to_the_department_and_a_transfer_moves_the_link(
    client, citizen, officer, parking_case
):
    roads = DepartmentFactory(code="road-management", name_ko="도로관리과", name_en="Road Management Division")
    client.force_login(officer)
    workspace = client.get(f"/complaints/work/{parking_case.tracking_number}/").content.decode()

    services.case_transfer(case=parking_case, by=officer, to_department=roads, reason="도로 시설물 소관")
    client.force_login(citizen)
    after = client.get(f"/complaints/c/{parking_case.tracking_number}/").content.decode()

    assert 'id="case-department" href="/directory/parking/"' in workspace
    assert '<a id="case-department" href="/directory/road-management/">Road Management Division</a>' in after


def test_the_tracking_page_links_to_the_department(client, parking_case):
    html = client.post(
        "/complaints/track/",
        {"tracking_number": parking_case.tracking_number, "access_code": parking_case.access_code},
    ).content.decode()

    assert '<a href="/directory/parking/">Parking Planning Division</a>' in html
