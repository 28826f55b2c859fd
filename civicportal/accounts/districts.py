"""Seoul's 25 districts: loaded from the committed CSV (data migration and tests), and the
district a position falls in (filing a case, the map picker's lookup)."""

import csv
from decimal import Decimal
from pathlib import Path

CSV = Path(__file__).resolve().parent / "data" / "seoul_districts.csv"
# Seoul's bounding box: a position outside it is not used to derive a district.
SEOUL_BOX = (Decimal("37.40"), Decimal("37.72"), Decimal("126.76"), Decimal("127.19"))


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


def district_at(lat, lon, districts=None):
    """The district whose centroid is nearest, for a position inside Seoul (else None).

    ``lat`` and ``lon`` are Decimals (or None). ``districts`` is a caller's cached copy of the
    District rows (filing keeps one per process); by default they are read from the database."""
    from civicportal.accounts.models import District

    if lat is None or lon is None:
        return None
    south, north, west, east = SEOUL_BOX
    if not (south <= lat <= north and west <= lon <= east):
        return None
    districts = list(District.objects.all() if districts is None else districts)
    if not districts:
        return None
    return min(districts, key=lambda d: (d.lat - lat) ** 2 + (d.lon - lon) ** 2)
