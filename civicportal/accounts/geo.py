"""Where a place is in Seoul: the one resolver every door uses (web forms, the API, Open311,
the 120 console, the map picker's look-up).

- A position resolves to the district (gu) whose boundary contains it, and to the
  administrative dong inside that district (point in polygon, ray casting, over the KOSTAT
  2013 boundaries in ``data/seoul-geo/``), not to the nearest centroid: centroids put a
  point near a border in the wrong district.
- A place typed as text ("마포구 합정역 사거리", "망원동에서") resolves through a gazetteer of
  the district and dong names, with particles and spaces tolerated: a district named in
  the text, a dong named in it, or a station named after a dong (합정역 → 합정동).

Plain Python, no Django: the boundaries are read once per process. Districts are named by
the codes of ``data/seoul_districts.csv`` (the census codes of the boundary files differ;
the two are joined by the Korean name, as the data's README says).
"""

import csv
import json
import math
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
GU_FILE = DATA / "seoul-geo" / "seoul_gu_2013_simple.geojson"
DONG_FILE = DATA / "seoul-geo" / "seoul_dong_2013_simple.geojson"
DISTRICTS_CSV = DATA / "seoul_districts.csv"

# The boundaries are simplified (1-5% of the vertices): a point in a sliver between two
# simplified borders, or just outside the city's simplified edge, takes the nearest boundary
# within this distance. Farther than this from every district is outside Seoul.
BORDER_TOLERANCE_M = 150


@dataclass(frozen=True)
class Place:
    """What the resolver found. ``district_code`` is a code of ``seoul_districts.csv`` (or
    None), ``dong`` a dong name ("" when not known), ``outside`` True for a position outside
    Seoul, ``source`` "position", "text" or "" (nothing found)."""

    district_code: str | None = None
    dong: str = ""
    outside: bool = False
    source: str = ""

    def __bool__(self):
        return self.district_code is not None


NOWHERE = Place()


@dataclass
class _Area:
    code: str  # census code of the boundary file
    name: str
    rings: list  # [[(lon, lat), ...], ...]
    box: tuple  # (west, south, east, north)

    def contains(self, lon, lat) -> bool:
        west, south, east, north = self.box
        if not (west <= lon <= east and south <= lat <= north):
            return False
        inside = False
        for ring in self.rings:  # even-odd over every ring: holes count out
            j = len(ring) - 1
            for i in range(len(ring)):
                xi, yi = ring[i]
                xj, yj = ring[j]
                if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
                    inside = not inside
                j = i
        return inside

    def distance_m(self, lon, lat) -> float:
        """Distance in metres from the point to this area's boundary (equirectangular; exact
        enough over a city)."""
        kx = 111_320 * math.cos(math.radians(lat))
        ky = 110_540
        best = math.inf
        for ring in self.rings:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                ax, ay = (x1 - lon) * kx, (y1 - lat) * ky
                bx, by = (x2 - lon) * kx, (y2 - lat) * ky
                dx, dy = bx - ax, by - ay
                length = dx * dx + dy * dy
                t = 0.0 if length == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length))
                best = min(best, math.hypot(ax + t * dx, ay + t * dy))
        return best


