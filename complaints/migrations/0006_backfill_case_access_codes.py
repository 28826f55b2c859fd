"""Give every existing case its own access code, in batches (safe to run on a large table)."""

import secrets

from django.db import migrations

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # complaints.models.ACCESS_CODE_ALPHABET, frozen here
BATCH = 2000


def new_code():
    return "".join(secrets.choice(ALPHABET) for _position in range(8))


def backfill(apps, schema_editor):
    Case = apps.get_model("complaints", "Case")
    while True:
        rows = list(Case.objects.filter(access_code="").only("pk")[:BATCH])
        if not rows:
            return
        for row in rows:
            row.access_code = new_code()
        Case.objects.bulk_update(rows, ["access_code"])


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0005_case_public_choice_and_access_code"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
