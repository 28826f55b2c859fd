"""Fault drills on servers of their own (tests/integration/throwaway.py): each restarts only those."""

import os

import pytest

from tests.integration import throwaway

pytestmark = [pytest.mark.integration]

why_not = throwaway.available()
if why_not:
    pytestmark.append(pytest.mark.skip(reason=why_not))


def test_postgres_restarting_during_voting_answers_503_loses_no_vote_and_its_backup_restores():
    from tests.integration.drill_postgres_restart import run

    result = run(voters=600, clients=24)
    statuses = result["statuses"]
    assert result["restarted"]
    # Only "counted", "already counted" and "try again" ever: never a 500, never a hang.
    assert set(statuses) <= {"201", "409", "503"}, statuses
    assert result["missing_retry_after"] == 0
    assert result["slowest_request_s"] < 15
    # Every voter's vote settled, and the database holds exactly one ballot per voter.
    assert result["settled"] == 600
    assert result["stored"] == 600
    # The backup restores into a new database that the portal serves, every vote in it.
    assert result["restore"]["ballots"] == 600
    assert result["restore"]["healthz"] == "200 ok"


@pytest.mark.skipif(
    not os.environ.get("CIVIC_LONG_DRILLS"),
    reason="minutes long (the sweeps run each minute): set CIVIC_LONG_DRILLS=1, or run "
    "python -m tests.integration.drill_redis_restart",
)
def test_redis_restarting_during_filing_and_a_fan_out_loses_nothing_and_sends_nothing_twice():
    from tests.integration.drill_redis_restart import run

    result = run(filers=100, citizens=500)
    # Every filing answered 201 while Redis was away; the portal said "degraded", not 500.
    assert result["filing_statuses"] == {"201": 100}
    assert result["while_redis_away"] == {"healthz": "200 degraded", "api_read": 200}
    # Every case acknowledged exactly once, those whose messages Redis forgot by the sweep.
    assert result["filings_recovered"]
    assert result["filings"] == {"cases": 100, "acknowledged": 100, "notices": 100, "distinct_notices": 100}
    assert result["other_sms"] == 100
    # The alert finished after the broker lost its chunks, and every citizen got one SMS.
    assert result["alert_finished"], result["alert"]
    assert result["alert_sms"] == result["alert_recipients"] == 600
    assert result["sms_repeated"] == 0
