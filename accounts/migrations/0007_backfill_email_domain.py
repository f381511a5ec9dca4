from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Lower, StrIndex, Substr


def backfill(apps, schema_editor):
    model = apps.get_model("accounts", "Contact")
    # Set-based: the domain is everything after the "@", lower-cased.
    (model.objects.filter(email__contains="@", email_domain="")
     .update(email_domain=Lower(Substr(F("email"), StrIndex(F("email"), Value("@")) + 1))))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_person_email_domain")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
