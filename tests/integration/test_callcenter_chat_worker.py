"""Live counselling with real concurrency and a real worker: the accept race and capacity on
PostgreSQL, the grace sweep as the beat runs it."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from callcenter.chat import services
from callcenter.chat.models import Conversation, CounsellorSeat
from callcenter.chat.tasks import grace_sweep
from callcenter.models import ContactEvent
from civicportal.accounts.models import Department, Role
from civicportal.errors import Conflict
from tests.callcenter.factories import TopicFactory
from tests.factories import DepartmentFactory, officer_of
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


def _setup(n_counsellors):
    from civicportal.accounts.districts import load_districts
    from civicportal.accounts.models import District

    load_districts(District)  # a flush by an earlier transactional test removes them
    centre = DepartmentFactory(code="dasan-120", kind=Department.Kind.CALL_CENTRE)
    counsellors = [officer_of(centre, username=f"racer{i}", roles=(Role.COUNSELLOR,)) for i in range(n_counsellors)]
    topic = TopicFactory(code="transport")
    return counsellors, topic


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results = []

    def run(call):
        barrier.wait()
        try:
            call()
            results.append("won")
        except Conflict as refused:
            results.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(results)


@pytest.mark.postgres
def test_four_counsellors_accepting_one_conversation_at_once_one_wins(transactional_db):
    counsellors, topic = _setup(4)
    conversation, _ = services.conversation_start(citizen=None, kind="text", language="ko", topic=topic, name="홍")
    results = _race(
        [
            lambda user=user: services.conversation_accept(
                conversation=Conversation.objects.get(pk=conversation.pk), counsellor=user
            )
            for user in counsellors
        ]
    )
    assert results == ["already_taken"] * 3 + ["won"]
    conversation.refresh_from_db()
    assert conversation.counsellor in counsellors and conversation.contact.counsellor_id == conversation.counsellor_id
    assert ContactEvent.objects.filter(contact=conversation.contact, data__chat="accepted").count() == 1


@pytest.mark.postgres
def test_one_counsellor_accepting_two_at_once_stays_within_capacity(transactional_db):
    (counsellor,), topic = _setup(1)
    CounsellorSeat.objects.create(counsellor=counsellor, capacity=1, languages="ko")
    conversations = [
        services.conversation_start(citizen=None, kind="text", language="ko", topic=topic, name=f"홍{n}")[0]
        for n in range(2)
    ]
    results = _race(
        [
            lambda c=c: services.conversation_accept(
                conversation=Conversation.objects.get(pk=c.pk), counsellor=counsellor
            )
            for c in conversations
        ]
    )
    assert results == ["at_capacity", "won"]
    assert Conversation.objects.filter(counsellor=counsellor, status="active").count() == 1


def test_the_worker_returns_an_abandoned_conversation_to_the_queue_once(celery_worker, settings):
    settings.CALLCENTER_CHAT_GRACE_SECONDS = 0
    (counsellor,), topic = _setup(1)
    conversation, _ = services.conversation_start(citizen=None, kind="text", language="ko", topic=topic, name="홍")
    services.conversation_accept(conversation=conversation, counsellor=counsellor)
    services.counsellor_left(counsellor=counsellor, now=timezone.now() - dt.timedelta(seconds=1))
    grace_sweep.delay()
    grace_sweep.delay()  # the beat may run it again before the first is done: nothing doubles
    assert wait_for(lambda: Conversation.objects.get().status == "waiting")
    returned = lambda: ContactEvent.objects.filter(data__chat="returned_to_queue").count()  # noqa: E731
    assert not wait_for(lambda: returned() > 1, timeout=2.0)
    assert returned() == 1
