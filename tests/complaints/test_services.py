"""Filing, routing and the officers' and citizens' services, with every refusal."""

from decimal import Decimal

import pytest
from django.db import IntegrityError

from civicportal.errors import Conflict, DomainError, NotAllowed
from civicportal.notifications.models import Notification
from complaints import filing, services
from complaints.models import Case, CaseEvent, Channel, Kind, Rating, Status
from tests.complaints.factories import CategoryFactory, RoutingRuleFactory, file_case
from tests.factories import CitizenFactory, district

pytestmark = pytest.mark.django_db


def test_filing_gives_a_tracking_number_routes_and_acknowledges(
    citizen, parking_rule, department, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = file_case(citizen)

    assert case.tracking_number.startswith(f"{case.filed_at.astimezone().year}-")
    assert len(case.tracking_number) == 12
    assert case.department == department
    assert case.status == Status.RECEIVED
    assert list(case.events.values_list("kind", flat=True)) == ["filed", "routed"]
    assert Notification.objects.filter(recipient=citizen, kind="complaints.filed").count() == 1
    assert set(Case.objects.get(pk=case.pk).nouns.split()) >= {"불법", "주차", "차량"}


def test_filing_leaves_the_morphological_analysis_to_the_task(citizen, parking_rule):
    case = file_case(citizen)  # no commit in this test: the after-filing task has not run

    assert Case.objects.get(pk=case.pk).nouns == ""
    assert filing.case_index(case_id=case.pk) is True
    assert filing.case_index(case_id=case.pk) is False  # once
    assert "주차" in Case.objects.get(pk=case.pk).nouns.split()


def test_a_task_queued_under_the_old_name_still_indexes_and_acknowledges(citizen, parking_rule):
    from complaints.tasks import acknowledge_filing

    case = file_case(citizen)
    acknowledge_filing.delay(case.pk)

    assert Case.objects.get(pk=case.pk).nouns
    assert Notification.objects.filter(recipient=citizen, kind="complaints.filed").count() == 1


def test_tracking_numbers_increase(citizen, parking_rule):
    first, second = file_case(citizen), file_case(citizen)

    assert int(second.tracking_number[5:]) == int(first.tracking_number[5:]) + 1


def test_unmatched_case_goes_to_the_coordination_desk(citizen, parking_rule, desk):
    case = file_case(citizen, title="공원 벤치", text="벤치가 부서졌어요")

    assert case.department == desk


def test_first_matching_rule_wins_by_priority(citizen, department, other_department):
    RoutingRuleFactory(priority=5, keywords="소음", department=other_department)
    RoutingRuleFactory(priority=1, keywords="주차", department=department)

    case = file_case(citizen, title="주차장 소음", text="주차장에서 소음이 납니다")

    assert case.department == department


def test_rule_by_kind_category_and_district(citizen, department, other_department, mapo_office):
    category = CategoryFactory(code="noise")
    RoutingRuleFactory(priority=1, kind=Kind.PROPOSAL, department=other_department)
    RoutingRuleFactory(priority=2, category=category, district=district("11440"), department=mapo_office)

    proposal = file_case(citizen, kind=Kind.PROPOSAL)
    in_mapo = file_case(citizen, category=category, district=district("11440"))

    assert proposal.department == other_department
    assert in_mapo.department == mapo_office


def test_district_is_derived_from_the_position(citizen, parking_rule):
    case = file_case(citizen, lat="37.5663", lon="126.9019")  # near Mapo-gu's centre

    assert case.district.code == "11440"
    assert case.lat == Decimal("37.566300")


def test_call_centre_files_for_a_citizen_on_channel_120(citizen, counsellor, parking_rule):
    case = filing.case_file(
        citizen=citizen,
        filed_by=counsellor,
        channel=Channel.CALL_CENTRE,
        kind=Kind.COMPLAINT,
        title="주차 민원",
        text="전화로 접수한 불법 주차 민원",
    )

    assert case.channel == "120"
    assert case.filed_by == counsellor
    assert case.citizen == citizen


def test_call_centre_can_file_for_a_caller_without_account(counsellor, parking_rule):
    case = filing.case_file(
        citizen=None, filed_by=counsellor, channel=Channel.CALL_CENTRE, kind=Kind.INQUIRY, title="문의", text="주차"
    )

    assert case.citizen is None


def test_open311_channel_exists():
    assert Channel("open311") == Channel.OPEN311
    assert Channel("120") == Channel.CALL_CENTRE


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"text": ""}, "text"),
        ({"kind": "nonsense"}, "kind"),
        ({"channel": "fax"}, "channel"),
        ({"anonymous_reporter": True}, "anonymous_reporter"),
        ({"lat": "91", "lon": "127"}, "lat"),
        ({"lat": "37.5"}, "lat"),
    ],
)
def test_bad_filing_is_refused_and_nothing_is_written(citizen, parking_rule, overrides, field):
    with pytest.raises(DomainError) as error:
        file_case(citizen, **overrides)

    assert error.value.field == field
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0


