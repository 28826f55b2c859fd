"""Sign-up, login, logout, password reset and login throttling through HTTP."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from civicportal.accounts.models import CitizenProfile, Role
from tests.factories import PASSWORD, CitizenFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

SIGN_UP = {
    "username": "newcitizen",
    "full_name": "홍길동",
    "email": "new@example.org",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
    "terms": "on",
    "privacy": "on",
}


def test_sign_up_creates_a_citizen_with_a_profile_and_logs_in(client):
    response = client.post(reverse("accounts:sign_up"), SIGN_UP)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:my_page")
    user = User.objects.get(username="newcitizen")
    assert list(user.groups.values_list("name", flat=True)) == [Role.CITIZEN]
    assert CitizenProfile.objects.filter(user=user).count() == 1
    assert client.get(reverse("accounts:my_page")).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password2": "something-else-entirely"}, "password2"),
        ({"password1": "1234", "password2": "1234"}, "password1"),
        ({"email": "not-an-email"}, "email"),
        ({"terms": ""}, "terms"),
        ({"privacy": ""}, "privacy"),
    ],
)
def test_sign_up_with_bad_input_shows_errors_and_creates_nothing(client, change, field):
    response = client.post(reverse("accounts:sign_up"), {**SIGN_UP, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(username="newcitizen").exists()


def test_sign_up_with_a_taken_username_is_refused(client, citizen):
    response = client.post(reverse("accounts:sign_up"), {**SIGN_UP, "username": "citizen"})
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.filter(username="citizen").count() == 1


def test_login_and_logout(client, citizen):
    response = client.post(reverse("login"), {"username": "citizen", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:my_page")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:my_page")).status_code == 302


def test_login_with_a_wrong_password_is_refused(client, citizen):
    response = client.post(reverse("login"), {"username": "citizen", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_login_is_locked_after_five_failures_even_with_the_right_password(client, citizen):
    for _ in range(5):
        client.post(reverse("login"), {"username": "citizen", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "citizen", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email_end_to_end(client, citizen, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": citizen.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert response.context["validlink"] is True
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "brand-new-passphrase-42", "new_password2": "brand-new-passphrase-42"}
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password("brand-new-passphrase-42")


def test_password_reset_link_cannot_be_used_twice(client, citizen, mailoutbox):
    client.post(reverse("password_reset"), {"email": citizen.email})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "brand-new-passphrase-42", "new_password2": "brand-new-passphrase-42"})
    response = client.get(link, follow=True)
    assert response.context["validlink"] is False


def test_password_reset_for_an_unknown_email_sends_nothing_and_reveals_nothing(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mailoutbox == []


def test_my_page_saves_profile_and_masks_the_mobile(client, citizen):
    client.force_login(citizen)
    data = {
        "full_name": "김시민",
        "birth_year": "1985",
        "gender": "M",
        "district": citizen.profile.district_id,
        "dong": "망원동",
        "mobile": "010-1234-5678",
        "preferred_language": "en",
        "consent_in_app": "on",
        "consent_email": "on",
        "consent_sms": "on",
    }
    response = client.post(reverse("accounts:my_page"), data)
    assert response.status_code == 302
    profile = CitizenProfile.objects.get(user=citizen)
    assert profile.mobile == "+821012345678"
    assert profile.birth_year == 1985
    page = client.get(reverse("accounts:my_page")).content.decode()
    assert "010-****-5678" in page
    assert "1234-5678" not in page


def test_my_page_refuses_a_home_location_without_consent(client, citizen):
    client.force_login(citizen)
    data = {"preferred_language": "ko", "home_lat": "37.55", "home_lon": "126.9"}
    response = client.post(reverse("accounts:my_page"), data)
    assert response.status_code == 200
    assert "location_consent" in response.context["form"].errors
    assert CitizenProfile.objects.get(user=citizen).home_lat is None


def test_my_page_refuses_a_landline_as_mobile(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("accounts:my_page"), {"preferred_language": "ko", "mobile": "02-120-0000"})
    assert response.status_code == 200
    assert "mobile" in response.context["form"].errors


def test_language_switch_sets_the_language_cookie(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.get("/").content.decode().count('lang="en"') >= 1


def test_mobile_numbers_are_masked_everywhere():
    citizen = CitizenFactory.build()
    profile = CitizenProfile(user=citizen, mobile="+821098765432")
    assert profile.mobile_masked == "010-****-5432"


def _sent_code(tmp_path):
    import json
    import re as _re

    last = (tmp_path / "outbox" / "sms.jsonl").read_text(encoding="utf-8").splitlines()[-1]
    return _re.search(r"\d{6}", json.loads(last)["text"]).group(0)


def test_mobile_is_verified_with_the_code_sent_by_sms(client, citizen, tmp_path):
    citizen.profile.mobile = "+821012345678"
    citizen.profile.save()
    client.force_login(citizen)
    client.post(reverse("accounts:mobile_send_code"))
    code = _sent_code(tmp_path)
    client.post(reverse("accounts:mobile_verify"), {"code": code})
    citizen.profile.refresh_from_db()
    assert citizen.profile.mobile_verified is True


def test_wrong_codes_are_refused_and_five_void_the_code(client, citizen, tmp_path):
    citizen.profile.mobile = "+821012345678"
    citizen.profile.save()
    client.force_login(citizen)
    client.post(reverse("accounts:mobile_send_code"))
    code = _sent_code(tmp_path)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        client.post(reverse("accounts:mobile_verify"), {"code": wrong})
    client.post(reverse("accounts:mobile_verify"), {"code": code})
    citizen.profile.refresh_from_db()
    assert citizen.profile.mobile_verified is False


def test_changing_the_number_clears_its_verification(client, citizen):
    from django.utils import timezone

    citizen.profile.mobile = "+821012345678"
    citizen.profile.mobile_verified_at = timezone.now()
    citizen.profile.save()
    client.force_login(citizen)
    client.post(
        reverse("accounts:my_page"), {"preferred_language": "ko", "mobile": "010-2222-3333", "consent_in_app": "on"}
    )
    citizen.profile.refresh_from_db()
    assert citizen.profile.mobile == "+821022223333"
    assert citizen.profile.mobile_verified is False


def test_my_page_links_each_program_and_the_work_of_each_role(client, citizen, officer):
    client.force_login(citizen)
    page = client.get(reverse("accounts:my_page")).content.decode()
    assert reverse("complaints:mine") in page
    assert reverse("proposals:mine") in page
    assert reverse("callcenter:my_contacts") in page
    assert reverse("complaints:queue") not in page
    client.force_login(officer)
    page = client.get(reverse("accounts:my_page")).content.decode()
    assert reverse("complaints:queue") in page
    assert reverse("complaints:board") not in page
