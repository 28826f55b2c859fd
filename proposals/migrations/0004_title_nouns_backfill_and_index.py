"""Fill the title nouns of existing proposals, and index them on PostgreSQL
(``to_tsvector('simple', title_nouns)``, GIN) for the similar-proposal finder."""

from django.db import migrations


def backfill(apps, schema_editor):
    from civicportal.nouns import nouns_of

    Proposal = apps.get_model("proposals", "Proposal")
    batch = []
    for proposal in Proposal.objects.only("id", "title").iterator(chunk_size=2000):
        proposal.title_nouns = nouns_of(proposal.title)
        batch.append(proposal)
        if len(batch) >= 2000:
            Proposal.objects.bulk_update(batch, ["title_nouns"])
            batch = []
    if batch:
        Proposal.objects.bulk_update(batch, ["title_nouns"])


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS proposal_title_nouns_fts ON proposals_proposal "
        "USING gin (to_tsvector('simple', title_nouns))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS proposal_title_nouns_fts")


class Migration(migrations.Migration):
    dependencies = [("proposals", "0003_proposal_title_nouns")]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
