"""Uploads in S3-compatible storage (MEDIA_STORAGE=s3): what the settings make of the
environment, and a stored file served back through the same door as on disk
(civicportal/files.py), against an in-process S3 (moto)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

ROOT = Path(__file__).resolve().parents[2]
S3_ENVIRONMENT = {
    "MEDIA_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "portal-media",
    "AWS_S3_ENDPOINT_URL": "http://minio:9000",
    "AWS_S3_REGION_NAME": "us-east-1",
}


def _storages_with(**environment) -> dict:
    script = (
        "import json, django; from django.conf import settings as s; django.setup();"
        "from django.core.files.storage import storages; d = storages['default'];"
        "print(json.dumps({'storages': s.STORAGES, 'class': type(d).__name__,"
        " 'endpoint': getattr(d, 'endpoint_url', None), 'bucket': getattr(d, 'bucket_name', None)}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEDIA_", "AWS_"))}
    env.update(DJANGO_SETTINGS_MODULE="civicportal.settings", DEBUG="true", **environment)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_media_stays_on_the_filesystem_unless_asked():
    made = _storages_with()
    assert made["class"] == "FileSystemStorage"


def test_media_storage_s3_uses_the_bucket_and_endpoint_from_the_environment():
    made = _storages_with(**S3_ENVIRONMENT)
    assert made["class"] == "S3Storage"
    assert made["bucket"] == "portal-media"
    assert made["endpoint"] == "http://minio:9000"
    assert made["storages"]["default"]["OPTIONS"]["default_acl"] == "private"


def test_an_unknown_media_storage_is_refused():
    with pytest.raises(subprocess.CalledProcessError):
        _storages_with(MEDIA_STORAGE="ftp")


def test_a_file_stored_in_s3_is_served_back_through_the_gatekeepers_door(monkeypatch):
    moto = pytest.importorskip("moto")
    import boto3
    from storages.backends.s3 import S3Storage

    from civicportal.files import file_response

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with moto.mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="portal-media")
        storage = S3Storage(
            bucket_name="portal-media", region_name="us-east-1", default_acl="private", file_overwrite=False
        )
        name = storage.save("complaints/2026/민원.png", ContentFile(b"\x89PNG stored once"))
        again = storage.save("complaints/2026/민원.png", ContentFile(b"another"))
        assert again != name  # file_overwrite is off: two uploads never share a key

        class Field:
            def __init__(self, name):
                self.name = name

            def __bool__(self):
                return True

            def open(self, mode):
                return storage.open(self.name, mode)

        response = file_response(Field(name))
        assert b"".join(response.streaming_content) == b"\x89PNG stored once"
        assert response["Content-Type"] == "image/png"
