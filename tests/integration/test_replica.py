"""The replica router against a real streaming replica (tests/integration/drill_replica.py):
a primary and its replica of their own, so this runs wherever PostgreSQL's server binaries are,
and the servers CI and the other tests use are left as they are."""

import pytest

from tests.integration import throwaway

pytestmark = [pytest.mark.integration]

why_not = throwaway.available()
if why_not:
    pytestmark.append(pytest.mark.skip(reason=why_not))


@pytest.fixture(scope="module")
def drill():
    from tests.integration.drill_replica import run

    return run(log=lambda line: None)


def test_the_two_servers_are_a_primary_and_a_replica_in_recovery(drill):
    assert drill["primary_in_recovery"] is False
    assert drill["replica_in_recovery"] is True
    assert drill["replica_port"] != drill["primary_port"]


def test_a_page_whose_reads_may_lag_reads_from_the_replica(drill):
    assert drill["replica_healthy"] is True
    assert drill["lag_ok_poll_queries"] == {"default": 0, "replica": 1}
    assert drill["lag_ok_ballots"] == 0


def test_a_page_not_marked_reads_from_the_primary_only(drill):
    assert drill["unmarked"]["status"] == 200
    assert drill["unmarked"]["replica"] == 0
    assert drill["unmarked"]["default"] > 0


def test_a_write_is_never_sent_to_the_replica_and_the_reads_after_it_stay_on_the_primary(drill):
    scoped = drill["scoped_write"]
    assert scoped["reads_before_write"]["replica"] == 1
    assert scoped["replica_writes"] == []
    assert scoped["primary_writes"] == 1
    assert scoped["read_after_write_on"] == "default"
    assert scoped["value"] == "복제 확인"
    assert drill["vote"] == {"status": 201, "replica_queries": 0}


def test_a_citizen_reads_their_own_vote_while_the_replica_is_behind(drill):
    # Replay paused on the replica: the voter's list comes from the primary and counts the
    # vote; the neighbour's comes from the replica and does not yet.
    assert drill["voter_sees"] == 1
    assert drill["voter_poll_queries"] == {"default": 1, "replica": 0}
    assert drill["neighbour_sees"] == 0
    assert drill["neighbour_poll_queries"] == {"default": 0, "replica": 1}
    # After DATABASE_REPLICA_STICKY_SECONDS the voter reads from the replica again.
    assert drill["voter_later_poll_queries"] == {"default": 0, "replica": 1}


def test_a_replica_further_behind_than_allowed_is_skipped(drill):
    assert drill["lagging_health"]["healthy"] is False
    assert drill["lagging_health"]["lag"] > 1.0
    assert drill["lagging_poll_queries"] == {"default": 1, "replica": 0}
    assert drill["lagging_sees"] == 1
    # Replay resumed: back on the replica, which now has the vote.
    assert drill["caught_up_poll_queries"] == {"default": 0, "replica": 1}
    assert drill["caught_up_sees"] == 1


def test_a_replica_that_is_down_is_skipped_and_the_pages_still_answer(drill):
    down = drill["down"]
    assert down["statuses"] == [200, 200]
    assert down["healthy"] is False
    assert down["replica_queries"] == 0
    assert down["primary_queries"] > 0
