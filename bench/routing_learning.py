"""Benchmark: routing that learns from the officers, on a GENERATED history.

    .venv/bin/python bench/routing_learning.py                      # 100,000 cases
    .venv/bin/python bench/routing_learning.py --features tfidf     # the vocabulary pipeline
    .venv/bin/python bench/routing_learning.py --compare            # classifiers side by side

Training time, memory and accuracy at 100,000 and 1,000,000 cases: ``bench/routing_scale.py``.

There is no public history of Seoul's cases: ``bench/routing_history.py`` generates one
(13 months, Korean templates and vocabulary, the real department tree, realistic misroutes
and transfers). The first twelve months train, the thirteenth is held out; printed:

- top-1 and top-3 accuracy on the held-out month, against the first-match rules alone;
- the portal's combination (rules first; the model when no rule matches and it is at least
  as sure as the threshold; else the district office or the desk, as today), and the
  transfers it would have saved;
- the learning curve (accuracy by amount of history);
- training time, and prediction time per case (batch, and one case as at filing, with and
  without the noun analysis).

No database: the pipeline is the one the portal stores (``complaints.learning_hashed``, or
with ``--features tfidf`` the vocabulary one of ``complaints.learning``).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.routing_history import fallback, generate  # noqa: E402
from complaints.learning import RoutingPipeline, accuracy  # noqa: E402
from complaints.learning_hashed import HashedRoutingPipeline  # noqa: E402

FEATURES = "hashing"


def split(rows, months=13):
    """Months 1–12 train, month 13 is held out (rows are oldest first, evenly spread)."""
    cut = int(len(rows) * (months - 1) / months)
    return rows[:cut], rows[cut:]


def labels(rows):
    return [row["department"] for row in rows]


def combined(pipeline, rows, threshold):
    """Where the portal would send each held-out case: (department, routed by the model?)."""
    suggestions = pipeline.suggest(rows, k=1)
    result = []
    for row, top in zip(rows, suggestions, strict=True):
        if row["rule_matched"]:
            result.append((row["filed_department"], False))
        elif top and top[0].confidence >= threshold:
            result.append((top[0].label, True))
        else:
            result.append((fallback(row["district"]), False))
    return result


def transfers(rows, routed):
    """Transfers before the answer: the generated count where the department is the rules'
    wrong one, one where the model's choice is wrong, none where it is right."""
    total = 0
    for row, (department, _by_model) in zip(rows, routed, strict=True):
        if department == row["department"]:
            continue
        total += row["transfers"] if department == row["filed_department"] else 1
    return total


def timed_fit(rows, classifier="sgd", features=None):
    started = time.perf_counter()
    if (features or FEATURES) == "hashing" and classifier == "sgd":
        pipeline = HashedRoutingPipeline().fit(rows, labels(rows))
    else:
        pipeline = RoutingPipeline(classifier=classifier).fit(rows, labels(rows))
    return pipeline, time.perf_counter() - started


def prediction_times(pipeline, rows):
    from civicportal.nouns import nouns_of

    started = time.perf_counter()
    pipeline.suggest(rows, k=3)
    batch = (time.perf_counter() - started) / len(rows) * 1000
    single, analysed, through_sklearn = [], [], []
    for row in rows[:300]:
        started = time.perf_counter()
        pipeline.suggest([row], k=3)
        single.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        pipeline.classifier.predict_proba(pipeline._stack([row]))
        through_sklearn.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        pipeline.suggest([{**row, "nouns": nouns_of(f"{row['title']} {row['text']}")}], k=3)
        analysed.append((time.perf_counter() - started) * 1000)
    return batch, statistics.median(single), statistics.median(analysed), statistics.median(through_sklearn)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--curve", default="1000,3000,10000,30000,all", help="history sizes for the learning curve")
    parser.add_argument("--compare", action="store_true", help="also fit logistic regression on 20,000 cases")
    parser.add_argument("--features", choices=("hashing", "tfidf"), default="hashing")
    args = parser.parse_args()
    global FEATURES
    FEATURES = args.features

    started = time.perf_counter()
    rows = generate(args.cases)
    print(f"generated {len(rows):,} cases (GENERATED, not real) in {time.perf_counter() - started:.0f} s")
    train, held_out = split(rows)
    truth = labels(held_out)
    print(f"training months 1-12: {len(train):,} cases; held-out month 13: {len(held_out):,} cases")

    pipeline, fit_seconds = timed_fit(train)
    top1, top3 = accuracy(pipeline, held_out, truth)
    rules = sum(1 for row in held_out if row["filed_department"] == row["department"]) / len(held_out)
    routed = combined(pipeline, held_out, args.threshold)
    portal = sum(1 for (d, _m), want in zip(routed, truth, strict=True) if d == want) / len(held_out)
    by_model = [(d, want) for (d, m), want in zip(routed, truth, strict=True) if m]
    model_right = sum(1 for d, want in by_model if d == want)
    before, after = transfers(held_out, [(r["filed_department"], False) for r in held_out]), transfers(held_out, routed)

    print()
    print(f"held-out month, {len(held_out):,} cases")
    print(f"  first-match rules alone      top-1 {rules:6.1%}")
    print(f"  model alone                  top-1 {top1:6.1%}   top-3 {top3:6.1%}")
    print(f"  rules, then model ≥ {args.threshold:.2f}     top-1 {portal:6.1%}")
    print(
        f"  model routed {len(by_model):,} cases ({len(by_model) / len(held_out):.1%}), "
        f"{model_right / max(1, len(by_model)):.1%} of them right"
    )
    print(
        f"  transfers: {before:,} with the rules alone, {after:,} with the model "
        f"({before - after:,} saved, {(before - after) / len(held_out) * 1000:.0f} per 1,000 cases)"
    )
    misrouted = [row for row in held_out if row["filed_department"] != row["department"]]
    if misrouted:
        _one, in_three = accuracy(pipeline, misrouted, labels(misrouted))
        print(
            f"  of the {len(misrouted):,} cases the rules misrouted, the transfer dialog's three "
            f"suggestions hold the answering department for {in_three:.1%}"
        )
    batch, single, analysed, sklearn_one = prediction_times(pipeline, held_out)
    print()
    size = len(pipeline.dumps()) / 1e6
    print(f"training time ({len(train):,} cases, SGD, {args.features}): {fit_seconds:.1f} s; model {size:.1f} MB")
    print(
        f"prediction per case: {batch:.3f} ms in a batch; one case {single:.2f} ms "
        f"(+ noun analysis as at filing: {analysed:.2f} ms; the same case through scikit-learn's "
        f"transform and predict_proba: {sklearn_one:.2f} ms), medians of 300"
    )

    print()
    print("learning curve (the latest N cases before the held-out month)")
    for size in args.curve.split(","):
        n = len(train) if size == "all" else int(size)
        if n > len(train):
            continue
        part, seconds = timed_fit(train[-n:])
        one, three = accuracy(part, held_out, truth)
        print(f"  {n:>9,} cases   top-1 {one:6.1%}   top-3 {three:6.1%}   fit {seconds:6.1f} s")

    if args.compare:
        print()
        print("classifiers on the latest 20,000 training cases")
        for name, features in (("sgd", "hashing"), ("sgd", "tfidf"), ("logreg", "tfidf")):
            part, seconds = timed_fit(train[-20_000:], classifier=name, features=features)
            one, three = accuracy(part, held_out, truth)
            print(f"  {name:7} {features:8} top-1 {one:6.1%}   top-3 {three:6.1%}   fit {seconds:6.1f} s")


if __name__ == "__main__":
    main()