def _areas(path) -> list[_Area]:
    with open(path, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    areas = []
    for feature in features:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings = [[(float(x), float(y)) for x, y in ring] for polygon in polygons for ring in polygon]
        xs = [x for ring in rings for x, _y in ring]
        ys = [y for ring in rings for _x, y in ring]
        props = feature["properties"]
        areas.append(_Area(props["code"], props["name"], rings, (min(xs), min(ys), max(xs), max(ys))))
    return areas


# A dong's number (망원1동, 성수2가3동, 종로1·2·3·4가동) goes: what people say is the base name.
_DONG_NUMBER = re.compile(r"제?[\d·.,]+가?[\d·.,]*동$|\d+가동$")


def _base_dong(name: str) -> str:
    return _DONG_NUMBER.sub("동", name)


class _Gazetteer:
    def __init__(self):
        with open(DISTRICTS_CSV, encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        self.code_by_name = {row["name_ko"]: row["code"] for row in rows}
        self.gu = _areas(GU_FILE)
        census_to_code = {area.code: self.code_by_name[area.name] for area in self.gu}
        self.dongs_by_gu: dict[str, list[_Area]] = {}
        # What a person may type for a dong -> {(district code, dong name to store)}.
        self.dong_names: dict[str, set] = {}
        for dong in _areas(DONG_FILE):
            code = census_to_code[dong.code[:5]]
            self.dongs_by_gu.setdefault(code, []).append(dong)
            self.dong_names.setdefault(dong.name, set()).add((code, dong.name))
            base = _base_dong(dong.name)
            if base != dong.name:
                # 망원동 is 망원1동 and 망원2동 together: the district is known, the dong is 망원동.
                self.dong_names.setdefault(base, set()).add((code, base))
        self.longest_dong = max(len(name) for name in self.dong_names)
        # English names: 합정동 -> Hapjeong-dong; a base name from its family's first
        # member (망원동 -> Mangwon 1(il)-dong -> Mangwon-dong).
        self.dong_en = {}
        with open(DONG_FILE, encoding="utf-8") as fh:
            for feature in json.load(fh)["features"]:
                props = feature["properties"]
                self.dong_en[props["name"]] = props["name_eng"]
                base = _base_dong(props["name"])
                english = re.sub(r"[\s.,·]*[\d.,·]+\([^)]*\)", "", props["name_eng"])
                if base != props["name"] and not re.search(r"\d|-ga-", english):
                    self.dong_en.setdefault(base, english)
        self.gu_by_code = {census_to_code[area.code]: area for area in self.gu}
        # District names in Korean ("마포구") and English ("Mapo-gu", "mapo gu"), longest first.
        names = [(row["name_ko"], row["code"]) for row in rows]
        for row in rows:
            stem = row["name_en"].lower().removesuffix("-gu")
            names += [(f"{stem}-gu", row["code"]), (f"{stem} gu", row["code"]), (f"{stem}gu", row["code"])]
        names.sort(key=lambda item: -len(item[0]))
        self.district_pattern = re.compile("|".join(re.escape(name) for name, _code in names))
        self.district_by_text = dict(names)


_gazetteer = None
_lock = threading.Lock()


def _data() -> _Gazetteer:
    global _gazetteer
    if _gazetteer is None:
        with _lock:
            if _gazetteer is None:
                _gazetteer = _Gazetteer()
    return _gazetteer


def load():
    """Read the boundaries now (a process that serves requests may call it at start)."""
    _data()


# --- positions ---------------------------------------------------------------------------


def _within(areas, lon, lat):
    for area in areas:
        if area.contains(lon, lat):
            return area
    near = min(areas, key=lambda area: area.distance_m(lon, lat) if _near_box(area, lon, lat) else math.inf)
    if _near_box(near, lon, lat) and near.distance_m(lon, lat) <= BORDER_TOLERANCE_M:
        return near
    return None


def _near_box(area, lon, lat) -> bool:
    west, south, east, north = area.box
    margin = 0.005  # about 500 m: wider than the tolerance in both directions
    return west - margin <= lon <= east + margin and south - margin <= lat <= north + margin


def locate(lat, lon) -> Place:
    """The district and dong at a position (degrees, any number type). A position outside
    Seoul is ``Place(outside=True)``; no position is ``NOWHERE``."""
    if lat is None or lon is None:
        return NOWHERE
    lat, lon = float(lat), float(lon)
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return NOWHERE
    data = _data()
    gu = _within(data.gu, lon, lat)
    if gu is None:
        return Place(outside=True, source="position")
    code = data.code_by_name[gu.name]
    dong = _within(data.dongs_by_gu.get(code, []), lon, lat)
    return Place(district_code=code, dong=dong.name if dong else "", source="position")


# --- text --------------------------------------------------------------------------------


_CITY = ("서울", "서울시", "서울특별시", "seoul")


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").strip().lower()[:300]


def _word_starts(text: str, also=()):
    """Indexes where a word starts: the text's start, after a space or punctuation, and the
    ``also`` positions (the end of a district name written without a space: 마포구합정동)."""
    starts = {0, *also}
    for i in range(1, len(text)):
        if not text[i - 1].isalnum() and text[i].isalnum():
            starts.add(i)
    return sorted(starts)


def place_from_text(text: str) -> Place:
    """The district and dong a typed place names. A district named in the text wins over a
    dong's; a dong name that exists in two districts (신사동) with no district named gives no
    district; a station named after a dong (합정역) gives that dong."""
    text = _normalise(text)
    if not text:
        return NOWHERE
    data = _data()
    districts, ends = [], []
    for match in data.district_pattern.finditer(text):
        before = text[: match.start()].rstrip()
        # A district name, not a syllable run inside a word (집중구역 is not 중구).
        if match.start() and text[match.start() - 1].isalnum() and not before.endswith(_CITY):
            continue
        districts.append(data.district_by_text[match.group(0)])
        ends.append(match.end())
    district = districts[0] if districts else None
    candidates: set = set()
    for start in _word_starts(text, ends):
        found = _dong_at(data, text, start)
        if found:
            candidates = found
            if district is None or any(code == district for code, _n in found):
                break
    if district is not None:
        candidates = {place for place in candidates if place[0] == district}
    if len(candidates) == 1:
        code, dong = next(iter(candidates))
        return Place(district_code=code, dong=dong, source="text")
    if district is not None:
        return Place(district_code=district, source="text")
    return NOWHERE


def _dong_at(data, text, start):
    """The dong named at ``start`` (longest name first), or a station named after one."""
    for length in range(min(data.longest_dong, len(text) - start), 1, -1):
        found = data.dong_names.get(text[start : start + length])
        if found:
            return found
    word = re.match(r"[가-힣]+", text[start:])
    if word:
        word = word.group(0)
        for i in range(1, len(word)):
            if word[i] == "역":  # 합정역 -> 합정동, 역삼역 -> 역삼동
                found = data.dong_names.get(word[:i] + "동")
                if found:
                    return found
    return None


def resolve(*, lat=None, lon=None, text="") -> Place:
    """Position first (a boundary contains it), else the text. A dong named in the text
    completes a position's district only when it lies in that district."""
    if lat is not None and lon is not None:
        at = locate(lat, lon)
        if at.outside or at.dong:
            return at
        named = place_from_text(text)
        if named.dong and named.district_code == at.district_code:
            return Place(district_code=at.district_code, dong=named.dong, source="position")
        return at
    return place_from_text(text)


def centre_of(place: Place):
    """A (lat, lon) to show a resolved place on a map: the middle of its dong's or district's
    bounding box, or None."""
    if not place.district_code:
        return None
    data = _data()
    area = data.gu_by_code.get(place.district_code)
    for dong in data.dongs_by_gu.get(place.district_code, []):
        if place.dong and (dong.name == place.dong or _base_dong(dong.name) == place.dong):
            area = dong
            break
    if area is None:
        return None
    west, south, east, north = area.box
    return round((south + north) / 2, 6), round((west + east) / 2, 6)


def dong_label(name: str, language: str) -> str:
    """A dong's name for a reader: Korean as stored, or its English name (합정동 ->
    Hapjeong-dong) when the language is not Korean and the name is known."""
    if not name or (language or "ko").startswith("ko"):
        return name
    return _data().dong_en.get(name, name)
