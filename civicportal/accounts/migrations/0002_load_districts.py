"""Load Seoul's 25 autonomous districts (public fact data, see data/seoul_districts.csv)."""

from django.db import migrations


def load(apps, schema_editor):
    from civicportal.accounts.districts import load_districts

    load_districts(apps.get_model("accounts", "District"))


def unload(apps, schema_editor):
    apps.get_model("accounts", "District").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
