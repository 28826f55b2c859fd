"""On PostgreSQL: full-text (nouns) and trigram indexes for knowledge-base search.

SQLite searches with icontains and needs nothing here."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS cc_article_nouns_fts ON callcenter_knowledgearticle "
    "USING gin (to_tsvector('simple', search_nouns))",
    "CREATE INDEX IF NOT EXISTS cc_article_question_trgm ON callcenter_knowledgearticle "
    "USING gin (question gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS cc_article_keywords_trgm ON callcenter_knowledgearticle "
    "USING gin (keywords gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS cc_article_nouns_fts",
    "DROP INDEX IF EXISTS cc_article_question_trgm",
    "DROP INDEX IF EXISTS cc_article_keywords_trgm",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("callcenter", "0001_contacts_knowledge_base_summaries")]

    operations = [migrations.RunPython(forward, backward)]
