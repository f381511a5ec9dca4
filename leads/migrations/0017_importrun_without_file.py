"""IMPORT-2: an import keeps the rows it read at upload (0016), not the file: nothing reads
the file again, and it was a second copy of the people in every list."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0016_import_table"),
    ]

    operations = [
        migrations.RemoveField(model_name="importrun", name="content"),
    ]
