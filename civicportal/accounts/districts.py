"""Seoul's 25 districts: loaded from the committed CSV (data migration and tests), and where a
position or a typed place is (filing a case, a proposal, the map picker's look-up): the
District row and dong that ``geo`` resolves."""

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from civicportal.accounts import geo

CSV = Path(__file__).resolve().parent / "data" / "seoul_districts.csv"


def load_districts(district_model):
    """Create or update the 25 districts; safe to run again. Returns how many rows."""
    if not CSV.exists():
        return 0
    count = 0
    with open(CSV, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            district_model.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name_ko": row["name_ko"],
                    "name_en": row["name_en"],
                    "lat": Decimal(row["lat"]),
                    "lon": Decimal(row["lon"]),
                },
            )
            count += 1
    return count


@dataclass(frozen=True)
class Location:
    """Where a case, a proposal or a look-up is: a District row (or None), a dong name ("" when
    not known), and whether a position was outside Seoul."""

    district: object = None
    dong: str = ""
    outside: bool = False


def _rows(districts):
    from civicportal.accounts.models import District

    return {d.code: d for d in (District.objects.all() if districts is None else districts)}


def locate(*, lat=None, lon=None, text="", districts=None) -> Location:
    """The district and dong of a position (the boundary that contains it) or, without one,
    of a place typed as text (see ``geo``). ``districts`` is a caller's cached copy of the
    District rows (filing keeps one per process); by default they are read from the database."""
    place = geo.resolve(lat=lat, lon=lon, text=text or "")
    if place.outside:
        return Location(outside=True)
    if not place.district_code:
        return Location()
    return Location(district=_rows(districts).get(place.district_code), dong=place.dong)


def district_at(lat, lon, districts=None):
    """The district whose boundary contains a position (None outside Seoul or without one)."""
    if lat is None or lon is None:
        return None
    return locate(lat=lat, lon=lon, districts=districts).district
