from django.db import migrations


def backfill(apps, schema_editor):
    from accounts.matching import normalize_company

    Account = apps.get_model("accounts", "Account")
    batch = []
    for account in Account.objects.filter(normalized_name="").only("id", "name").iterator(2000):
        account.normalized_name = normalize_company(account.name)
        batch.append(account)
        if len(batch) >= 2000:
            Account.objects.bulk_update(batch, ["normalized_name"])
            batch = []
    if batch:
        Account.objects.bulk_update(batch, ["normalized_name"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_account_normalized_name_contact_score_reset_at")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
