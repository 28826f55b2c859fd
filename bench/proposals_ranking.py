"""Oasis "most supported" list latency with many proposals and votes (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civic_proposals \\
        .venv/bin/python bench/proposals_ranking.py            # reduced: 20,000 proposals, 500,000 votes
    ... bench/proposals_ranking.py --full                       # 200,000 proposals, 5,000,000 votes
    ... bench/proposals_ranking.py --reuse                      # keep the loaded database of a previous run

Loads users, proposals and votes with COPY into its own database (bench_proposals),
with vote_count equal to the real number of vote rows, then times, alternating
within each round:
  - the ORM query behind the list (page 1 and a deep page),
  - the public page GET /proposals/?list=supported and the API GET /api/v1/proposals/?list=supported,
  - the baseline: the same ranking computed at read time with COUNT(votes) (no counter).
Prints medians and p95 in ms, and the ratio baseline / counter.
"""

import argparse
import io
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _proposals_setup import bench_database, median, p95, timed  # noqa: E402

STATUSES = [
    ("open", 55),
    ("closed", 25),
    ("in_review", 5),
    ("decided_adopted", 4),
    ("decided_rejected", 8),
    ("implementing", 2),
    ("implemented", 1),
]


def vote_counts(n_proposals, n_votes, n_voters, rng):
    """Skewed (Zipf-like) support: few proposals get most votes; sums to n_votes."""
    weights = [1 / (i + 1) ** 0.7 for i in range(n_proposals)]
    total = sum(weights)
    counts = [min(n_voters, int(n_votes * w / total)) for w in weights]
    missing = n_votes - sum(counts)
    i = 0
    while missing > 0:
        if counts[i % n_proposals] < n_voters:
            counts[i % n_proposals] += 1
            missing -= 1
        i += 1
    rng.shuffle(counts)
    return counts


