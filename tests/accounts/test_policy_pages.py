"""The terms of use and the privacy notice: linked beside each sign-up consent box and from
every footer, in Korean and English, edited by an administrator in admin."""

import pytest
from django.urls import reverse

from civicportal.accounts.models import PolicyPage

pytestmark = pytest.mark.django_db


def test_each_consent_box_links_to_what_it_consents_to(client):
    html = client.get(reverse("accounts:sign_up")).content.decode()
    for field, url in (("terms", reverse("terms")), ("privacy", reverse("privacy"))):
        box = html.index(f'id="id_{field}"')
        nearby = html[box - 600 : box + 600]
        assert f'href="{url}"' in nearby, field


@pytest.mark.parametrize("name", ["terms", "privacy"])
def test_the_footer_links_both_pages_and_they_read_in_korean_and_english(client, settings, name):
    settings.LANGUAGE_CODE = "ko"
    home = client.get("/").content.decode()
    footer = home[home.index("<footer") :]
    assert f'href="{reverse(name)}"' in footer
    korean = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    english = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    page = PolicyPage.objects.get(kind=name)  # loaded by a migration: a fresh portal has both
    assert page.title_ko in korean and page.title_en in english


def test_the_privacy_notice_says_what_the_portal_keeps(client):
    text = client.get(reverse("privacy"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    for kept in ("이메일", "휴대전화", "집 위치", "개인정보를 열람한 기록"):
        assert kept in text


def test_an_administrator_edits_a_page_in_admin_and_citizens_read_the_edit(client, administrator):
    page = PolicyPage.objects.get(kind="terms")
    client.force_login(administrator)
    response = client.post(
        reverse("admin:accounts_policypage_change", args=[page.pk]),
        {
            "kind": "terms",
            "title_ko": "이용약관 (개정)",
            "title_en": "Terms of use (revised)",
            "body_ko": "새 약관 본문",
            "body_en": "New terms",
        },
    )
    assert response.status_code == 302
    client.logout()
    assert "새 약관 본문" in client.get(reverse("terms"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert client.post(reverse("admin:accounts_policypage_delete", args=[page.pk]), {"post": "yes"}).status_code == 302
    assert PolicyPage.objects.filter(pk=page.pk).exists()  # logged out: redirected to login, nothing deleted


def test_the_pages_cannot_be_deleted_in_admin(client, administrator):
    page = PolicyPage.objects.get(kind="privacy")
    client.force_login(administrator)
    assert client.post(reverse("admin:accounts_policypage_delete", args=[page.pk]), {"post": "yes"}).status_code == 403
    assert PolicyPage.objects.filter(pk=page.pk).exists()
