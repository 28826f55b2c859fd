"""Benchmark: learned routing at 100,000 and 1,000,000 GENERATED cases, hashed and streamed.

    .venv/bin/python bench/routing_scale.py                                  # both sizes (long)
    .venv/bin/python bench/routing_scale.py --sizes 100000                   # the smaller only
    .venv/bin/python bench/routing_scale.py --sizes 20000 --tfidf-up-to 20000 --single 300   # a quick look

For each size the history is generated (``bench/routing_history.iter_generate``, nouns composed
from the analysed pieces of each template; not counted) and written to a file: months 1–12
train, month 13 is held out. Each pipeline then runs in a process of its own, reading the
training months from that file as the portal reads them from the database, one row after the
other, and prints:

- training time (reading the file, features, fitting), wall-clock and CPU (on a shared machine
  the CPU time is the steadier figure), and the process's peak RSS;
- the stored model's size (joblib, compressed, as in the RoutingModel row);
- top-1 / top-3 on the held-out month;
- prediction time per case: in a batch, and one case at a time as filing scores it (the
  suggestions, then the words that weighed most for the first), median of ``--single`` cases.

``hashing`` is the pipeline the portal trains (``complaints.learning_hashed``); ``tfidf`` the
vocabulary one it trained first (``complaints.learning``, the whole history in memory), run
up to ``--tfidf-up-to`` cases to compare in the same run. No database.
"""

import argparse
import json
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KEEP = ("title", "text", "nouns", "kind", "category", "district", "department")


def write_history(size, folder):
    """Generate ``size`` cases into ``folder``: train.pickle (a stream of chunks), held_out.pickle."""
    from bench.routing_history import iter_generate

    cut = int(size * 12 / 13)
    held_out, chunk = [], []
    with open(folder / "train.pickle", "wb") as train:
        for index, row in enumerate(iter_generate(size)):
            row = {key: row[key] for key in KEEP}
            if index >= cut:
                held_out.append(row)
                continue
            chunk.append(row)
            if len(chunk) == 10_000:
                pickle.dump(chunk, train, protocol=pickle.HIGHEST_PROTOCOL)
                chunk = []
        if chunk:
            pickle.dump(chunk, train, protocol=pickle.HIGHEST_PROTOCOL)
    with open(folder / "held_out.pickle", "wb") as out:
        pickle.dump(held_out, out, protocol=pickle.HIGHEST_PROTOCOL)
    return cut, len(held_out)


