"""ROUTE-4 / REPORT-SLA: the stored business minutes from MQL to first touch, filled in for
the touched MQLs already there (their owners' calendars, read once; chunks by id)."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    from gtm_portal.core.first_touch import backfill_first_touch_minutes

    backfill_first_touch_minutes(
        apps.get_model("leads", "Lead"),
        apps.get_model("users", "User"),
        apps.get_model("refdata", "Holiday"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0014_campaign_imports"),
        ("users", "0001_initial"),
        ("refdata", "0004_i21_segment_thresholds"),
    ]

    operations = [
        migrations.AddField(
            model_name="lead",
            name="first_touch_minutes",
            field=models.FloatField(
                blank=True,
                editable=False,
                help_text="ROUTE-4: the owner's business minutes from MQL to first touch.",
                null=True,
                verbose_name="Business minutes to first touch",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
