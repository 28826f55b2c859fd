"""Which STUN/TURN servers a video conversation's browsers get, and coturn's credential scheme."""

import base64
import hashlib
import hmac
import os
import subprocess
import sys
from pathlib import Path

import pytest

from callcenter.video import ice_servers, turn_credentials

ROOT = Path(__file__).resolve().parents[2]


def test_on_one_machine_no_server_is_given(settings):
    settings.WEBRTC_ICE_SERVERS = []
    settings.TURN_URLS = []

    assert ice_servers(label="c1-citizen") == []


def test_turn_credentials_follow_coturns_shared_secret_scheme(settings):
    settings.TURN_SECRET = "north-tower"
    settings.TURN_CREDENTIAL_SECONDS = 3600

    credentials = turn_credentials(label="c1-citizen", now=1_800_000_000)

    assert credentials["username"] == "1800003600:c1-citizen"
    expected = hmac.new(b"north-tower", b"1800003600:c1-citizen", hashlib.sha1).digest()
    assert credentials["credential"] == base64.b64encode(expected).decode()
    assert credentials["expires"] == 1_800_003_600


def test_stun_servers_come_first_and_turn_urls_carry_fresh_credentials(settings):
    settings.WEBRTC_ICE_SERVERS = [{"urls": "stun:stun.example.org:3478"}]
    settings.TURN_URLS = ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"]
    settings.TURN_SECRET = "north-tower"
    settings.TURN_CREDENTIAL_SECONDS = 600

    servers = ice_servers(label="c7-counsellor", now=1_800_000_000)

    assert servers[0] == {"urls": "stun:stun.example.org:3478"}
    assert servers[1]["urls"] == ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"]
    assert servers[1]["username"] == "1800000600:c7-counsellor"
    assert servers[1]["credential"] == turn_credentials(label="c7-counsellor", now=1_800_000_000)["credential"]
    assert len(servers) == 2


def check_with(**env):
    environment = {**os.environ, "DEBUG": "true", **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='civicportal.settings'; "
            "from django.conf import settings; settings.INSTALLED_APPS",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WEBRTC_ICE_SERVERS": '{"urls": "stun:x"}'}, "WEBRTC_ICE_SERVERS is a JSON list"),
        ({"WEBRTC_ICE_SERVERS": '[{"urls": "http://x"}]'}, "WEBRTC_ICE_SERVERS is a JSON list"),
        ({"TURN_URLS": "turn:turn.example.org:3478"}, "TURN_URLS need TURN_SECRET"),
        ({"TURN_URLS": "stun:turn.example.org:3478", "TURN_SECRET": "s"}, "TURN_URLS are turn: or turns: URLs"),
    ],
)
def test_a_wrong_video_setting_stops_the_start_with_its_reason(env, message):
    result = check_with(**env)

    assert result.returncode != 0
    assert message in result.stderr


def test_valid_video_settings_start():
    result = check_with(
        WEBRTC_ICE_SERVERS='[{"urls": ["stun:a.example.org", "turns:b.example.org"]}]',
        TURN_URLS="turn:turn.example.org:3478",
        TURN_SECRET="s",
    )

    assert result.returncode == 0, result.stderr
