"""Trigram indexes for global search on PostgreSQL (CONTRACT 6 /search/). SQLite has no
pg_trgm; there the search scans, which is fine at embedded sizes.

The same indexes came from `reports.0001_trigram_search` before search had its own app, so a
database migrated then already has them: every statement is IF [NOT] EXISTS, and the indexes
keep their names."""
from django.db import migrations

INDEXES = [
    ("leads_lead", "email"), ("leads_lead", "last_name"), ("leads_lead", "first_name"),
    ("leads_lead", "company"),
    ("accounts_contact", "email"), ("accounts_contact", "last_name"),
    ("accounts_contact", "first_name"),
    ("accounts_account", "name"), ("accounts_account", "domain"),
    ("opportunities_opportunity", "name"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm ON {table} "
            f"USING gin ((UPPER(({column})::text)) gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0007_explicit_choice_labels"),
        ("accounts", "0008_explicit_choice_labels"),
        ("opportunities", "0004_explicit_choice_labels"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
