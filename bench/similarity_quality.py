"""Precision and recall of the similarity service (civicportal/similarity.py) on the labelled
Korean pairs (tests/similarity/pairs.tsv), at the configured thresholds, per use and per kind of
pair, and a sweep of thresholds around them. Plain Python, no database.
Run: DJANGO_SETTINGS_MODULE=civicportal.settings PYTHONPATH=. .venv/bin/python bench/similarity_quality.py"""

import argparse
import csv
from collections import defaultdict
from pathlib import Path

import django

PAIRS = Path(__file__).resolve().parent.parent / "tests" / "similarity" / "pairs.tsv"


def load_pairs(path=PAIRS):
    with open(path, encoding="utf-8") as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        return [dict(row, similar=row["similar"] == "1") for row in rows]


def precision_recall(scored, cut):
    """``scored``: (score, similar) pairs. Precision and recall of "score >= cut"."""
    found = [similar for value, similar in scored if value >= cut]
    relevant = sum(similar for _value, similar in scored)
    true_positives = sum(found)
    precision = true_positives / len(found) if found else 1.0
    recall = true_positives / relevant if relevant else 1.0
    return precision, recall


def best_threshold(scored):
    """The threshold (in steps of 0.01) with the best lower of precision and recall."""
    return max((min(precision_recall(scored, step / 100)), step / 100) for step in range(10, 91))[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="also print a threshold sweep per use")
    parser.add_argument("--errors", action="store_true", help="list the pairs on the wrong side of the threshold")
    parser.add_argument(
        "--holdout", action="store_true", help="choose the threshold on half of the pairs, measure on the other half"
    )
    args = parser.parse_args()
    django.setup()
    from civicportal import similarity

    pairs = load_pairs()
    by_use = defaultdict(list)
    by_kind = defaultdict(list)
    for pair in pairs:
        value = similarity.score(pair["text_a"], pair["text_b"])
        pair["score"] = value
        by_use[pair["use"]].append((value, pair["similar"]))
        by_kind[(pair["use"], pair["kind"])].append((value, pair["similar"]))
    print(f"{len(pairs)} labelled pairs from {PAIRS.relative_to(PAIRS.parents[2])}")
    for use, scored in sorted(by_use.items()):
        cut = similarity.threshold(use)
        precision, recall = precision_recall(scored, cut)
        positives = sum(s for _v, s in scored)
        print(
            f"{use}: threshold {cut:.2f}, {len(scored)} pairs ({positives} similar): "
            f"precision {precision:.3f}, recall {recall:.3f}"
        )
        for (kind_use, kind), kind_scored in sorted(by_kind.items()):
            if kind_use != use:
                continue
            wrong = sum((v >= cut) != s for v, s in kind_scored)
            print(f"    {kind:14} {len(kind_scored):3} pairs, {wrong} on the wrong side")
        if args.sweep:
            for step in range(20, 61, 2):
                p, r = precision_recall(scored, step / 100)
                print(f"    at {step / 100:.2f}: precision {p:.3f} recall {r:.3f}")
    if args.holdout:
        for use, scored in sorted(by_use.items()):
            halves = (scored[0::2], scored[1::2])
            for tuned, measured in (halves, halves[::-1]):
                cut = best_threshold(tuned)
                precision, recall = precision_recall(measured, cut)
                print(
                    f"{use}, held out: threshold {cut:.2f} chosen on one half; "
                    f"the other half: precision {precision:.3f}, recall {recall:.3f}"
                )
    if args.errors:
        for pair in pairs:
            if (pair["score"] >= similarity.threshold(pair["use"])) != pair["similar"]:
                mark = f"{pair['score']:.3f} {int(pair['similar'])} {pair['kind']:13}"
                print(f"  {mark} {pair['text_a']} | {pair['text_b']}")


if __name__ == "__main__":
    main()
