"""Two requests at the same instant: the unique constraint decides, the count stays exact.

PostgreSQL only (SQLite serialises writers, so it proves nothing there)."""

import json
import random
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from civicportal.errors import Conflict
from polls import services
from polls.models import Ballot, BallotChoice, Poll
from tests.factories import CitizenFactory
from tests.polls.factories import PollFactory

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("districts_loaded")]


def _cast_at_once(poll_pk, user_pks, option_pk, barrier, outcomes):
    from civicportal.accounts.models import User

    try:
        poll = Poll.objects.prefetch_related("options", "districts").get(pk=poll_pk)
        for user_pk in user_pks:
            voter = User.objects.get(pk=user_pk)
            barrier.wait(timeout=30)
            try:
                services.vote_cast(poll=poll, voter=voter, option_ids=[option_pk])
                outcomes.append("ok")
            except Conflict:
                outcomes.append("conflict")
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_double_votes_give_one_ballot_each(officer, department):
    poll = PollFactory(department=department, created_by=officer, multiple=True, max_choices=2)
    voters = [CitizenFactory().pk for _ in range(20)]
    option = poll.options.first().pk
    threads, outcomes = 4, []
    barrier = threading.Barrier(threads)
    workers = [
        threading.Thread(target=_cast_at_once, args=(poll.pk, voters, option, barrier, outcomes))
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    poll.refresh_from_db()
    assert outcomes.count("ok") == 20
    assert outcomes.count("conflict") == 60
    assert Ballot.objects.filter(poll=poll).count() == 20
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == 20
    assert poll.total_ballots == 20
    assert poll.options.get(pk=option).votes == 20


@pytest.mark.django_db(transaction=True)
def test_http_clients_with_duplicates_count_exactly(live_server, officer, department):
    """A small version of bench/polls_concurrency.py: 8 clients, 400 requests, many duplicates."""
    poll = PollFactory(department=department, created_by=officer)
    options = list(poll.options.values_list("pk", flat=True))
    tokens = [Token.objects.create(user=CitizenFactory()).key for _ in range(60)]
    rng = random.Random(7)
    requests = [(rng.choice(tokens), rng.choice(options)) for _ in range(400)]
    distinct = len({token for token, _ in requests})

    def send(item):
        token, option = item
        request = urllib.request.Request(
            f"{live_server.url}/api/v1/polls/{poll.pk}/vote/",
            data=json.dumps({"options": [option]}).encode(),
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, requests))

    poll.refresh_from_db()
    assert sorted(set(statuses)) == [201, 409]
    assert statuses.count(201) == distinct
    assert Ballot.objects.filter(poll=poll).count() == distinct
    assert poll.total_ballots == distinct
    assert sum(poll.options.with_votes().values_list("vote_count", flat=True)) == distinct


def _cast_pairs(poll_pk, jobs, barrier, outcomes):
    from civicportal.accounts.models import User

    try:
        poll = Poll.objects.prefetch_related("options", "districts").get(pk=poll_pk)
        barrier.wait(timeout=30)
        for user_pk, option_ids in jobs:
            try:
                services.vote_cast(poll=poll, voter=User.objects.get(pk=user_pk), option_ids=option_ids)
                outcomes.append("ok")
            except Conflict:
                outcomes.append("conflict")
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_multiple_choice_ballots_never_deadlock(officer, department):
    poll = PollFactory(department=department, created_by=officer, multiple=True, max_choices=2)
    a, b, c = poll.options.values_list("pk", flat=True)
    voters = [CitizenFactory().pk for _ in range(24)]
    pairs = [[a, b], [b, a], [c, a], [b, c]]
    threads, outcomes = 4, []
    barrier = threading.Barrier(threads)
    workers = [
        threading.Thread(
            target=_cast_pairs,
            args=(poll.pk, [(v, pairs[(i + t) % 4]) for i, v in enumerate(voters)], barrier, outcomes),
        )
        for t in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    poll.refresh_from_db()
    assert outcomes.count("ok") == 24 and outcomes.count("conflict") == 72
    assert poll.total_ballots == 24
    assert sum(poll.options.with_votes().values_list("vote_count", flat=True)) == 48
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == 48
