"""Browser pages through the test client."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from polls.models import Ballot, Poll
from tests.factories import district
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db


def test_index_lists_open_polls(client, citizen, poll, officer, department):
    gangnam = PollFactory(
        department=department, created_by=officer, question="Gangnam only?", districts=[district("11680")]
    )
    client.force_login(citizen)
    page = client.get(reverse("polls:index")).content.decode()
    assert poll.question in page
    assert gangnam.question not in page


def test_index_query_count_does_not_grow_with_polls(
    client, citizen, officer, department, django_assert_max_num_queries
):
    for _ in range(8):
        PollFactory(department=department, created_by=officer, districts=[district("11440")])
    client.force_login(citizen)
    with django_assert_max_num_queries(15):
        client.get(reverse("polls:index"))


def test_vote_through_the_page_then_refused_twice(client, citizen, poll):
    client.force_login(citizen)
    option = poll.options.first().pk
    first = client.post(reverse("polls:vote", args=[poll.pk]), {"options": [option]})
    second = client.post(reverse("polls:vote", args=[poll.pk]), {"options": [option]})
    assert first.status_code == 302
    assert second.status_code == 409
    assert "already voted" in second.content.decode()
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_a_refused_vote_keeps_what_was_chosen_and_typed(client, citizen, officer, department):
    poll = PollFactory(
        department=department, created_by=officer, center_lat="37.566295", center_lon="126.977945", radius_m=3200
    )
    chosen, other = poll.options.all()[:2]
    client.force_login(citizen)

    response = client.post(reverse("polls:vote", args=[poll.pk]), {"options": [chosen.pk], "lat": "37.57"})

    page = response.content.decode()
    assert response.status_code == 400
    assert f'value="{chosen.pk}" id="option-{chosen.pk}" checked>' in page
    assert f'value="{other.pk}" id="option-{other.pk}">' in page
    assert 'name="lat" inputmode="decimal" value="37.57">' in page
    assert not Ballot.objects.filter(poll=poll).exists()


def test_results_partial(client, citizen, poll):
    client.force_login(citizen)
    response = client.get(reverse("polls:results_partial", args=[poll.pk]))
    assert response.status_code == 200
    assert 'id="results-body"' in response.content.decode()


def test_officer_creates_a_targeted_poll(client, officer):
    client.force_login(officer)
    opens = timezone.localtime() + timedelta(hours=1)
    response = client.post(
        reverse("polls:create"),
        {
            "question": "New bike lanes in Mapo?",
            "options": "Yes\nNo",
            "max_choices": 1,
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (opens + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "age_min": 20,
            "age_max": 39,
            "districts": [district("11440").pk],
            "genders": ["F", "M"],
            "results_visible_while_open": "on",
        },
    )
    poll = Poll.objects.get()
    assert response.status_code == 302
    assert (poll.age_min, poll.age_max, poll.genders) == (20, 39, "FM")
    assert list(poll.districts.values_list("code", flat=True)) == ["11440"]
    assert list(poll.options.values_list("text", flat=True)) == ["Yes", "No"]


def test_create_form_refuses_close_before_open(client, officer):
    client.force_login(officer)
    opens = timezone.localtime() + timedelta(hours=1)
    response = client.post(
        reverse("polls:create"),
        {
            "question": "Q",
            "options": "Yes\nNo",
            "max_choices": 1,
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (opens - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert "close after it opens" in response.content.decode()
    assert not Poll.objects.exists()


def poll_form(**extra):
    opens = timezone.localtime() + timedelta(hours=1)
    return {
        "question": "Which bench?",
        "options": "Wood\nStone",
        "max_choices": 1,
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        **extra,
    }


def image_file(name, fmt, **save):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, format=fmt, **save)
    return SimpleUploadedFile(name, out.getvalue())


def test_poll_image_is_stored_upright_without_metadata(client, officer):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turned
    exif[0x010F] = "SpyCam"
    client.force_login(officer)

    response = client.post(reverse("polls:create"), poll_form(image=image_file("bench.jpg", "JPEG", exif=exif)))

    assert response.status_code == 302
    with Image.open(Poll.objects.get().image.path) as stored:
        assert stored.size == (30, 40)
        assert dict(stored.getexif()) == {}


def test_poll_image_of_another_format_is_a_field_error(client, officer):
    client.force_login(officer)

    response = client.post(reverse("polls:create"), poll_form(image=image_file("bench.bmp", "BMP")))

    assert response.status_code == 200
    assert "Only JPEG, PNG, GIF or WebP images are accepted." in response.content.decode()
    assert not Poll.objects.exists()


def test_citizen_cannot_open_the_create_form(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("polls:create")).status_code == 403


def test_queue_and_decision(client, citizen, officer):
    client.force_login(citizen)
    opens = timezone.localtime() + timedelta(hours=1)
    client.post(
        reverse("polls:propose"),
        {
            "question": "Longer library hours?",
            "options": "Yes\nNo",
            "max_choices": 1,
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (opens + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    poll = Poll.objects.get()
    client.force_login(officer)
    assert poll.question in client.get(reverse("polls:queue")).content.decode()
    client.post(reverse("polls:decide", args=[poll.pk]), {"decision": "approve", "reason": "Good idea."})
    poll.refresh_from_db()
    assert poll.approval == Poll.Approval.APPROVED


def test_results_page_csv_and_qr_for_officers(client, officer, department):
    poll = PollFactory(department=department, created_by=officer, qr_required=True, qr_salt="x")
    client.force_login(officer)
    assert client.get(reverse("polls:results", args=[poll.pk])).status_code == 200
    csv = client.get(reverse("polls:results_csv", args=[poll.pk]))
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "key,option,votes,percent"
    assert lines[1].startswith(f"option-{poll.options.first().pk},")
    assert lines[-1] == "total_ballots,,0,"
    qr = client.get(reverse("polls:qr_png", args=[poll.pk]))
    assert qr.content.startswith(b"\x89PNG")


def test_qr_png_is_for_the_department_only(client, citizen, officer, department):
    poll = PollFactory(department=department, created_by=officer, qr_required=True, qr_salt="x")
    client.force_login(citizen)
    assert client.get(reverse("polls:qr_png", args=[poll.pk])).status_code == 403


def test_room_entry_needs_the_password_and_then_shows_the_poll(client, citizen, officer, department):
    poll = PollFactory(
        department=department,
        created_by=officer,
        room_number="501",
        room_password=make_password("pw"),
        question="비밀 질문",
    )
    client.force_login(citizen)
    detail = reverse("polls:detail", args=[poll.pk])

    wrong = client.post(reverse("polls:room"), {"room_number": "501", "room_password": "bad"})
    assert wrong.status_code == 302 and wrong["Location"] == reverse("polls:index")
    assert client.get(detail).status_code == 404

    right = client.post(reverse("polls:room"), {"room_number": "501", "room_password": "pw"})
    assert right.status_code == 302 and right["Location"] == detail
    assert "비밀 질문" in client.get(detail).content.decode()


@pytest.mark.parametrize(
    "route", ["polls:detail", "polls:results", "polls:results_partial", "polls:results_csv", "polls:image"]
)
def test_a_private_room_poll_is_not_visible_by_id_to_a_non_member(client, citizen, officer, department, route):
    poll = PollFactory(
        department=department,
        created_by=officer,
        room_number="777",
        room_password=make_password("pw"),
        question="비밀 질문",
    )
    client.force_login(citizen)
    response = client.get(reverse(route, args=[poll.pk]))
    assert response.status_code == 404
    assert "비밀 질문" not in response.content.decode()
    client.force_login(officer)  # the poll's department sees it
    assert client.get(reverse("polls:detail", args=[poll.pk])).status_code == 200
