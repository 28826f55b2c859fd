"""Load Seoul's 25 autonomous districts (public fact data, see data/seoul_districts.csv)."""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parent.parent / "data" / "seoul_districts.csv"


def load(apps, schema_editor):
    District = apps.get_model("accounts", "District")
    if not CSV.exists():
        return
    with open(CSV, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            District.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name_ko": row["name_ko"], "name_en": row["name_en"],
                    "lat": Decimal(row["lat"]), "lon": Decimal(row["lon"]),
                },
            )


def unload(apps, schema_editor):
    apps.get_model("accounts", "District").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
