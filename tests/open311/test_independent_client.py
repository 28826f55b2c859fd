"""An Open311 client library we did not write (georeport, from PyPI) reads our endpoint.

georeport has no call to file a request, so filing goes through a plain HTTP POST
built from the specification, as any client would send it."""

import pytest
import requests
from georeport import GeoReport

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_client_files_and_reads_cases(live_server, pothole, parking, app_key, output_format):
    root = f"{live_server.url}/open311/v2"
    filed = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": app_key,
            "service_code": "pothole",
            "lat": "37.5665",
            "long": "126.9780",
            "description": "시청 앞 도로 파임",
            "attribute[size]": "small",
        },
        timeout=30,
    )
    assert filed.status_code == 201, filed.text
    number = filed.json()[0]["service_request_id"]

    client = GeoReport(root, jurisdiction="seoul.go.kr", output_format=output_format)
    services = client.get_service_list()
    codes = sorted(s["service_code"] for s in services)
    assert codes == ["parking", "pothole"]
    definition = client.get_service_definition("pothole")
    assert definition["service_code"] == "pothole"
    listed = client.get_service_requests(service_code="pothole")
    listed = listed if isinstance(listed, list) else [listed]
    assert [r["service_request_id"] for r in listed] == [number]
    one = client.get_service_request(number)
    assert one["service_request_id"] == number
    assert one["status"] == "open"
