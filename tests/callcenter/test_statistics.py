"""Statistics: every contact counted exactly once, checked against the raw rows."""

import csv
import datetime as dt
import io
import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from callcenter import selectors, tasks
from callcenter.beat import SCHEDULE
from callcenter.models import Contact, DailySummary
from tests.callcenter.factories import ContactFactory, TopicFactory

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")
DAY1 = dt.date(2026, 10, 5)
DAY2 = dt.date(2026, 10, 6)


@pytest.fixture
def contacts(counsellor, department):
    """A reproducible mix across two Seoul days, including the midnight edges."""
    rng = random.Random(120)
    topics = [TopicFactory(), TopicFactory(), None]
    rows = []
    edges = [
        dt.datetime(2026, 10, 5, 0, 0, 0, tzinfo=SEOUL),
        dt.datetime(2026, 10, 5, 23, 59, 59, tzinfo=SEOUL),
        dt.datetime(2026, 10, 6, 0, 0, 0, tzinfo=SEOUL),
        dt.datetime(2026, 10, 4, 23, 59, 59, tzinfo=SEOUL),  # outside the range
        dt.datetime(2026, 10, 7, 0, 0, 0, tzinfo=SEOUL),  # outside the range
    ]
    starts = edges + [
        dt.datetime(2026, 10, 5, tzinfo=SEOUL) + dt.timedelta(seconds=rng.randrange(2 * 86400)) for _ in range(60)
    ]
    for start in starts:
        outcome = rng.choice(["answered", "answered", "transferred", "callback", ""])
        closed = outcome != ""
        rows.append(
            ContactFactory(
                counsellor=counsellor,
                channel=rng.choice(Contact.Channel.values),
                language=rng.choice(Contact.Language.values),
                topic=rng.choice(topics),
                started_at=start,
                ended_at=start + dt.timedelta(seconds=rng.randrange(30, 900)) if closed else None,
                duration_seconds=None,
                outcome=outcome,
                transferred_to=department if outcome == "transferred" else None,
                status="closed" if closed else "open",
                satisfaction=rng.choice([None, 1, 3, 5]) if closed else None,
            )
        )
    for contact in rows:
        contact.compute_duration()
        contact.save()
    return rows


def in_range(rows):
    return [c for c in rows if DAY1 <= c.started_at.astimezone(SEOUL).date() <= DAY2]


@pytest.mark.parametrize("use_summaries", [False, True])
def test_statistics_match_the_raw_rows(contacts, use_summaries):
    if use_summaries:
        selectors.daily_summary_recompute(DAY1)
        selectors.daily_summary_recompute(DAY2)
    stats = selectors.statistics(DAY1, DAY2, use_summaries=use_summaries)
    rows = in_range(contacts)
    assert stats["contacts"] == len(rows) == len(contacts) - 2
    for dimension, key in [
        ("channel", lambda c: c.channel),
        ("language", lambda c: c.language),
        ("outcome", lambda c: c.outcome),
        ("topic", lambda c: str(c.topic_id) if c.topic_id else ""),
        ("hour", lambda c: f"{c.started_at.astimezone(SEOUL).hour:02d}"),
        ("day", lambda c: c.started_at.astimezone(SEOUL).date().isoformat()),
    ]:
        got = {r["key"]: r["contacts"] for r in stats[f"by_{dimension}"] if r["contacts"]}
        assert got == dict(Counter(key(c) for c in rows)), dimension
        assert sum(r["contacts"] for r in stats[f"by_{dimension}"]) == len(rows), dimension
    timed = [c.duration_seconds for c in rows if c.duration_seconds is not None]
    assert stats["avg_handling_seconds"] == round(sum(timed) / len(timed), 1)
    answered = sum(1 for c in rows if c.outcome == "answered")
    assert stats["answered_on_spot"] == answered
    assert stats["answered_on_spot_share"] == round(answered / len(rows), 4)
    scores = [c.satisfaction for c in rows if c.satisfaction]
    assert stats["satisfaction_count"] == len(scores)
    assert stats["satisfaction_average"] == round(sum(scores) / len(scores), 2)
    assert stats["foreign_language"] == sum(1 for c in rows if c.language != "ko")
    assert stats["sign_language"] == sum(1 for c in rows if c.channel == "sign_language")


def test_daily_summary_recompute_is_idempotent(contacts):
    tasks.compute_daily_summary.delay(DAY1.isoformat())
    first = list(DailySummary.objects.filter(day=DAY1).values_list("dimension", "key", "contacts", "handled_seconds"))
    tasks.compute_daily_summary.delay(DAY1.isoformat())
    second = list(DailySummary.objects.filter(day=DAY1).values_list("dimension", "key", "contacts", "handled_seconds"))
    assert first == second
    total = DailySummary.objects.get(day=DAY1, dimension="total")
    assert total.contacts == sum(1 for c in contacts if c.started_at.astimezone(SEOUL).date() == DAY1)


def test_summary_reflects_a_late_satisfaction_answer_after_recompute(contacts):
    selectors.daily_summary_recompute(DAY1)
    contact = next(
        c for c in in_range(contacts) if c.started_at.astimezone(SEOUL).date() == DAY1 and c.satisfaction is None
    )
    Contact.objects.filter(pk=contact.pk).update(satisfaction=2)
    tasks.compute_recent_daily_summaries.delay(days_back=(timezone.localdate() - DAY1).days)
    assert selectors.statistics(DAY1, DAY1) == selectors.statistics(DAY1, DAY1, use_summaries=False)


def test_beat_schedule_names_the_task():
    assert SCHEDULE["callcenter-daily-summaries"]["task"] == tasks.compute_recent_daily_summaries.name


def test_statistics_page_and_csv(client, counsellor, contacts):
    client.force_login(counsellor)
    params = {"date_from": DAY1.isoformat(), "date_to": DAY2.isoformat()}
    page = client.get(reverse("callcenter:statistics"), params)
    assert page.status_code == 200
    assert f'data-testid="total">{len(in_range(contacts))}<' in page.content.decode()
    export = client.get(reverse("callcenter:statistics_csv"), params)
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    channel_total = sum(int(r[3]) for r in rows if r[0] == "channel")
    assert channel_total == len(in_range(contacts))
    # The key column holds keys: the header names a value column, and every summary row's key
    # is a measure's name (an average and a count are two rows, never a count as a key).
    assert rows[0] == ["dimension", "key", "label", "value"]
    summary = {r[1]: r[3] for r in rows if r[0] == "summary"}
    assert {"contacts", "satisfaction_average", "satisfaction_count"} <= set(summary)
    assert summary["contacts"] == str(len(in_range(contacts)))
    assert not any(key.isdigit() for key in summary)


def test_statistics_page_refuses_reversed_dates(client, counsellor):
    client.force_login(counsellor)
    response = client.get(reverse("callcenter:statistics"), {"date_from": "2026-10-06", "date_to": "2026-10-01"})
    assert response.status_code == 400