def load(n_proposals, n_votes, n_authors, n_voters):
    from django.db import connection

    rng = random.Random(2026)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        # The rows are consistent by construction: skip the per-row foreign-key triggers.
        cursor.execute("SET session_replication_role = replica")
        users = n_authors + n_voters
        with raw.copy(
            "COPY accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
            "is_active, date_joined, full_name) FROM STDIN"
        ) as copy:
            buf = io.StringIO()
            for i in range(users):
                buf.write(f"!\tf\tbench{i}\t\t\t\tf\tt\t{now.isoformat()}\t\n")
                if i % 50_000 == 0:
                    copy.write(buf.getvalue())
                    buf = io.StringIO()
            copy.write(buf.getvalue())
        cursor.execute("SELECT min(id) FROM accounts_user WHERE username LIKE 'bench%%'")
        first_user = cursor.fetchone()[0]
        counts = vote_counts(n_proposals, n_votes, n_voters, rng)
        statuses = [s for s, w in STATUSES for _ in range(w)]
        with raw.copy(
            "COPY proposals_proposal (title, problem, idea, expected_effect, location_text, status, vote_count, "
            "created_at, updated_at, submitted_at, voting_closes_at, author_id) FROM STDIN"
        ) as copy:
            buf = io.StringIO()
            for p in range(n_proposals):
                when = now - timedelta(minutes=p * 26)  # ~10 years for 200,000
                ts = when.isoformat()
                status = statuses[p % len(statuses)]
                buf.write(
                    f"Proposal {p} about the city\tA problem\tAn idea\tAn effect\t\t{status}\t{counts[p]}\t"
                    f"{ts}\t{ts}\t{ts}\t{(when + timedelta(days=30)).isoformat()}\t{first_user + p % n_authors}\n"
                )
                if p % 20_000 == 0:
                    copy.write(buf.getvalue())
                    buf = io.StringIO()
            copy.write(buf.getvalue())
        cursor.execute("SELECT min(id) FROM proposals_proposal")
        first_proposal = cursor.fetchone()[0]
        voter0 = first_user + n_authors
        stamp = now.isoformat()
        # Build the vote indexes once after the load rather than row by row.
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'proposals_proposalvote' "
            "AND indexname NOT LIKE '%%pkey' AND indexname <> 'one_vote_per_citizen_per_proposal'"
        )
        index_defs = cursor.fetchall()
        for name, _definition in index_defs:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("ALTER TABLE proposals_proposalvote DROP CONSTRAINT one_vote_per_citizen_per_proposal")
        with raw.copy(
            "COPY proposals_proposalvote (proposal_id, voter_id, proposal_author_id, created_at) FROM STDIN"
        ) as copy:
            buf, pending = io.StringIO(), 0
            for p, k in enumerate(counts):
                start = (p * 7919) % n_voters
                author = first_user + p % n_authors
                pid = first_proposal + p
                for j in range(k):
                    buf.write(f"{pid}\t{voter0 + (start + j) % n_voters}\t{author}\t{stamp}\n")
                pending += k
                if pending >= 100_000:
                    copy.write(buf.getvalue())
                    buf, pending = io.StringIO(), 0
            copy.write(buf.getvalue())
        cursor.execute(
            "ALTER TABLE proposals_proposalvote ADD CONSTRAINT one_vote_per_citizen_per_proposal "
            "UNIQUE (proposal_id, voter_id)"
        )
        for _name, definition in index_defs:
            cursor.execute(definition)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="200,000 proposals and 5,000,000 votes")
    parser.add_argument("--proposals", type=int)
    parser.add_argument("--votes", type=int)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="keep bench_proposals if it exists")
    args = parser.parse_args()
    n_proposals = args.proposals or (200_000 if args.full else 20_000)
    n_votes = args.votes or (5_000_000 if args.full else 500_000)
    fresh = bench_database("bench_proposals", reuse=args.reuse)

    from django.db import connection, reset_queries
    from django.db.models import Count
    from django.test import Client

    from proposals.models import Proposal, ProposalVote

    if fresh:
        seconds = load(n_proposals, n_votes, n_authors=max(1000, n_proposals // 4), n_voters=50_000)
        print(f"loaded {n_proposals:,} proposals and {n_votes:,} votes with COPY in {seconds:.1f} s")
    total_votes = ProposalVote.objects.count()
    print(f"rows: {Proposal.objects.count():,} proposals, {total_votes:,} votes")
    # The counter is exact: it equals the vote rows.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM proposals_proposal p LEFT JOIN (SELECT proposal_id, count(*) AS n "
            "FROM proposals_proposalvote GROUP BY proposal_id) v ON v.proposal_id = p.id "
            "WHERE p.vote_count <> coalesce(v.n, 0)"
        )
        print(f"proposals whose vote_count differs from their vote rows: {cursor.fetchone()[0]}")

    with connection.cursor() as cursor:
        sql, params = Proposal.objects.most_supported()[:20].query.sql_with_params()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("plan of the most supported list:")
        for (line,) in cursor.fetchall()[:6]:
            print("   ", line)

    client = Client()
    deep_page = max(1, Proposal.objects.public().count() // 20 // 2)

    def orm_page1():
        list(Proposal.objects.most_supported().select_related("department", "author")[:20])

    def orm_deep():
        offset = (deep_page - 1) * 20
        list(Proposal.objects.most_supported().select_related("department", "author")[offset : offset + 20])

    page1_sql, page1_params = (
        Proposal.objects.most_supported().select_related("department", "author")[:20].query.sql_with_params()
    )

    def sql_page1():
        with connection.cursor() as cursor:
            cursor.execute(page1_sql, page1_params)
            cursor.fetchall()

    from proposals import selectors

    mid = Proposal.objects.most_supported().values_list("vote_count", "id")[(deep_page - 1) * 20 - 1]

    def keyset_deep():
        assert len(selectors.most_supported_after(tuple(mid), 20)) == 20

    def api_keyset_deep():
        assert client.get(f"/api/v1/proposals/ranking/?after={mid[0]}:{mid[1]}").status_code == 200

    def html_page1():
        assert client.get("/proposals/?list=supported").status_code == 200

    def api_page1():
        assert client.get("/api/v1/proposals/?list=supported").status_code == 200

    def baseline_count_at_read():
        list(Proposal.objects.public().annotate(n=Count("votes")).order_by("-n", "-id")[:20])

    for fn in (orm_page1, html_page1, api_page1):  # warm up
        fn()
    results = {
        name: []
        for name in (
            "sql_page1",
            "orm_page1",
            "orm_deep",
            "keyset_deep",
            "api_keyset_deep",
            "html_page1",
            "api_page1",
            "baseline",
        )
    }
    baseline_every = 3
    for r in range(args.rounds):
        results["sql_page1"] += timed(sql_page1, 3)
        results["orm_page1"] += timed(orm_page1, 3)
        results["orm_deep"] += timed(orm_deep, 1)
        results["keyset_deep"] += timed(keyset_deep, 2)
        results["api_keyset_deep"] += timed(api_keyset_deep, 2)
        results["html_page1"] += timed(html_page1, 2)
        results["api_page1"] += timed(api_page1, 2)
        if r % baseline_every == 0:
            results["baseline"] += timed(baseline_count_at_read, 1)
        reset_queries()
    print(f"\n{'measurement':<48}{'median ms':>10}{'p95 ms':>10}{'n':>5}")
    labels = {
        "sql_page1": "SQL only, most supported page 1",
        "orm_page1": "ORM most supported, page 1 (vote_count index)",
        "orm_deep": f"ORM most supported, page {deep_page}",
        "keyset_deep": f"keyset (vote_count, id) at page {deep_page}",
        "api_keyset_deep": f"GET /api/v1/proposals/ranking/?after= (page {deep_page})",
        "html_page1": "GET /proposals/?list=supported (full page)",
        "api_page1": "GET /api/v1/proposals/?list=supported",
        "baseline": "baseline: ranking by COUNT(votes) at read time",
    }
    for key, label in labels.items():
        values = results[key]
        print(f"{label:<48}{median(values):>10.2f}{p95(values):>10.2f}{len(values):>5}")
    ratio = median(results["baseline"]) / median(results["orm_page1"])
    print(f"\nratio baseline / counter (ORM page 1): {ratio:.0f}x")
    ratio = median(results["baseline"]) / median(results["sql_page1"])
    print(f"ratio baseline / counter (SQL page 1): {ratio:.0f}x")
    print(f"HTML page under 150 ms: {median(results['html_page1']) < 150}; API: {median(results['api_page1']) < 150}")


if __name__ == "__main__":
    main()
