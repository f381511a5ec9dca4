"""IMPORT-2: an import keeps its rows as read at upload; imports not yet finished get theirs
from the file they kept (finished ones are never read again)."""

from django.db import migrations, models

UNFINISHED = ("preview", "queued", "running")


def read_once(apps, schema_editor):
    from leads.imports import files

    ImportRun = apps.get_model("leads", "ImportRun")
    for run in ImportRun.objects.filter(state__in=UNFINISHED).only("content", "file_kind"):
        try:
            table = files.as_table(bytes(run.content), run.file_kind)
        except files.FileRefused:
            table = b""  # refused at upload already; nothing to read
        ImportRun.objects.filter(pk=run.pk).update(table=table)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0015_first_touch_minutes"),
    ]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="table",
            field=models.BinaryField(
                default=bytes, help_text="the file's rows as read at upload (UTF-8 CSV)"
            ),
        ),
        migrations.RunPython(read_once, migrations.RunPython.noop),
    ]