def stream(path):
    with open(path, "rb") as source:
        while True:
            try:
                yield from pickle.load(source)
            except EOFError:
                return


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ``ru_maxrss``, not carried over from
    the parent through fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(features, folder, single):
    """One pipeline, one size: train from the file, measure, print one JSON line."""
    from complaints.learning import RoutingPipeline, accuracy
    from complaints.learning_hashed import HashedRoutingPipeline, spill

    folder = Path(folder)
    with open(folder / "held_out.pickle", "rb") as source:
        held_out = pickle.load(source)
    truth = [row["department"] for row in held_out]
    before = peak_rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    if features == "hashing":
        pipeline = HashedRoutingPipeline()
        with spill(((row, row["department"]) for row in stream(folder / "train.pickle")), directory=folder) as spilled:
            spill_seconds = spilled.seconds
            pipeline.fit_spilled(spilled)
        trained = spilled.rows
    else:
        rows = list(stream(folder / "train.pickle"))
        spill_seconds = None
        pipeline = RoutingPipeline().fit(rows, [row["department"] for row in rows])
        trained = len(rows)
        del rows
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak = peak_rss_mb()
    size = len(pipeline.dumps())

    started = time.perf_counter()
    top1, top3 = accuracy(pipeline, held_out, truth)
    batch = (time.perf_counter() - started) / len(held_out) * 1000
    suggest, filing = [], []
    for row in held_out[:single]:
        started = time.perf_counter()
        top = pipeline.suggest([row], k=5)[0][0].label
        suggest.append((time.perf_counter() - started) * 1000)
        pipeline.weighing_words(row, top, k=3)
        filing.append((time.perf_counter() - started) * 1000)
    print(
        json.dumps(
            {
                "features": features,
                "trained": trained,
                "held_out": len(held_out),
                "train_s": seconds,
                "train_cpu_s": cpu_seconds,
                "spill_s": spill_seconds,
                "rss_before_mb": before,
                "peak_rss_mb": peak,
                "model_mb": size / 1e6,
                "top1": top1,
                "top3": top3,
                "batch_ms": batch,
                "one_ms": statistics.median(suggest),
                "one_with_words_ms": statistics.median(filing),
                "single": len(suggest),
            }
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--tfidf-up-to", type=int, default=100_000, help="largest size the vocabulary pipeline runs at")
    parser.add_argument("--single", type=int, default=2000, help="one-case predictions timed (median)")
    parser.add_argument("--child", nargs=2, metavar=("FEATURES", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.single)
        return

    print(f"load average at start: {' '.join(f'{v:.1f}' for v in os.getloadavg())} (2 cores)")
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        folder = Path(tempfile.mkdtemp(prefix="routing-scale-"))
        try:
            started = time.perf_counter()
            train, held_out = write_history(size, folder)
            print(
                f"\n{size:,} GENERATED cases in {time.perf_counter() - started:.0f} s (not counted): "
                f"{train:,} train (months 1-12), {held_out:,} held out (month 13)",
                flush=True,
            )
            for features in ("hashing", "tfidf") if size <= args.tfidf_up_to else ("hashing",):
                command = [sys.executable, __file__, "--child", features, str(folder), "--single", str(args.single)]
                output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
                result = json.loads(output.strip().splitlines()[-1])
                results.append((size, result))
                spill = f" (of which one pass, hashing to disk: {result['spill_s']:.0f} s)" if result["spill_s"] else ""
                print(
                    f"  {features:8} train {result['train_s']:7.1f} s{spill}, CPU {result['train_cpu_s']:.1f} s; "
                    f"peak RSS {result['peak_rss_mb']:,.0f} MB "
                    f"(before training {result['rss_before_mb']:,.0f} MB); model {result['model_mb']:.2f} MB\n"
                    f"           top-1 {result['top1']:6.2%}  top-3 {result['top3']:6.2%}; per case: batch "
                    f"{result['batch_ms']:.3f} ms, one case {result['one_ms']:.3f} ms, with its words "
                    f"{result['one_with_words_ms']:.3f} ms (medians of {result['single']:,})",
                    flush=True,
                )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    by = {(size, r["features"]): r for size, r in results}
    print()
    for size in sorted({size for size, _r in results}):
        hashed, tfidf = by.get((size, "hashing")), by.get((size, "tfidf"))
        if hashed and tfidf:
            print(
                f"{size:,}: hashing / tfidf training time {hashed['train_s'] / tfidf['train_s']:.2f}x, "
                f"peak RSS {hashed['peak_rss_mb'] / tfidf['peak_rss_mb']:.2f}x, "
                f"top-1 {100 * (hashed['top1'] - tfidf['top1']):+.2f} points, "
                f"top-3 {100 * (hashed['top3'] - tfidf['top3']):+.2f} points"
            )
    sizes = sorted({size for size, r in results if r["features"] == "hashing"})
    if len(sizes) > 1:
        small, large = by[(sizes[0], "hashing")], by[(sizes[-1], "hashing")]
        print(
            f"hashing {sizes[-1]:,} / {sizes[0]:,}: training time {large['train_s'] / small['train_s']:.1f}x for "
            f"{large['trained'] / small['trained']:.1f}x the cases; "
            f"peak RSS {large['peak_rss_mb'] / small['peak_rss_mb']:.2f}x"
        )
    print(f"load average at end: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
