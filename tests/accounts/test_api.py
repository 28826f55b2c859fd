"""The REST API skeleton: tokens, /me/, error shape, schema."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_obtain_use_and_revoke_a_token(api_client, citizen):
    response = api_client.post(reverse("api-token"), {"username": "citizen", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get(reverse("api-me"))
    assert me.status_code == 200
    assert me.json()["username"] == "citizen"
    assert me.json()["roles"] == ["citizen"]
    assert api_client.delete(reverse("api-token")).status_code == 204
    assert not Token.objects.filter(user=citizen).exists()
    assert api_client.get(reverse("api-me")).status_code == 401


def test_wrong_password_gives_a_json_error_and_no_token(api_client, citizen):
    response = api_client.post(reverse("api-token"), {"username": "citizen", "password": "nope"}, format="json")
    assert response.status_code in (400, 401, 403)
    body = response.json()
    assert set(body) >= {"error", "detail"}
    assert not Token.objects.filter(user=citizen).exists()


def test_token_requests_are_throttled(api_client, citizen, settings):
    for _ in range(10):
        api_client.post(reverse("api-token"), {"username": "citizen", "password": "nope"}, format="json")
    response = api_client.post(reverse("api-token"), {"username": "citizen", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["error"] == "throttled"


def test_an_unknown_token_is_401_json(api_client, citizen):
    Token.objects.create(user=citizen)
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = api_client.get(reverse("api-me"))
    assert response.status_code == 401
    assert response.json()["error"] == "authentication_failed"


def test_the_token_of_a_deactivated_account_is_refused(api_as, citizen):
    client = api_as(citizen)
    assert client.get(reverse("api-me")).status_code == 200
    citizen.is_active = False
    citizen.save(update_fields=["is_active"])
    response = client.get(reverse("api-me"))
    assert response.status_code == 401
    assert response.json()["error"] == "authentication_failed"


def test_token_authentication_loads_user_and_profile_in_one_query(api_as, citizen):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from civicportal.authentication import TokenAuthentication

    token = Token.objects.create(user=citizen)
    with CaptureQueriesContext(connection) as queries:
        user, found = TokenAuthentication().authenticate_credentials(token.key)
        profile = user.profile
    assert len(queries.captured_queries) == 1
    assert (user.pk, found.key, profile.district_id) == (citizen.pk, token.key, citizen.profile.district_id)
    assert found.created == token.created


def test_me_without_credentials_is_401_json(api_client):
    response = api_client.get(reverse("api-me"))
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


def test_me_updates_profile_and_consents(api_as, citizen):
    client = api_as(citizen)
    response = client.patch(
        reverse("api-me"),
        {"full_name": "새이름", "profile": {"consent_sms": True, "mobile": "01055556666", "district": "11680"}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["full_name"] == "새이름"
    assert body["profile"]["consent_sms"] is True
    assert body["profile"]["mobile_masked"] == "010-****-6666"
    assert body["profile"]["district"] == "11680"
    assert "mobile" not in body["profile"]


def test_me_refuses_a_bad_mobile_with_a_field_error(api_as, citizen):
    response = api_as(citizen).patch(reverse("api-me"), {"profile": {"mobile": "12"}}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    citizen.profile.refresh_from_db()
    assert citizen.profile.mobile == ""


def test_unknown_api_url_is_json_404(api_as, citizen):
    response = api_as(citizen).get("/api/v1/notifications/999999/")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_schema_is_valid_openapi_3(client):
    from openapi_spec_validator import validate

    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate(schema)
    assert "/api/v1/me/" in schema["paths"]
    assert "/api/v1/auth/token/" in schema["paths"]


def test_interactive_docs_are_served(client):
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/redoc/").status_code == 200


def test_polled_lists_answer_304_when_unchanged(api_as, citizen):
    from civicportal.notifications.services import notify

    client = api_as(citizen)
    first = client.get("/api/v1/notifications/")
    etag = first["ETag"]
    assert client.get("/api/v1/notifications/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    notify([citizen], "test.hello", "Something new")
    changed = client.get("/api/v1/notifications/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["count"] == 1


def test_each_user_is_throttled_on_their_own(api_as, citizen, other_citizen, monkeypatch):
    from civicportal.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute"})
    client = api_as(citizen)

    statuses = [client.get(reverse("api-me")).status_code for _ in range(3)]
    refused = client.get(reverse("api-me"))

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429 and refused.json()["error"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 20  # one request comes free every 20 s
    assert api_as(other_citizen).get(reverse("api-me")).status_code == 200


def test_anonymous_clients_are_throttled_per_address(api_client, monkeypatch):
    from civicportal.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})

    statuses = [api_client.get("/api/v1/alerts/", REMOTE_ADDR="10.0.0.1").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert api_client.get("/api/v1/alerts/", REMOTE_ADDR="10.0.0.2").status_code == 200
