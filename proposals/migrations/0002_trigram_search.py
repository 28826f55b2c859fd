"""pg_trgm and a trigram index on titles for similar-proposal detection (PostgreSQL only)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS proposal_title_trgm ON proposals_proposal USING gin (title gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS proposal_title_trgm")


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial_oasis")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index),
    ]
