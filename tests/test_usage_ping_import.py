"""ACCT-CE: `manage.py import_usage_ping FILE` creates accounts from usage-ping rows (source
CE Download, type Prospect - CE User, owner Sales Admin, using CE) and updates known domains;
a file with bad rows names each one and writes nothing."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Account
from gtm_portal.core.models import FieldChange

from .factories import AccountFactory

DATA = Path(__file__).parent / "data" / "usage_ping"


def _run(name: str) -> str:
    out = StringIO()
    call_command("import_usage_ping", str(DATA / name), stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_acct_ce_import_creates_and_updates_accounts(refdata):
    known = AccountFactory(name="Vandelay Industries", domain="vandelay.example", type="Prospect")
    assert "created 2, updated 1" in _run("good.csv")
    kramerica = Account.objects.get(domain="kramerica.example")
    assert (kramerica.type, kramerica.account_source.name) == ("Prospect - CE User", "CE Download")
    assert kramerica.owner.is_queue and kramerica.owner.display_name == "Sales Admin"
    assert kramerica.using_ce and kramerica.active_ce_users == 7 and kramerica.ce_instances == 1
    assert kramerica.segment == "Mid-Market"
    pendant = Account.objects.get(domain="pendant.example")
    assert pendant.segment == "Large" and pendant.name == "Pendant Publishing"
    known.refresh_from_db()
    assert known.using_ce and known.active_ce_users == 12 and known.type == "Prospect"
    assert FieldChange.objects.filter(object_id=known.pk, field="using_ce").exists()
    # Run again: nothing new, the same three accounts updated.
    assert "created 0, updated 3" in _run("good.csv")
    assert Account.objects.count() == 3


@pytest.mark.django_db
def test_acct_ce_bad_rows_are_reported_and_nothing_is_written(refdata, tmp_path):
    err = StringIO()
    with pytest.raises(CommandError, match="3 bad row"):
        call_command("import_usage_ping", str(DATA / "bad.csv"), stdout=StringIO(), stderr=err)
    report = err.getvalue()
    assert "line 3" in report and "name is empty" in report
    assert "line 4" in report and "not a domain" in report
    assert "line 5" in report and "whole number" in report
    assert "line 2" not in report
    assert not Account.objects.exists()  # not even the good row
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_usage_ping", str(tmp_path / "missing.csv"))
    headerless = tmp_path / "x.csv"
    headerless.write_text("foo,bar\n1,2\n")
    with pytest.raises(CommandError):
        call_command("import_usage_ping", str(headerless), stderr=StringIO())
    assert not Account.objects.exists()
