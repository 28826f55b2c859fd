"""The first text of the terms of use and the privacy notice (an administrator edits them)."""

from django.db import migrations


def load(apps, schema_editor):
    from civicportal.accounts.policy_texts import load_policy_pages

    load_policy_pages(apps.get_model("accounts", "PolicyPage"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_policy_pages_terms_and_privacy")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
