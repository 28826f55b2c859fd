"""PostgreSQL only: GIN full-text index over the nouns column and trigram indexes for
partial strings. SQLite searches with icontains and needs none of this."""

from django.db import migrations

TABLES = [
    ("complaints_case", "title"),
    ("complaints_publishedexample", "title"),
    ("complaints_faqentry", "question"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, text_column in TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_nouns_fts ON {table} USING gin (to_tsvector('simple', nouns))"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_{text_column}_trgm ON {table} USING gin ({text_column} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, text_column in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_nouns_fts")
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{text_column}_trgm")


def default_sla_policies(apps, schema_editor):
    SlaPolicy = apps.get_model("complaints", "SlaPolicy")
    for kind, days in (("inquiry", 7), ("complaint", 7), ("proposal", 14)):
        SlaPolicy.objects.get_or_create(kind=kind, defaults={"business_days": days})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_cases_routing_sla")]

    operations = [
        migrations.RunPython(create, drop),
        migrations.RunPython(default_sla_policies, migrations.RunPython.noop),
    ]
