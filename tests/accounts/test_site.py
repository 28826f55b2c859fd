"""Site-wide pieces: health check, admin, demo data, settings, error pages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from civicportal.accounts.models import CitizenProfile, Department, DepartmentMembership, District, User

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok", "cache": "ok"}}


def test_healthz_is_degraded_when_the_broker_is_down(client, monkeypatch):
    from civicportal.celery import app

    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(app, "connection_for_write", broken)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["broker"].startswith("error")


def test_home_page_introduces_the_four_programs(client):
    page = client.get("/").content.decode()
    for url in ("/complaints/", "/polls/", "/proposals/", "/callcenter/"):
        assert f'href="{url}"' in page


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404


def test_districts_are_loaded_by_migration():
    assert District.objects.count() == 25
    assert District.objects.get(code="11440").name_en == "Mapo-gu"


def _snapshot():
    return (
        sorted(Department.objects.values_list("code", "name_ko", "kind", "parent__code")),
        sorted(User.objects.values_list("username", "is_staff", "is_superuser")),
        sorted(DepartmentMembership.objects.values_list("user__username", "department__code", "is_head")),
        sorted(CitizenProfile.objects.values_list("user__username", "district__code")),
        District.objects.count(),
    )


def test_demo_data_twice_gives_the_same_rows():
    call_command("load_demo_data", stdout=open(os.devnull, "w"))
    first = _snapshot()
    call_command("load_demo_data", stdout=open(os.devnull, "w"))
    assert _snapshot() == first
    assert Department.objects.filter(kind=Department.Kind.DISTRICT_OFFICE).count() == 25
    assert {"citizen", "officer", "counsellor", "evaluator", "monitor", "admin"} <= {row[0] for row in first[1]}


def _admin_urls():
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        yield f"admin:{info[0]}_{info[1]}_changelist"
        yield f"admin:{info[0]}_{info[1]}_add"


@pytest.mark.parametrize("url_name", sorted(set(_admin_urls())))
def test_every_admin_page_loads(admin_client, url_name):
    call_command("load_demo_data", stdout=open(os.devnull, "w"))
    response = admin_client.get(reverse(url_name))
    assert response.status_code in (200, 403), url_name  # 403: models that forbid adding by hand
    if response.status_code == 200:
        response = admin_client.get(reverse(url_name), {"q": "서울"}) if url_name.endswith("changelist") else response
        assert response.status_code == 200


def test_monitor_reads_admin_but_changes_nothing(client):
    call_command("load_demo_data", stdout=open(os.devnull, "w"))
    client.force_login(User.objects.get(username="monitor"))
    assert client.get(reverse("admin:accounts_department_changelist")).status_code == 200
    department = Department.objects.get(code="parking")
    response = client.post(
        reverse("admin:accounts_department_change", args=[department.pk]),
        {"code": "parking", "name_ko": "바뀜", "name_en": "Changed", "kind": "division"},
    )
    assert response.status_code == 403
    department.refresh_from_db()
    assert department.name_ko == "주차계획과"


def _run_settings(env_overrides, *args):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "civicportal.settings"
    env["ENV_FILE"] = os.devnull  # ignore the developer's .env
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "-production-secret-with-enough-entropy-0123456789abcdef",
    "ALLOWED_HOSTS": "civic.example.org",
    "DATABASE_URL": "postgres://portal:secret@db.example.org:5432/portal",
    "REDIS_URL": "redis://redis.example.org:6379/0",
    "EMAIL_URL": "smtp+tls://user:pass@smtp.example.org:587",
}


def test_settings_are_parsed_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "d = s.DATABASES['default'];"
        "print(d['ENGINE'], d['HOST'], d['CONN_MAX_AGE'],"
        "s.CELERY_BROKER_URL, s.ALLOWED_HOSTS, s.DEBUG, s.EMAIL_HOST, s.TIME_ZONE, s.USE_TZ)"
    )
    result = _run_settings(PRODUCTION, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "civicportal.db.postgresql",
        "db.example.org",
        "60",
        "redis://redis.example.org:6379/0",
        "['civic.example.org']",
        "False",
        "smtp.example.org",
        "Asia/Seoul",
        "True",
    ]


def test_defaults_are_the_embedded_setup():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)"
    )
    result = _run_settings({"DEBUG": "true"}, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://"]


def test_production_refuses_to_start_without_a_secret_key():
    result = _run_settings({"DEBUG": "false"}, "-c", "import django; django.setup()")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_with_production_values(tmp_path):
    from tests.notifications.factories import write_key_and_certificate

    key, certificate = write_key_and_certificate(tmp_path)
    production = {**PRODUCTION, "CAP_SIGNING_KEY": str(key), "CAP_SIGNING_CERTIFICATE": str(certificate)}
    result = _run_settings(production, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
