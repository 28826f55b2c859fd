"""What a chat message costs the database, and that cheaper kept every guarantee: numbers in
order and unique, a retried client id stored once, an ended or someone else's conversation refused."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from callcenter.chat import services
from callcenter.chat.models import Conversation, Message
from callcenter.models import Contact
from civicportal.realtime import db as realtime_db
from tests.callcenter.chat_helpers import start

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(citizen, counsellor):
    conversation, _ = start(citizen)
    services.conversation_accept(conversation=conversation, counsellor=counsellor)
    return services.get_conversation(conversation.pk)


def statements(queries):
    """The SQL that reached the database, without the test's own savepoints."""
    return [q["sql"].split()[0].upper() for q in queries if "SAVEPOINT" not in q["sql"].upper()]


def test_a_message_is_one_update_and_one_insert(accepted, citizen, counsellor):
    services.message_post(conversation=accepted, role="citizen", user=citizen, client_id="a", text="첫 질문")
    with CaptureQueriesContext(connection) as queries:
        message, created = services.message_post(
            conversation=accepted, role="counsellor", user=counsellor, client_id="b", text="답변"
        )
    assert created and message.seq == 2
    assert statements(queries.captured_queries) == ["UPDATE", "INSERT"]
    # The citizen's later messages do not touch the contact again.
    with CaptureQueriesContext(connection) as queries:
        services.message_post(conversation=accepted, role="citizen", user=citizen, client_id="c", text="또 질문")
    assert statements(queries.captured_queries) == ["UPDATE", "INSERT"]
    assert Contact.objects.get().question == "첫 질문"
    assert Conversation.objects.get().last_seq == 3


def test_a_retried_client_id_keeps_the_first_message_and_takes_no_number(accepted, citizen):
    first, created = services.message_post(conversation=accepted, role="citizen", user=citizen, client_id="x", text="1")
    again, created_again = services.message_post(
        conversation=accepted, role="citizen", user=citizen, client_id="x", text="1"
    )
    assert created and not created_again and again.pk == first.pk
    following, _ = services.message_post(conversation=accepted, role="citizen", user=citizen, client_id="y", text="2")
    assert following.seq == 2 and Conversation.objects.get().last_seq == 2
    assert list(Message.objects.values_list("seq", "client_id")) == [(1, "x"), (2, "y")]


def test_an_ended_or_someone_elses_conversation_takes_no_message(accepted, citizen, counsellor, other_counsellor):
    services.message_post(conversation=accepted, role="citizen", user=citizen, client_id="x", text="1")
    with pytest.raises(services.NotAllowed):
        services.message_post(conversation=accepted, role="counsellor", user=other_counsellor, client_id="o", text="x")
    with pytest.raises(services.NotAllowed):
        services.message_post(conversation=accepted, role="counsellor", user=None, client_id="n", text="x")
    services.conversation_end(conversation=accepted, role="counsellor", user=counsellor)
    # The socket's copy still says "active": the database decides.
    with pytest.raises(services.Conflict):
        services.message_post(conversation=accepted, role="citizen", user=citizen, client_id="late", text="x")
    # A retry of a message stored before the end is still acknowledged with its number.
    retried, created = services.message_post(
        conversation=accepted, role="citizen", user=citizen, client_id="x", text="1"
    )
    assert not created and retried.seq == 1
    assert Message.objects.count() == 1 and Conversation.objects.get().last_seq == 1


def test_the_sockets_database_work_runs_side_by_side():
    """Two calls meet at a barrier: on one thread (channels' default) the first would wait for ever."""
    barrier = threading.Barrier(2, timeout=5)

    @realtime_db.database_work
    def meet():
        barrier.wait()
        return threading.current_thread().name

    async def both():
        import asyncio

        return await asyncio.gather(meet(), meet())

    kept = realtime_db._pool
    realtime_db._pool = None
    try:
        with override_settings(REALTIME_DB_THREADS=2):
            from asgiref.sync import async_to_sync

            names = async_to_sync(both)()
    finally:
        if realtime_db._pool is not None:
            realtime_db._pool.shutdown()
        realtime_db._pool = kept
    assert len(set(names)) == 2 and all(name.startswith("realtime-db") for name in names)
