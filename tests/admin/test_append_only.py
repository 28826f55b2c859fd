"""Evidence stays evidence: ballots, tallies, events, deliveries and the logs are read-only in
admin for everyone, superusers included (no add, change or delete; viewing stays possible)."""

import pytest
from auditlog.models import LogEntry as AuditLogEntry
from axes.models import AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import ADDITION
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.urls import reverse
from django.utils import timezone

from callcenter.models import ContactEvent
from civicportal.admin_mixins import AppendOnlyAdminMixin
from civicportal.audit.models import PersonalDataAccess
from civicportal.notifications.models import (
    AlertBroadcast,
    AlertChunk,
    AlertDelivery,
    AlertEvent,
    Delivery,
    Notification,
    SocialChannelAccount,
)
from complaints.models import CaseEvent, Rating
from polls import services as poll_services
from polls.models import LotDraw, PollEvent
from proposals.models import ProposalEvent, ProposalVote
from tests.callcenter.factories import ContactFactory
from tests.complaints.factories import file_case
from tests.factories import CitizenFactory
from tests.notifications.factories import make_alert
from tests.polls.factories import PollFactory
from tests.proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db

# Every append-only model of the portal and of the libraries it uses. A new event table,
# delivery, tally or log must be added here (the naming rule below finds most of them).
APPEND_ONLY = {
    "polls.Ballot",
    "polls.BallotChoice",
    "polls.PollTally",
    "polls.OptionTally",
    "polls.PollEvent",
    "polls.LotDraw",
    "complaints.CaseEvent",
    "complaints.Rating",
    "proposals.ProposalEvent",
    "proposals.ProposalVote",
    "callcenter.ContactEvent",
    "notifications.AlertEvent",
    "notifications.Delivery",
    "notifications.AlertDelivery",
    "notifications.AlertBroadcast",
    "notifications.AlertChunk",
    "audit.PersonalDataAccess",
    "auditlog.LogEntry",
    "admin.LogEntry",
    "axes.AccessLog",
    "axes.AccessFailureLog",
}
APPEND_ONLY_SUFFIXES = ("Event", "Log", "LogEntry", "Delivery", "Ballot", "BallotChoice", "Tally", "Vote", "Access")


def _row(label, citizen):
    """One row of the model, written the way the portal writes it."""
    now = timezone.now()
    if label in {"polls.Ballot", "polls.BallotChoice", "polls.PollTally", "polls.OptionTally"}:
        poll = PollFactory()
        poll_services.vote_cast(poll=poll, voter=citizen, option_ids=[poll.options.first().pk])
        return apps.get_model(label).objects.first()
    if label == "polls.PollEvent":
        return PollEvent.objects.create(poll=PollFactory(), kind="opened", note="열림")
    if label == "polls.LotDraw":
        return LotDraw.objects.create(poll=PollFactory(), seed="seed", winners_count=1, winners=[citizen.pk])
    if label in {"complaints.CaseEvent", "complaints.Rating"}:
        case = file_case(citizen)
        if label == "complaints.Rating":
            return Rating.objects.create(case=case, answer_round=1, score=4)
        return CaseEvent.objects.filter(case=case).first()
    if label == "proposals.ProposalEvent":
        return ProposalEvent.objects.create(proposal=ProposalFactory(), kind="submitted", note="제출")
    if label == "proposals.ProposalVote":
        proposal = ProposalFactory()
        return ProposalVote.objects.create(proposal=proposal, voter=citizen, proposal_author=proposal.author)
    if label == "callcenter.ContactEvent":
        return ContactEvent.objects.create(contact=ContactFactory(), kind="logged", note="접수")
    if label.startswith("notifications."):
        alert = make_alert()
        if label == "notifications.AlertEvent":
            return AlertEvent.objects.filter(alert=alert).first() or AlertEvent.objects.create(
                alert=alert, to_status="draft", note="작성"
            )
        if label == "notifications.AlertDelivery":
            return AlertDelivery.objects.create(alert=alert, user=citizen, channel="sms", created_at=now)
        if label == "notifications.AlertBroadcast":
            account = SocialChannelAccount.objects.create(name="서울시 X", platform="x", handle="@seoul")
            return AlertBroadcast.objects.create(alert=alert, account=account)
        if label == "notifications.AlertChunk":
            return AlertChunk.objects.create(alert=alert, first_user_id=1, last_user_id=100)
        notification = Notification.objects.create(recipient=citizen, kind="case", title="답변 등록")
        return Delivery.objects.create(notification=notification, channel="sms")
    if label == "audit.PersonalDataAccess":
        return PersonalDataAccess.objects.create(
            actor=citizen, subject=citizen, object_type="accounts.user", object_id=str(citizen.pk), purpose="test"
        )
    if label == "auditlog.LogEntry":
        return AuditLogEntry.objects.log_create(citizen, action=AuditLogEntry.Action.UPDATE, changes={"a": [1, 2]})
    if label == "admin.LogEntry":
        return AdminLogEntry.objects.create(
            user=citizen,
            content_type=ContentType.objects.get_for_model(citizen),
            object_id=str(citizen.pk),
            object_repr=str(citizen),
            action_flag=ADDITION,
        )
    if label == "axes.AccessLog":
        return AccessLog.objects.create(user_agent="ua", ip_address="127.0.0.1", username="x", path_info="/")
    if label == "axes.AccessFailureLog":
        return AccessFailureLog.objects.create(user_agent="ua", ip_address="127.0.0.1", username="x", path_info="/")
    raise AssertionError(f"no row builder for {label}")


