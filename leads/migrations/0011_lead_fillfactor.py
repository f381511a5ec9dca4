"""LEAD-SCORE-1 / Q-PERF: leave 15% of every leads page free (PostgreSQL).

Scores, last interesting moments and SLA stamps change on many leads at once (a re-score
rewrites every lead whose score moves). None of the score columns is indexed, so such an
update can be a heap-only tuple (HOT) update — the new row version on the same page and no
entry in any of the table's indexes — but only when the page has room. Bulk-loaded pages are
full, and every update then writes a new version elsewhere plus an entry in each of the
~35 indexes. A fill factor of 85 keeps the room; it applies to rows written from now on (a
`VACUUM FULL leads_lead` rewrites the existing ones in a maintenance window).
"""
from django.db import migrations


def set_fillfactor(apps, schema_editor, value=85):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE leads_lead SET (fillfactor = {int(value)})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE leads_lead RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ("leads", "0010_related_people_indexes"),
    ]

    operations = [
        migrations.RunPython(set_fillfactor, reset_fillfactor),
    ]
