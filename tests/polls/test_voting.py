"""Voting through the service: every target type allowed and refused, bad input refused
with nothing written, the counters exact."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.utils import timezone

from civicportal.errors import Conflict, DomainError, NotAllowed
from polls import services
from polls.models import Ballot, BallotChoice, Poll, PollMember
from tests.factories import CitizenFactory, district
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db

SEOUL_CITY_HALL = (Decimal("37.566295"), Decimal("126.977945"))
GWANGHWAMUN = (Decimal("37.575987"), Decimal("126.976822"))  # about 1.1 km north
GANGNAM_STATION = (Decimal("37.497952"), Decimal("127.027619"))  # about 8.8 km away


def first_option(poll):
    return [poll.options.first().pk]


def assert_nothing_written(poll):
    poll.refresh_from_db()
    assert Ballot.objects.filter(poll=poll).count() == 0
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == 0
    assert poll.total_ballots == 0
    assert list(poll.options.with_votes().values_list("vote_count", flat=True)) == [0, 0, 0]


def test_vote_counts_once_and_updates_counters(poll, citizen):
    ballot = services.vote_cast(poll=poll, voter=citizen, option_ids=first_option(poll))

    poll.refresh_from_db()
    assert ballot.poll == poll
    assert poll.total_ballots == 1
    assert list(poll.options.with_votes().values_list("vote_count", flat=True)) == [1, 0, 0]
    assert ballot.age_band == services.age_band(timezone.localdate().year - 1990)
    assert ballot.gender == "F" and ballot.district.code == "11440"


def test_second_vote_is_a_conflict_and_counts_stay(poll, citizen):
    services.vote_cast(poll=poll, voter=citizen, option_ids=first_option(poll))

    with pytest.raises(Conflict) as refused:
        services.vote_cast(poll=poll, voter=citizen, option_ids=[poll.options.last().pk])

    assert refused.value.status_code == 409
    poll.refresh_from_db()
    assert poll.total_ballots == 1
    assert list(poll.options.with_votes().values_list("vote_count", flat=True)) == [1, 0, 0]


def test_everyone_poll_is_open_to_any_account(poll, citizen, officer):
    assert services.target_description(poll) == "everyone with an account"
    services.vote_cast(poll=poll, voter=officer, option_ids=first_option(poll))
    services.vote_cast(poll=poll, voter=citizen, option_ids=first_option(poll))
    assert Ballot.objects.filter(poll=poll).count() == 2


# --- demographic targets ----------------------------------------------------------
@pytest.fixture
def mapo_20s_30s(officer, department):
    return PollFactory(department=department, created_by=officer, age_min=20, age_max=39, districts=[district("11440")])


def test_mapo_resident_in_age_band_may_vote(mapo_20s_30s, citizen):
    services.vote_cast(poll=mapo_20s_30s, voter=citizen, option_ids=first_option(mapo_20s_30s))
    assert Ballot.objects.filter(poll=mapo_20s_30s, voter=citizen).exists()


def test_resident_of_another_district_is_refused_with_the_reason(mapo_20s_30s, other_citizen):
    with pytest.raises(NotAllowed) as refused:
        services.vote_cast(poll=mapo_20s_30s, voter=other_citizen, option_ids=first_option(mapo_20s_30s))

    assert refused.value.message == "This poll is for residents of Mapo-gu aged 20–39."
    assert refused.value.code == "not_eligible"
    assert_nothing_written(mapo_20s_30s)


def test_reason_names_the_district_in_english(mapo_20s_30s, other_citizen):
    from django.utils import translation

    with translation.override("en"), pytest.raises(NotAllowed) as refused:
        services.vote_cast(poll=mapo_20s_30s, voter=other_citizen, option_ids=first_option(mapo_20s_30s))
    assert refused.value.message == "This poll is for residents of Mapo-gu aged 20–39."


def test_too_old_for_the_band_is_refused(mapo_20s_30s):
    older = CitizenFactory(profile__birth_year=timezone.localdate().year - 40)
    with pytest.raises(NotAllowed):
        services.vote_cast(poll=mapo_20s_30s, voter=older, option_ids=first_option(mapo_20s_30s))
    assert_nothing_written(mapo_20s_30s)


def test_no_birth_year_is_refused_with_a_hint(mapo_20s_30s):
    unknown = CitizenFactory(profile__birth_year=None)
    with pytest.raises(NotAllowed) as refused:
        services.vote_cast(poll=mapo_20s_30s, voter=unknown, option_ids=first_option(mapo_20s_30s))
    assert "birth year" in refused.value.message
    assert_nothing_written(mapo_20s_30s)


def test_age_band_turns_on_the_new_year_in_seoul(officer, department):
    """Profiles hold the birth year only: a person born in 2006 is 19 on 31 December 2025
    and 20 from 1 January 2026, Seoul time (15:00 UTC the day before)."""
    young = CitizenFactory(profile__birth_year=2006)
    seoul = timezone.get_default_timezone()
    with time_machine.travel(datetime(2025, 12, 31, 23, 59, tzinfo=seoul), tick=False):
        poll = PollFactory(department=department, created_by=officer, age_min=20, age_max=39)
        with pytest.raises(NotAllowed):
            services.vote_cast(poll=poll, voter=young, option_ids=first_option(poll))
        assert_nothing_written(poll)
    with time_machine.travel(datetime(2026, 1, 1, 0, 0, tzinfo=seoul), tick=False):
        ballot = services.vote_cast(poll=poll, voter=young, option_ids=first_option(poll))
    assert ballot.age_band == "20-29"


def test_gender_target(officer, department, citizen):
    poll = PollFactory(department=department, created_by=officer, genders="M")
    with pytest.raises(NotAllowed):
        services.vote_cast(poll=poll, voter=citizen, option_ids=first_option(poll))
    assert_nothing_written(poll)
    man = CitizenFactory(profile__gender="M")
    services.vote_cast(poll=poll, voter=man, option_ids=first_option(poll))
    assert poll.ballots.count() == 1


def test_dong_target(officer, department, citizen):
    poll = PollFactory(department=department, created_by=officer, dongs="망원동, 합정동")
    with pytest.raises(NotAllowed):
        services.vote_cast(poll=poll, voter=citizen, option_ids=first_option(poll))
    assert_nothing_written(poll)
    neighbour = CitizenFactory(profile__dong="합정동")
    services.vote_cast(poll=poll, voter=neighbour, option_ids=first_option(poll))
    assert poll.ballots.count() == 1


# --- location -------------------------------------------------------------------
@pytest.fixture
def city_hall_poll(officer, department):
    lat, lon = SEOUL_CITY_HALL
    return PollFactory(department=department, created_by=officer, center_lat=lat, center_lon=lon, radius_m=3200)


def test_within_the_radius_may_vote(city_hall_poll, citizen):
    services.vote_cast(
        poll=city_hall_poll, voter=citizen, option_ids=first_option(city_hall_poll), position=GWANGHWAMUN
    )
    assert city_hall_poll.ballots.count() == 1


def test_outside_the_radius_is_refused(city_hall_poll, citizen):
    with pytest.raises(NotAllowed) as refused:
        services.vote_cast(
            poll=city_hall_poll, voter=citizen, option_ids=first_option(city_hall_poll), position=GANGNAM_STATION
        )
    assert refused.value.code == "too_far"
    assert "3.2 km" in refused.value.message
    assert_nothing_written(city_hall_poll)


def test_no_position_for_a_location_poll_is_refused(city_hall_poll, citizen):
    with pytest.raises(DomainError) as refused:
        services.vote_cast(poll=city_hall_poll, voter=citizen, option_ids=first_option(city_hall_poll))
    assert refused.value.code == "position_required"
    assert refused.value.status_code == 400
    assert_nothing_written(city_hall_poll)


def test_haversine_city_hall_to_gangnam():
    assert 8_500 < services.haversine_m(*SEOUL_CITY_HALL, *GANGNAM_STATION) < 9_200


# --- QR -------------------------------------------------------------------------
@pytest.fixture
def qr_poll(officer, department):
    return PollFactory(department=department, created_by=officer, qr_required=True, qr_salt="abc123")


def test_scanned_qr_token_may_vote(qr_poll, citizen):
    token = services.qr_token(qr_poll)
    services.vote_cast(poll=qr_poll, voter=citizen, option_ids=first_option(qr_poll), qr=token)
    assert qr_poll.ballots.count() == 1


def test_missing_qr_token_is_refused(qr_poll, citizen):
    with pytest.raises(NotAllowed) as refused:
        services.vote_cast(poll=qr_poll, voter=citizen, option_ids=first_option(qr_poll))
    assert refused.value.code == "qr_required"
    assert_nothing_written(qr_poll)


def test_forged_qr_token_is_refused(qr_poll, citizen):
    forged = signing.TimestampSigner(salt="guess").sign(str(qr_poll.pk))
    with pytest.raises(NotAllowed) as refused:
        services.vote_cast(poll=qr_poll, voter=citizen, option_ids=first_option(qr_poll), qr=forged)
    assert refused.value.code == "qr_invalid"
    assert_nothing_written(qr_poll)


def test_token_of_another_poll_is_refused(qr_poll, citizen, officer, department):
    other = PollFactory(department=department, created_by=officer, qr_required=True, qr_salt="abc123")
    with pytest.raises(NotAllowed):
        services.vote_cast(poll=qr_poll, voter=citizen, option_ids=first_option(qr_poll), qr=services.qr_token(other))
    assert_nothing_written(qr_poll)


def test_expired_qr_token_is_refused(qr_poll, citizen):
    with time_machine.travel(timezone.now() - services.QR_TOKEN_MAX_AGE - timedelta(minutes=1)):
        old = services.qr_token(qr_poll)
    with pytest.raises(NotAllowed) as refused:
        services.vote_cast(poll=qr_poll, voter=citizen, option_ids=first_option(qr_poll), qr=old)
    assert refused.value.code == "qr_expired"
    assert_nothing_written(qr_poll)


def test_renewed_qr_code_invalidates_printed_tokens(qr_poll, citizen, officer):
    printed = services.qr_token(qr_poll)
    services.poll_rotate_qr(poll=qr_poll, actor=officer)
    with pytest.raises(NotAllowed):
        services.vote_cast(poll=qr_poll, voter=citizen, option_ids=first_option(qr_poll), qr=printed)
    assert_nothing_written(qr_poll)


def test_qr_png_is_a_png(qr_poll):
    assert services.qr_png(services.qr_url(qr_poll)).startswith(b"\x89PNG")


# --- private room ---------------------------------------------------------------
@pytest.fixture
def room_poll(officer, department):
    return PollFactory(
        department=department, created_by=officer, room_number="1234", room_password=make_password("open sesame")
    )


def test_room_password_may_vote(room_poll, citizen):
    services.vote_cast(poll=room_poll, voter=citizen, option_ids=first_option(room_poll), room_password="open sesame")
    assert room_poll.ballots.count() == 1


def test_wrong_room_password_is_refused_then_throttled(room_poll, citizen):
    for _ in range(services.ROOM_ATTEMPTS):
        with pytest.raises(NotAllowed) as refused:
            services.vote_cast(poll=room_poll, voter=citizen, option_ids=first_option(room_poll), room_password="no")
        assert refused.value.code == "wrong_password"

    with pytest.raises(services.Throttled) as throttled:
        services.vote_cast(
            poll=room_poll, voter=citizen, option_ids=first_option(room_poll), room_password="open sesame"
        )
    assert throttled.value.status_code == 429
    assert_nothing_written(room_poll)


def test_room_throttle_is_per_user(room_poll, citizen, other_citizen):
    for _ in range(services.ROOM_ATTEMPTS):
        with pytest.raises(NotAllowed):
            services.vote_cast(poll=room_poll, voter=citizen, option_ids=first_option(room_poll), room_password="x")
    services.vote_cast(
        poll=room_poll, voter=other_citizen, option_ids=first_option(room_poll), room_password="open sesame"
    )
    assert room_poll.ballots.count() == 1


def test_room_password_is_stored_hashed(officer, department):
    poll = services.poll_create(
        actor=officer,
        department=department,
        question="Club vote",
        options=["A", "B"],
        opens_at=timezone.now(),
        closes_at=timezone.now() + timedelta(days=1),
        room_number="77",
        room_password="s3cret",
    )
    assert poll.room_password != "s3cret"
    assert poll.room_password.startswith("md5$")  # the test hasher; argon2 in production


# --- employees and member lists ---------------------------------------------------
def test_employees_only_poll(officer, department, citizen):
    poll = PollFactory(department=department, created_by=officer, employees_only=True)
    with pytest.raises(NotAllowed) as refused:
        services.vote_cast(poll=poll, voter=citizen, option_ids=first_option(poll))
    assert refused.value.message == "This poll is for employees of the city."
    assert_nothing_written(poll)
    services.vote_cast(poll=poll, voter=officer, option_ids=first_option(poll))
    assert poll.ballots.count() == 1


def test_member_list_poll(officer, department, citizen, other_citizen):
    poll = PollFactory(department=department, created_by=officer)
    added, matched = services.members_upload(
        poll=poll, actor=officer, identifiers=["citizen", "nobody@example.org", "citizen"]
    )
    poll.refresh_from_db()
    assert (added, matched) == (2, 1)
    assert poll.members_only
    assert PollMember.objects.get(poll=poll, identifier="citizen").user == citizen
    with pytest.raises(NotAllowed):
        services.vote_cast(poll=poll, voter=other_citizen, option_ids=first_option(poll))
    assert_nothing_written(poll)
    services.vote_cast(poll=poll, voter=citizen, option_ids=first_option(poll))
    assert poll.ballots.count() == 1


def test_members_matched_by_email(officer, department, other_citizen):
    poll = PollFactory(department=department, created_by=officer)
    services.members_upload(poll=poll, actor=officer, identifiers=[other_citizen.email])
    assert PollMember.objects.get(poll=poll).user == other_citizen


def test_combined_conditions_all_must_hold(officer, department, citizen):
    poll = PollFactory(department=department, created_by=officer, districts=[district("11440")], genders="F")
    services.vote_cast(poll=poll, voter=citizen, option_ids=first_option(poll))
    mapo_man = CitizenFactory(profile__gender="M")
    with pytest.raises(NotAllowed):
        services.vote_cast(poll=poll, voter=mapo_man, option_ids=first_option(poll))
    assert poll.ballots.count() == 1


# --- bad input ------------------------------------------------------------------
def test_option_of_another_poll_is_refused(poll, citizen, officer, department):
    other = PollFactory(department=department, created_by=officer)
    with pytest.raises(DomainError) as refused:
        services.vote_cast(poll=poll, voter=citizen, option_ids=[other.options.first().pk])
    assert refused.value.code == "bad_option"
    assert_nothing_written(poll)
    assert_nothing_written(other)


def test_too_many_choices_is_refused(officer, department, citizen):
    poll = PollFactory(department=department, created_by=officer, multiple=True, max_choices=2)
    with pytest.raises(DomainError) as refused:
        services.vote_cast(poll=poll, voter=citizen, option_ids=list(poll.options.values_list("pk", flat=True)))
    assert refused.value.code == "too_many_choices"
    assert_nothing_written(poll)


def test_multiple_choice_counts_each_option(officer, department, citizen):
    poll = PollFactory(department=department, created_by=officer, multiple=True, max_choices=2)
    a, b, _c = poll.options.all()
    services.vote_cast(poll=poll, voter=citizen, option_ids=[a.pk, b.pk, a.pk])
    poll.refresh_from_db()
    assert poll.total_ballots == 1
    assert list(poll.options.with_votes().values_list("vote_count", flat=True)) == [1, 1, 0]


def test_single_choice_poll_refuses_two_options(poll, citizen):
    with pytest.raises(DomainError):
        services.vote_cast(poll=poll, voter=citizen, option_ids=list(poll.options.values_list("pk", flat=True))[:2])
    assert_nothing_written(poll)


def test_no_option_is_refused(poll, citizen):
    with pytest.raises(DomainError):
        services.vote_cast(poll=poll, voter=citizen, option_ids=[])
    assert_nothing_written(poll)


def test_closed_poll_is_refused(officer, department, citizen):
    poll = PollFactory(
        department=department,
        created_by=officer,
        opens_at=timezone.now() - timedelta(days=2),
        closes_at=timezone.now() - timedelta(days=1),
    )
    with pytest.raises(DomainError) as refused:
        services.vote_cast(poll=poll, voter=citizen, option_ids=first_option(poll))
    assert refused.value.code == "closed"
    assert_nothing_written(poll)


def test_unopened_poll_is_refused(officer, department, citizen):
    poll = PollFactory(department=department, created_by=officer, opens_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(DomainError) as refused:
        services.vote_cast(poll=poll, voter=citizen, option_ids=first_option(poll))
    assert refused.value.code == "not_open"
    assert_nothing_written(poll)


def test_pending_proposal_cannot_be_voted(citizen, other_citizen):
    proposal = services.poll_propose(
        citizen=citizen,
        question="More benches?",
        options=["Yes", "No", "Later"],
        opens_at=timezone.now() - timedelta(minutes=1),
        closes_at=timezone.now() + timedelta(days=1),
    )
    with pytest.raises(DomainError):
        services.vote_cast(poll=proposal, voter=other_citizen, option_ids=first_option(proposal))
    assert_nothing_written(proposal)


def test_close_before_open_is_refused_by_the_service(officer, department):
    now = timezone.now()
    with pytest.raises(DomainError) as refused:
        services.poll_create(
            actor=officer, department=department, question="Q", options=["A", "B"], opens_at=now, closes_at=now
        )
    assert refused.value.field == "closes_at"
    assert not Poll.objects.exists()


def test_close_before_open_is_refused_by_the_database(officer, department):
    from django.db import IntegrityError, transaction

    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Poll.objects.create(department=department, created_by=officer, question="Q", opens_at=now, closes_at=now)
    assert not Poll.objects.exists()


def test_officer_of_another_department_cannot_create(officer_of_other_department, department):
    with pytest.raises(NotAllowed):
        services.poll_create(
            actor=officer_of_other_department,
            department=department,
            question="Q",
            options=["A", "B"],
            opens_at=timezone.now(),
            closes_at=timezone.now() + timedelta(days=1),
        )
    assert not Poll.objects.exists()
