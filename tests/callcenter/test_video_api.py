"""The STUN/TURN servers of a video conversation reach its two participants and nobody else."""

import pytest
from rest_framework.test import APIClient

from callcenter.chat import services
from callcenter.chat.models import CounsellorSeat
from tests.callcenter.chat_helpers import interpreters_all_week, start

pytestmark = pytest.mark.django_db

TURN = "turn:turn.example.org:3478?transport=udp"


@pytest.fixture(autouse=True)
def _turn(settings):
    settings.WEBRTC_ICE_SERVERS = [{"urls": "stun:stun.example.org:3478"}]
    settings.TURN_URLS = [TURN]
    settings.TURN_SECRET = "north-tower"


def url(conversation):
    return f"/api/v1/callcenter/chat/conversations/{conversation.pk}/ice-servers/"


def client_of(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def video_accepted(citizen, counsellor, kind="video"):
    conversation, token = start(citizen, kind=kind, name="" if citizen else "홍길동")
    services.conversation_accept(conversation=conversation, counsellor=counsellor)
    return conversation, token


def test_the_citizen_gets_stun_and_turn_with_credentials_for_this_conversation(citizen, counsellor):
    conversation, _ = video_accepted(citizen, counsellor)

    response = client_of(citizen).get(url(conversation))

    assert response.status_code == 200
    body = response.json()
    assert body["polite"] is True
    assert body["ice_servers"][0] == {"urls": "stun:stun.example.org:3478"}
    assert body["ice_servers"][1]["urls"] == [TURN]
    assert body["ice_servers"][1]["username"].endswith(f":{conversation.pk}-citizen")
    assert response["Cache-Control"] == "no-store"


def test_the_counsellor_who_accepted_it_gets_them_as_the_impolite_side(citizen, counsellor):
    interpreters_all_week()
    CounsellorSeat.objects.create(counsellor=counsellor, sign_language=True)
    conversation, _ = video_accepted(citizen, counsellor, kind="sign_language")

    response = client_of(counsellor).get(url(conversation))

    assert response.status_code == 200
    assert response.json()["polite"] is False
    assert response.json()["ice_servers"][1]["username"].endswith(f":{conversation.pk}-counsellor")


def test_an_anonymous_citizen_gets_them_with_the_conversation_token(counsellor):
    conversation, token = video_accepted(None, counsellor)

    with_token = client_of().get(url(conversation), HTTP_X_CONVERSATION_TOKEN=token)
    without = client_of().get(url(conversation))
    wrong = client_of().get(url(conversation), HTTP_X_CONVERSATION_TOKEN="guess")

    assert with_token.status_code == 200 and len(with_token.json()["ice_servers"]) == 2
    # Without the token the conversation is as good as missing.
    assert without.status_code == 404 and without.json()["error"] == "not_found"
    assert wrong.status_code == 404 and "ice_servers" not in wrong.json()


@pytest.mark.parametrize("who", ["other_counsellor", "other_citizen", "officer"])
def test_nobody_else_gets_turn_credentials(who, citizen, counsellor, request):
    conversation, _ = video_accepted(citizen, counsellor)
    stranger = request.getfixturevalue(who)

    response = client_of(stranger).get(url(conversation))

    if who == "other_counsellor":
        # The centre's counsellors see the conversation in the queue: it is not theirs to join.
        assert response.status_code == 403 and response.json()["error"] in ("forbidden", "not_yours")
    else:
        # To anyone else someone else's conversation is as good as missing.
        assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert "ice_servers" not in response.json()


def test_a_text_conversation_has_no_video_servers(citizen, counsellor):
    conversation, _ = start(citizen, kind="text")
    services.conversation_accept(conversation=conversation, counsellor=counsellor)

    response = client_of(citizen).get(url(conversation))

    assert response.status_code == 409
    assert response.json()["error"] == "not_video"


def test_an_ended_conversation_gives_no_more_credentials(citizen, counsellor):
    conversation, _ = video_accepted(citizen, counsellor)
    services.conversation_end(conversation=conversation, role="citizen", user=citizen)

    response = client_of(citizen).get(url(conversation))

    assert response.status_code == 409
    assert response.json()["error"] == "ended"


def test_an_unknown_conversation_is_not_found(citizen):
    response = client_of(citizen).get(
        "/api/v1/callcenter/chat/conversations/00000000-0000-4000-8000-000000000000/ice-servers/"
    )

    assert response.status_code == 404
