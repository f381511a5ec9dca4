"""Q-PERF: `core.sqlrows.ModelRows` reads rows of SQL written once into the objects the ORM
would give (the API token, intake's account match and routing's users use it)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account
from gtm_portal.api.models import ApiToken
from gtm_portal.core.sqlrows import ModelRows

pytestmark = pytest.mark.django_db


def values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


@pytest.mark.parametrize("model", [Account, ApiToken])
def test_rows_become_the_objects_the_orm_reads(refdata, model):
    """Every column converted as the ORM converts it — moments (aware, UTC), dates, decimals,
    JSON, booleans, NULLs — and the objects are saved ones (not adding), of this database."""
    if model is Account:
        Account.objects.create(
            name="Globex Corporation",
            domain="globex.example",
            employees=1200,
            total_carr=Decimal("1234567.89"),
        )
        Account.objects.create(name="Initech", domain="")
    else:
        ApiToken.issue(name="one", scope="intake")
        token, _key = ApiToken.issue(name="two", scope="read")
        ApiToken.objects.filter(pk=token.pk).update(
            last_used_at=timezone.now() - datetime.timedelta(hours=3)
        )
    rows = ModelRows.of(model)
    table = connection.ops.quote_name(model._meta.db_table)
    got = rows.fetch(f"SELECT {rows.columns()} FROM {table} ORDER BY 1", [])
    want = list(model.objects.order_by("pk"))
    assert len(got) == len(want) >= 2
    for mine, orm in zip(got, want, strict=True):
        assert values(mine) == values(orm)
        assert not mine._state.adding and mine._state.db == orm._state.db
    moments = [v for obj in got for v in values(obj).values() if isinstance(v, datetime.datetime)]
    assert moments and all(timezone.is_aware(m) for m in moments)


def test_one_reader_per_model_and_fields_and_no_query_to_build_one(refdata):
    with CaptureQueriesContext(connection) as q:
        reader = ModelRows.of(Account)
        assert ModelRows.of(Account) is reader
        narrow = ModelRows.of(Account, [Account._meta.pk, Account._meta.get_field("name")])
    assert narrow is not reader and narrow.columns("a") == '"a"."id", "a"."name"'
    assert q.captured_queries == []
    account = Account.objects.create(name="Acme")
    table = connection.ops.quote_name(Account._meta.db_table)
    [got] = narrow.fetch(f"SELECT {narrow.columns()} FROM {table} WHERE id = %s", [account.pk])
    assert (got.pk, got.name) == (account.pk, "Acme")
    assert narrow.fetch(f"SELECT {narrow.columns()} FROM {table} WHERE id = %s", [0]) == []
