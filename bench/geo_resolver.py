"""Figures for the place resolver (civicportal/accounts/geo.py): loading the boundaries, one
position look-up (point in polygon) against the nearest-centroid look-up it replaced, and one
typed place. Plain Python, no database. Run: PYTHONPATH=. .venv/bin/python bench/geo_resolver.py"""

import csv
import random
import time

from civicportal.accounts import geo
from civicportal.accounts.districts import CSV


def main():
    started = time.perf_counter()
    geo.load()
    print(f"load boundaries: {(time.perf_counter() - started) * 1000:.1f} ms (once per process)")
    with open(CSV, encoding="utf-8") as fh:
        centroids = [(r["code"], float(r["lat"]), float(r["lon"])) for r in csv.DictReader(fh)]

    def nearest(lat, lon):
        return min(centroids, key=lambda c: (c[1] - lat) ** 2 + (c[2] - lon) ** 2)[0]

    random.seed(7)
    points = [(random.uniform(37.43, 37.70), random.uniform(126.77, 127.18)) for _ in range(3000)]
    inside = [p for p in points if geo.locate(*p).district_code]
    outside = [p for p in points if not geo.locate(*p).district_code]
    wrong = sum(nearest(*p) != geo.locate(*p).district_code for p in inside)
    print(f"nearest centroid gives another district for {wrong / len(inside):.1%} of random points inside Seoul")
    texts = ["마포구 합정역 사거리", "망원동에서 소음", "서교동길 12", "역삼역 4번 출구", "양화로 160"] * 400
    for _round in range(2):  # alternate: these machines drift
        figures = {}
        for name, run, items in (
            ("centroid", lambda p: nearest(*p), inside),
            ("position inside", lambda p: geo.locate(*p), inside),
            ("position outside", lambda p: geo.locate(*p), outside),
            ("typed place", geo.place_from_text, texts),
        ):
            started = time.perf_counter()
            for item in items:
                run(item)
            figures[name] = (time.perf_counter() - started) / len(items) * 1e6
        print("; ".join(f"{name}: {us:.0f} µs" for name, us in figures.items()))


if __name__ == "__main__":
    main()
