"""Routing that learns from the officers: trained here on a small GENERATED history
(bench/routing_history.py), then used through the doors officers and citizens use."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from complaints import suggestions
from complaints.models import Case, CaseEvent, Kind, RoutingModel, RoutingSettings
from complaints.tasks import routing_model_retrain
from tests.complaints.factories import RoutingRuleFactory
from tests.complaints.learned_history import generated, load_history
from tests.factories import officer_of

pytestmark = pytest.mark.django_db

BUS = {
    "kind": "complaint",
    "title": "472번 버스 배차 간격",
    "text": "472번 버스 배차 간격이 너무 깁니다. 출근 시간에 버스가 정류장을 그냥 지나갑니다.",
}


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def history(coordination_desk):
    return load_history(list(generated()))


@pytest.fixture
def model(history):
    trained = suggestions.routing_model_train()
    assert trained is not None and trained.is_active
    return trained


@pytest.fixture
def desk_officer(coordination_desk):
    return officer_of(coordination_desk, username="desk")


def _set(**fields):
    RoutingSettings.objects.filter(pk=1).update(**fields)
    suggestions.clear_caches()


def _file(as_user, citizen, **data):
    response = as_user(citizen).post(reverse("complaints:file"), {**BUS, **data})
    assert response.status_code == 302
    return Case.objects.exclude(tracking_number__startswith="2098-").get()


def test_the_trained_version_records_its_window_and_measured_accuracy(model):
    assert model.version == 1
    assert model.case_count == 900 and model.held_out_count == 90
    assert model.window_start < model.window_end
    # Generated history: the held-out later tenth is mostly routed right, and the right
    # department is almost always among the three suggestions.
    assert model.top1_accuracy > 0.6 and model.top3_accuracy > model.top1_accuracy - 1e-9
    assert model.size == len(bytes(RoutingModel.objects.get(pk=model.pk).pipeline))


def test_a_case_no_rule_routes_goes_to_the_suggested_department_and_the_event_says_why(
    as_user, citizen, model, history
):
    case = _file(as_user, citizen)

    assert case.department == history["bus-policy"]
    routed = case.events.get(kind=CaseEvent.Kind.ROUTED)
    assert routed.to_department == history["bus-policy"] and routed.is_internal
    assert routed.note.startswith("Routed by the learned model v1 with ")
    assert "% confidence; words that weighed most: " in routed.note
    assert "배차" in routed.note
    assert case.nouns  # analysed at filing, not again later


def test_a_matching_rule_still_wins_over_the_model(as_user, citizen, model, history):
    rule = RoutingRuleFactory(name="버스 → 생활환경과", keywords="버스", department=history["living-environment"])

    case = _file(as_user, citizen)

    assert case.department == history["living-environment"]
    assert case.events.get(kind=CaseEvent.Kind.ROUTED).note == rule.name


def test_below_the_threshold_the_case_waits_at_the_desk_which_sees_the_suggestions(
    as_user, citizen, model, history, coordination_desk, desk_officer
):
    _set(threshold=1.0)  # 1 means never sure enough

    case = _file(as_user, citizen)

    assert case.department == coordination_desk
    assert case.events.get(kind=CaseEvent.Kind.ROUTED).note == ""
    page = as_user(desk_officer).get(reverse("complaints:queue")).content.decode()
    row = page[page.index(reverse("complaints:workspace", args=[case.tracking_number])) :]
    row = row[: row.index("</tr>")]
    assert "Suggested departments:" in row and "Bus Policy Division (" in row


def test_the_transfer_dialog_shows_the_suggestions_with_the_words_that_weighed_most(
    as_user, citizen, model, history, desk_officer
):
    _set(threshold=1.0)
    case = _file(as_user, citizen)

    page = as_user(desk_officer).get(reverse("complaints:workspace", args=[case.tracking_number])).content.decode()

    dialog = page[page.index("Suggested departments</h3>") : page.index('value="transfer"')]
    assert dialog.index("Bus Policy Division") < dialog.index("</li>")  # the first suggestion
    assert "% confident" in dialog and "Words that weighed most:" in dialog and "버스" in dialog
    assert f'<option value="{history["bus-policy"].pk}" selected>' in page


def test_reports_are_never_routed_by_the_model_nor_given_suggestions(
    as_user, citizen, model, coordination_desk, desk_officer
):
    case = _file(as_user, citizen, kind=Kind.CORRUPTION)

    assert case.department == coordination_desk
    assert case.events.get(kind=CaseEvent.Kind.ROUTED).note == ""
    page = as_user(desk_officer).get(reverse("complaints:workspace", args=[case.tracking_number])).content.decode()
    assert "Suggested departments" not in page
    queue = as_user(desk_officer).get(reverse("complaints:queue")).content.decode()
    assert "Suggested departments:" not in queue


def test_reports_are_not_learned_from(history):
    Case.objects.filter(pk__in=Case.objects.values("pk")[:50]).update(kind=Kind.WELFARE)

    model = suggestions.routing_model_train()

    assert model.case_count == 850


def test_switching_learned_routing_off_in_admin_restores_the_rules_alone(
    client, administrator, as_user, citizen, model, coordination_desk, desk_officer
):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:complaints_routingmodel_changelist"),
        {"action": "switch_off", "_selected_action": [model.pk]},
    )
    assert response.status_code == 302
    assert RoutingSettings.objects.get().enabled is False

    case = _file(as_user, citizen)

    assert case.department == coordination_desk
    assert "Suggested departments" not in as_user(desk_officer).get(reverse("complaints:queue")).content.decode()


def test_the_threshold_is_set_in_admin_and_checked(client, administrator, model):
    client.force_login(administrator)
    url = reverse("admin:complaints_routingsettings_change", args=[1])
    form = {"enabled": "on", "auto_activate": "on", "window_days": 365, "min_cases": 100}

    refused = client.post(url, {**form, "threshold": "1.5"})
    accepted = client.post(url, {**form, "threshold": "0.65"})

    assert refused.status_code == 200 and "less than or equal to 1.0" in refused.content.decode()
    assert accepted.status_code == 302 and RoutingSettings.objects.get().threshold == 0.65


def test_rolling_back_to_a_previous_version_in_admin(client, administrator, as_user, citizen, model, history):
    newer = suggestions.routing_model_train(force=True)
    assert newer.version == 2 and newer.is_active
    assert not RoutingModel.objects.get(pk=model.pk).is_active
    client.force_login(administrator)

    response = client.post(
        reverse("admin:complaints_routingmodel_changelist"),
        {"action": "activate", "_selected_action": [model.pk]},
    )

    assert response.status_code == 302
    assert list(RoutingModel.objects.filter(is_active=True).values_list("version", flat=True)) == [1]
    case = _file(as_user, citizen)
    assert case.events.get(kind=CaseEvent.Kind.ROUTED).note.startswith("Routed by the learned model v1 ")
    # After a rollback, a newer training waits for an administrator.
    third = suggestions.routing_model_train(force=True)
    assert third.version == 3 and not third.is_active
    assert RoutingModel.objects.get(is_active=True).version == 1


def test_the_nightly_task_trains_only_when_cases_were_answered_since_the_last_version(history, coordination_desk):
    assert routing_model_retrain.delay().get() == 1
    assert routing_model_retrain.delay().get() is None
    assert RoutingModel.objects.count() == 1

    Case.objects.filter(pk=Case.objects.order_by("-filed_at").values("pk")[:1]).update(answered_at=timezone.now())

    assert routing_model_retrain.delay().get() == 2
    assert RoutingModel.objects.get(is_active=True).version == 2


def test_the_nightly_task_is_in_the_default_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["complaints-routing-retrain"]
    assert entry["task"] == "complaints.tasks.routing_model_retrain"
    assert entry["schedule"].hour == {3}


def test_a_portal_without_history_trains_nothing_and_routes_as_today(as_user, citizen, coordination_desk):
    assert routing_model_retrain.delay().get() is None
    assert RoutingModel.objects.count() == 0

    case = _file(as_user, citizen)

    assert case.department == coordination_desk
    assert case.events.get(kind=CaseEvent.Kind.ROUTED).note == ""


def test_too_little_history_trains_nothing(coordination_desk):
    load_history(list(generated())[:50])

    assert suggestions.routing_model_train() is None
    assert RoutingModel.objects.count() == 0


def test_only_administrators_switch_versions(officer, model):
    from civicportal.errors import NotAllowed

    with pytest.raises(NotAllowed):
        suggestions.routing_model_activate(routing_model=model, by=officer)
    with pytest.raises(NotAllowed):
        suggestions.routing_model_switch_off(by=officer)
    assert RoutingSettings.objects.get().enabled is True


def test_running_routing_again_in_admin_uses_the_model_too(client, administrator, as_user, citizen, model, history):
    _set(threshold=1.0)
    case = _file(as_user, citizen)
    _set(threshold=0.5)
    client.force_login(administrator)

    response = client.post(
        reverse("admin:complaints_case_changelist"), {"action": "reroute", "_selected_action": [case.pk]}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.department == history["bus-policy"]
    assert case.events.filter(kind=CaseEvent.Kind.ROUTED).last().note.startswith("Routed by the learned model v1 ")


def test_a_version_that_cannot_be_loaded_leaves_filing_to_the_rules(as_user, citizen, model, coordination_desk):
    RoutingModel.objects.filter(pk=model.pk).update(pipeline=b"not a pipeline")
    suggestions.clear_caches()

    case = _file(as_user, citizen)

    assert case.department == coordination_desk
    assert case.events.get(kind=CaseEvent.Kind.ROUTED).note == ""


def test_the_history_is_read_from_the_database_in_chunks_and_the_model_routes_at_filing(
    as_user, citizen, history, monkeypatch
):
    from django.db.models.query import QuerySet

    from complaints import learning_hashed

    read, written = [], []
    iterator, write = QuerySet.iterator, learning_hashed._write

    def recording_iterator(self, chunk_size=None):
        if self.model is Case:
            read.append(chunk_size)
        return iterator(self, chunk_size=chunk_size)

    def recording_write(spilled, nouns, chars, pairs, held_out):
        written.append((len(pairs), held_out))
        return write(spilled, nouns, chars, pairs, held_out)

    monkeypatch.setattr(suggestions, "READ_CHUNK", 100)
    monkeypatch.setattr(learning_hashed, "CHUNK_SIZE", 250)
    monkeypatch.setattr(QuerySet, "iterator", recording_iterator)
    monkeypatch.setattr(learning_hashed, "_write", recording_write)

    model = suggestions.routing_model_train()

    assert read == [100]
    # 810 training cases in chunks of 250 (the last one cut where the held-out tenth starts),
    # then the 90 held-out ones: no chunk holds the history.
    assert written == [(250, False), (250, False), (250, False), (60, False), (90, True)]
    assert model.classifier == "sgd-hashing" and model.case_count == 900 and model.held_out_count == 90
    assert model.top1_accuracy > 0.6
    case = _file(as_user, citizen)
    assert case.department == history["bus-policy"]
    assert case.events.get(kind=CaseEvent.Kind.ROUTED).note.startswith("Routed by the learned model v1 with ")


def test_a_version_stored_before_hashing_still_routes_and_explains(as_user, citizen, history):
    from complaints.learning import RoutingPipeline

    model = suggestions.routing_model_train(features="tfidf")
    assert model.classifier == "sgd"
    assert isinstance(suggestions._pipeline()[0], RoutingPipeline)

    case = _file(as_user, citizen)

    assert case.department == history["bus-policy"]
    note = case.events.get(kind=CaseEvent.Kind.ROUTED).note
    assert note.startswith("Routed by the learned model v1 with ") and "배차" in note
