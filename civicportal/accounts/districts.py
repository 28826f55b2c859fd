"""Seoul's 25 districts from the committed CSV (used by the data migration and tests)."""

import csv
from decimal import Decimal
from pathlib import Path

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