def test_citizen_cannot_file_on_a_staff_channel(citizen, parking_rule):
    with pytest.raises(NotAllowed):
        file_case(citizen, channel=Channel.CALL_CENTRE)
    assert Case.objects.count() == 0


def test_citizen_cannot_file_in_someone_elses_name(citizen, other_citizen, parking_rule):
    with pytest.raises(DomainError):
        file_case(citizen, filed_by=other_citizen)
    assert Case.objects.count() == 0


def test_anonymous_report_hides_nothing_in_the_data_but_is_allowed_for_corruption(citizen, department):
    RoutingRuleFactory(kind=Kind.CORRUPTION, department=department)

    case = file_case(citizen, kind=Kind.CORRUPTION, anonymous_reporter=True)

    assert case.anonymous_reporter is True
    assert case.citizen == citizen  # the citizen still follows the case


def test_answer_notifies_the_citizen(citizen, officer, parking_rule):
    case = file_case(citizen)

    services.case_answer(case=case, by=officer, text="단속하였습니다.")

    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    assert case.answered_by == officer and case.officer == officer
    assert case.answer_round == 1
    assert Notification.objects.filter(recipient=citizen, kind="complaints.answered").count() == 1


def test_officer_of_another_department_cannot_answer(citizen, officer_of_other_department, parking_rule):
    case = file_case(citizen)

    with pytest.raises(NotAllowed):
        services.case_answer(case=case, by=officer_of_other_department, text="답변")

    case.refresh_from_db()
    assert case.status == Status.RECEIVED and case.answer == ""
    assert not case.events.filter(kind="answered").exists()


def test_empty_answer_is_refused(citizen, officer, parking_rule):
    case = file_case(citizen)
    with pytest.raises(DomainError):
        services.case_answer(case=case, by=officer, text=" ")
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_answering_twice_conflicts(citizen, officer, parking_rule):
    case = file_case(citizen)
    services.case_answer(case=case, by=officer, text="1")
    with pytest.raises(Conflict):
        services.case_answer(case=case, by=officer, text="2")


def test_answering_the_primary_answers_its_duplicates(citizen, other_citizen, officer, parking_rule):
    primary = file_case(citizen, lat="37.5663", lon="126.9019")
    duplicate = file_case(other_citizen, lat="37.5664", lon="126.9020")
    from complaints.selectors import similar_open_cases

    assert similar_open_cases(duplicate) == [primary]
    services.case_mark_duplicate(case=duplicate, primary=primary, by=officer)

    services.case_answer(case=primary, by=officer, text="단속 완료")

    duplicate.refresh_from_db()
    assert duplicate.status == Status.ANSWERED
    assert duplicate.answer == "단속 완료"
    assert Notification.objects.filter(recipient=other_citizen, kind="complaints.answered").count() == 1


def test_linking_to_an_answered_primary_answers_at_once(citizen, other_citizen, officer, parking_rule):
    primary = file_case(citizen)
    services.case_answer(case=primary, by=officer, text="이미 처리")
    duplicate = file_case(other_citizen)

    services.case_mark_duplicate(case=duplicate, primary=primary, by=officer)

    duplicate.refresh_from_db()
    assert duplicate.status == Status.ANSWERED and duplicate.answer == "이미 처리"


def test_case_cannot_be_its_own_duplicate(citizen, officer, parking_rule):
    case = file_case(citizen)
    with pytest.raises(DomainError):
        services.case_mark_duplicate(case=case, primary=case, by=officer)


def test_transfer_needs_a_reason(citizen, officer, other_department, parking_rule):
    case = file_case(citizen)

    with pytest.raises(DomainError) as error:
        services.case_transfer(case=case, by=officer, to_department=other_department, reason="  ")

    assert error.value.field == "reason"
    case.refresh_from_db()
    assert case.department.code == "parking"
    assert not case.events.filter(kind="transferred").exists()


def test_transfer_to_a_district_office(citizen, officer, mapo_office, parking_rule):
    case = file_case(citizen)
    services.case_assign(case=case, officer=officer, by=officer)

    services.case_transfer(case=case, by=officer, to_department=mapo_office, reason="구청 소관")

    case.refresh_from_db()
    assert case.department == mapo_office and case.officer is None and case.status == Status.RECEIVED
    event = case.events.get(kind="transferred")
    assert event.from_department.code == "parking" and event.to_department == mapo_office and event.note == "구청 소관"


def test_transfer_outside_seoul_closes_it_here(citizen, officer, ministry, parking_rule):
    case = file_case(citizen)

    services.case_transfer(case=case, by=officer, to_department=ministry, reason="국토부 소관 법령")

    case.refresh_from_db()
    assert case.status == Status.TRANSFERRED_OUT and case.department == ministry
    assert not case.is_open


