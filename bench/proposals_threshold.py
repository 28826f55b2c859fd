"""64 concurrent voters on one proposal: the threshold is crossed exactly once (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civic_proposals \\
        .venv/bin/python bench/proposals_threshold.py [--voters 64] [--rounds 10]

Each round, N threads (one database connection each) wait at a barrier and then all
call ``services.proposal_vote`` on one fresh proposal. Checked every round:
  - threshold round (PROPOSAL_VOTE_THRESHOLD=10): exactly 11 votes accepted, vote_count == vote rows == 11,
    exactly one "threshold" event, status in_review, every other voter refused with "voting_closed";
  - baseline round (threshold 1,000, nothing to cross): all N accepted, vote_count == vote rows == N.
Prints the median wall time of a round and per-vote latency for both, and their ratio.
"""

import argparse
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _proposals_setup import bench_database, median, p95  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voters", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    import os

    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    bench_database("bench_proposals_threshold")

    from django.conf import settings
    from django.db import connection

    from civicportal.accounts.models import Role
    from civicportal.errors import DomainError
    from proposals import services
    from proposals.models import Proposal, ProposalEvent, ProposalVote
    from tests.factories import UserFactory

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    author = UserFactory(username="bench_author", email="", roles=[Role.CITIZEN])
    voters = [UserFactory(username=f"bench_voter{i}", email="", roles=[Role.CITIZEN]) for i in range(args.voters)]

    def one_round(threshold):
        settings.PROPOSAL_VOTE_THRESHOLD = threshold
        proposal = services.proposal_submit(
            author=author, title="Bench proposal", problem="p", idea="i", expected_effect="e"
        )
        barrier = threading.Barrier(len(voters))
        outcomes, latencies = Counter(), []
        lock = threading.Lock()

        def vote(voter):
            barrier.wait()
            start = time.perf_counter()
            try:
                services.proposal_vote(voter=voter, proposal_id=proposal.pk)
                result = "accepted"
            except DomainError as exc:
                result = exc.code
            finally:
                connection.close()
            with lock:
                outcomes[result] += 1
                latencies.append((time.perf_counter() - start) * 1000)

        threads = [threading.Thread(target=vote, args=(v,)) for v in voters]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = (time.perf_counter() - start) * 1000
        proposal.refresh_from_db()
        rows = ProposalVote.objects.filter(proposal=proposal).count()
        crossings = ProposalEvent.objects.filter(proposal=proposal, kind="threshold").count()
        return proposal, rows, crossings, outcomes, wall, latencies

    walls = {"threshold": [], "baseline": []}
    per_vote = {"threshold": [], "baseline": []}
    for r in range(args.rounds):
        for kind in ("threshold", "baseline") if r % 2 == 0 else ("baseline", "threshold"):
            proposal, rows, crossings, outcomes, wall, latencies = one_round(10 if kind == "threshold" else 1000)
            if kind == "threshold":
                ok = (
                    proposal.status == Proposal.Status.IN_REVIEW
                    and proposal.vote_count == rows == outcomes["accepted"] == 11
                    and crossings == 1
                    and outcomes["voting_closed"] == len(voters) - 11
                )
            else:
                ok = (
                    proposal.status == Proposal.Status.OPEN
                    and proposal.vote_count == rows == len(voters) == outcomes["accepted"]
                )
            print(
                f"round {r + 1:>2} {kind:<9} votes={proposal.vote_count:>3} rows={rows:>3} crossings={crossings} "
                f"outcomes={dict(outcomes)} wall={wall:.0f} ms {'OK' if ok else 'WRONG'}"
            )
            if not ok:
                sys.exit(f"round {r + 1} ({kind}) broke the invariant")
            walls[kind].append(wall)
            per_vote[kind] += latencies
    print(f"\n{'':<34}{'median ms':>10}{'p95 ms':>10}")
    for kind in ("threshold", "baseline"):
        label = f"{kind} round ({len(voters)} voters)"
        print(f"{label:<34}{median(walls[kind]):>10.1f}{p95(walls[kind]):>10.1f}")
        print(f"{kind + ' per vote':<34}{median(per_vote[kind]):>10.1f}{p95(per_vote[kind]):>10.1f}")
    print(f"\nratio threshold / baseline round wall time: {median(walls['threshold']) / median(walls['baseline']):.2f}")
    print(f"every round exact: {args.rounds} threshold rounds crossed exactly once, vote_count == rows")


if __name__ == "__main__":
    main()