def _snapshot(model):
    return serializers.serialize("json", model.objects.order_by("pk"))


def _forged(obj):
    """A POST body that would change every plain field of ``obj`` (and copy its foreign keys)."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.is_relation:
            data[field.name] = getattr(obj, field.attname) or ""
        elif field.get_internal_type() in {"DateTimeField"}:
            data[f"{field.name}_0"], data[f"{field.name}_1"] = "2000-01-01", "00:00:00"
        elif field.get_internal_type() in {"CharField", "TextField"}:
            data[field.name] = "forged"
        elif field.get_internal_type() == "JSONField":
            data[field.name] = "{}"
        else:
            data[field.name] = "1"
    return data


@pytest.mark.parametrize("label", sorted(APPEND_ONLY))
def test_superuser_can_view_but_not_add_change_or_delete(client, administrator, label):
    model = apps.get_model(label)
    obj = _row(label, CitizenFactory(username="voter"))
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    client.force_login(administrator)
    before, count = _snapshot(model), model.objects.count()

    # Viewing stays possible: the list and the object's page.
    changelist = client.get(reverse(f"{name}_changelist"))
    assert changelist.status_code == 200
    assert b'value="delete_selected"' not in changelist.content
    assert client.get(reverse(f"{name}_change", args=[obj.pk])).status_code == 200

    # Add, change and delete are refused, for the superuser too.
    assert client.get(reverse(f"{name}_add")).status_code == 403
    assert client.post(reverse(f"{name}_add"), _forged(obj)).status_code == 403
    assert client.post(reverse(f"{name}_change", args=[obj.pk]), _forged(obj)).status_code == 403
    assert client.get(reverse(f"{name}_delete", args=[obj.pk])).status_code == 403
    assert client.post(reverse(f"{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse(f"{name}_changelist"), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )
    assert bulk.status_code in {200, 302}

    assert model.objects.count() == count
    assert _snapshot(model) == before


def _registered_labels():
    return {model._meta.label for model in admin.site._registry}


def test_every_append_only_model_is_listed_and_read_only_in_admin():
    by_name = {model._meta.label for model in apps.get_models() if model.__name__.endswith(APPEND_ONLY_SUFFIXES)}
    # A model named like an event, log, delivery, ballot or tally must be on the list.
    assert by_name - APPEND_ONLY == set()
    # Every listed model can be looked at in admin, through the shared read-only mixin.
    assert APPEND_ONLY - _registered_labels() == set()
    for label in APPEND_ONLY:
        model_admin = admin.site._registry[apps.get_model(label)]
        assert isinstance(model_admin, AppendOnlyAdminMixin), label


def test_every_inline_of_an_append_only_model_is_read_only():
    checked = 0
    for model_admin in admin.site._registry.values():
        for inline in model_admin.inlines:
            if inline.model._meta.label in APPEND_ONLY:
                assert issubclass(inline, AppendOnlyAdminMixin), inline
                checked += 1
    assert checked >= 6  # cases, polls, proposals, contacts and alerts show their events inline


def test_a_superuser_cannot_add_an_event_through_the_case_inline(client, administrator):
    case = file_case(CitizenFactory(username="filer"))
    client.force_login(administrator)
    page = client.get(reverse("admin:complaints_case_change", args=[case.pk]))
    assert page.status_code == 200
    inline = page.context["inline_admin_formsets"]
    event_formset = next(f for f in inline if f.opts.model is CaseEvent)
    assert event_formset.has_add_permission is False
    assert event_formset.has_change_permission is False
    assert event_formset.has_delete_permission is False