def test_claim_twice_by_two_officers_conflicts(citizen, officer, department, parking_rule):
    from tests.factories import officer_of

    colleague = officer_of(department, username="colleague")
    case = file_case(citizen)
    services.case_claim(case=case, by=officer)

    with pytest.raises(Conflict):
        services.case_claim(case=case, by=colleague)
    case.refresh_from_db()
    assert case.officer == officer


def test_assign_to_someone_outside_the_department_is_refused(
    citizen, supervisor, officer_of_other_department, parking_rule
):
    case = file_case(citizen)
    with pytest.raises(DomainError):
        services.case_assign(case=case, officer=officer_of_other_department, by=supervisor)
    case.refresh_from_db()
    assert case.officer is None


def test_notes_are_internal_events(citizen, officer, parking_rule):
    case = file_case(citizen)

    services.case_add_note(case=case, by=officer, text="현장 확인 필요")

    assert case.events.get(kind="note").is_internal is True


def test_mark_simple_recomputes_deadline(citizen, officer, parking_rule):
    case = file_case(citizen)
    before = case.due_at

    services.case_mark_simple(case=case, by=officer)

    case.refresh_from_db()
    assert case.is_simple and case.due_at < before


@pytest.fixture
def answered(citizen, officer, parking_rule):
    case = file_case(citizen)
    services.case_answer(case=case, by=officer, text="답변")
    case.refresh_from_db()
    return case


@pytest.mark.parametrize("score", [0, 6, "x", None])
def test_rating_outside_1_to_5_is_refused(answered, citizen, score):
    with pytest.raises(DomainError):
        services.case_rate(case=answered, by=citizen, score=score)
    assert Rating.objects.count() == 0


def test_rating_by_someone_else_is_refused(answered, other_citizen):
    with pytest.raises(NotAllowed):
        services.case_rate(case=answered, by=other_citizen, score=5)
    assert Rating.objects.count() == 0


def test_rating_twice_for_the_same_answer_conflicts(answered, citizen):
    services.case_rate(case=answered, by=citizen, score=4, comment="좋아요")
    with pytest.raises(Conflict):
        services.case_rate(case=answered, by=citizen, score=5)
    assert Rating.objects.get().score == 4


def test_rating_before_the_answer_conflicts(citizen, parking_rule):
    case = file_case(citizen)
    with pytest.raises(Conflict):
        services.case_rate(case=case, by=citizen, score=5)


def test_database_refuses_a_score_of_six(answered):
    with pytest.raises(IntegrityError):
        Rating.objects.create(case=answered, answer_round=9, score=6)


def test_additional_answer_reopens_and_can_be_rated_again(answered, citizen, officer):
    services.case_rate(case=answered, by=citizen, score=2)

    services.case_request_additional_answer(case=answered, by=citizen, text="구체적으로 알려주세요")
    services.case_answer(case=answered, by=officer, text="추가 답변")
    services.case_rate(case=answered, by=citizen, score=5)

    answered.refresh_from_db()
    assert answered.answer_round == 2
    assert list(Rating.objects.order_by("answer_round").values_list("score", flat=True)) == [2, 5]


def test_additional_answer_by_someone_else_is_refused(answered, other_citizen):
    with pytest.raises(NotAllowed):
        services.case_request_additional_answer(case=answered, by=other_citizen, text="?")
    answered.refresh_from_db()
    assert answered.status == Status.ANSWERED


def test_events_are_append_only(answered):
    event = answered.events.first()
    event.note = "changed"
    with pytest.raises(Conflict):
        event.save()
    with pytest.raises(Conflict):
        event.delete()


def test_invalid_transition_is_refused(answered, officer):
    with pytest.raises(Conflict):
        answered.transition_to(Status.ASSIGNED, by=officer)


def test_rerouting_after_rules_change(citizen, officer, desk, department, supervisor):
    case = file_case(citizen, title="견인 요청", text="차를 옮겨주세요")
    assert case.department == desk
    RoutingRuleFactory(keywords="견인", department=department)
    from tests.factories import officer_of

    desk_officer = officer_of(desk, username="desk")

    services.case_route(case=case, by=desk_officer)

    case.refresh_from_db()
    assert case.department == department


def test_citizen_without_profile_can_file(parking_rule):
    user = CitizenFactory(username="newcomer")
    assert file_case(user).citizen == user


def test_acknowledgement_is_sent_once_even_if_the_task_runs_twice(citizen, parking_rule):
    case = file_case(citizen)

    first = filing.case_acknowledge(case_id=case.pk)
    second = filing.case_acknowledge(case_id=case.pk)

    assert (first, second) == (True, False)
    assert Notification.objects.filter(recipient=citizen, kind="complaints.filed").count() == 1


def test_acknowledgement_of_a_deleted_case_is_quiet(citizen, parking_rule):
    assert filing.case_acknowledge(case_id=999999) is False
