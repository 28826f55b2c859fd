"""The 25 districts of Seoul as SVG paths, drawn on the server (no script, no tiles).

Boundaries: ``civicportal/accounts/data/seoul-geo/seoul_gu_2013_simple.geojson`` (KOSTAT 2013,
simplified by the southkorea/seoul-maps project, Apache-2.0; see the README beside it),
joined to the district codes of ``seoul_districts.csv`` by the Korean name."""

import csv
import json
import math
from functools import lru_cache

from civicportal.accounts.geo import DISTRICTS_CSV, GU_FILE

WIDTH = 600
# Sequential, colour-blind safe (ColorBrewer YlGnBu, 5 classes); light to dark = few to many.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NO_DATA = "#e6e6e6"


@lru_cache(maxsize=1)
def shapes() -> tuple:
    """((district code, Korean name, SVG path data, (label x, label y)), ...), and the height."""
    with open(DISTRICTS_CSV, encoding="utf-8") as fh:
        code_by_name = {row["name_ko"]: row["code"] for row in csv.DictReader(fh)}
    with open(GU_FILE, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    polygons = []
    for feature in features:
        geometry = feature["geometry"]
        parts = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        polygons.append((feature["properties"]["name"], [ring for part in parts for ring in part]))
    xs = [x for _n, rings in polygons for ring in rings for x, _y in ring]
    ys = [y for _n, rings in polygons for ring in rings for _x, y in ring]
    west, east, south, north = min(xs), max(xs), min(ys), max(ys)
    squash = math.cos(math.radians((south + north) / 2))  # equirectangular, true to scale in Seoul
    scale = WIDTH / ((east - west) * squash)
    height = round((north - south) * scale)

    def point(x, y):
        return round((x - west) * squash * scale, 1), round((north - y) * scale, 1)

    result = []
    for name, rings in polygons:
        d = []
        for ring in rings:
            points = [point(x, y) for x, y in ring]
            d.append("M" + " L".join(f"{px},{py}" for px, py in points) + " Z")
        outer = [point(x, y) for x, y in max(rings, key=len)]
        label = (round(sum(p[0] for p in outer) / len(outer), 1), round(sum(p[1] for p in outer) / len(outer), 1))
        result.append((code_by_name[name], name, " ".join(d), label))
    return tuple(result), height


def classes(values) -> list:
    """Five equal-width classes over the values: [(low, high, colour)]; [] without values."""
    values = [v for v in values if v is not None]
    if not values:
        return []
    low, high = min(values), max(values)
    step = (high - low) / len(PALETTE) or 1
    return [(low + i * step, low + (i + 1) * step, colour) for i, colour in enumerate(PALETTE)]


def colour_of(value, bands) -> tuple:
    """(colour, class number 1-5) of a value, or (NO_DATA, None)."""
    if value is None or not bands:
        return NO_DATA, None
    for number, (_low, high, colour) in enumerate(bands, start=1):
        if value <= high:
            return colour, number
    return bands[-1][2], len(bands)
