"""SPEC Q-PERF "≤ raw SQL + 25 ms": on PostgreSQL the bench's raw SQL of a page is the page's
own SELECT statements as one statement (devtools.bench.measure.page_sql). It must fetch exactly the
rows the page's statements fetch, each statement's rows in its own column, in order."""

import pytest
from django.db import connection

from gtm_portal.devtools.bench.measure import Bench, Operation, page_sql

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("json_agg and bound statements are PostgreSQL's; CI runs this on PostgreSQL")


def rows_of(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def test_page_sql_returns_each_statements_rows_in_one_statement():
    selects = [
        "SELECT g AS n, 'a%' AS s FROM generate_series(1, 3) g ORDER BY g DESC",
        "SELECT 1 AS n WHERE false",
        "(SELECT 7 AS n) UNION ALL (SELECT 8 AS n)",
    ]
    [row] = rows_of(page_sql(selects))
    assert row[0] == [{"n": 3, "s": "a%"}, {"n": 2, "s": "a%"}, {"n": 1, "s": "a%"}]
    assert row[1] == []  # no rows: an empty array, not NULL
    assert row[2] == [{"n": 7}, {"n": 8}]


def test_the_bench_replays_the_pages_own_selects(demo):
    from accounts.models import Account

    bench = Bench(n=2, warmup=0)
    account = Account.objects.get(name="Globex Corporation")
    op = bench.page("account detail", [f"/accounts/{account.pk}/"], "bdr.amer1")
    selects = bench._selects_of(op, 0)
    assert selects and all(s.lstrip("( ").upper().startswith("SELECT") for s in selects)
    assert any('"accounts_account"' in s and f"= {account.pk}" in s for s in selects)
    [row] = rows_of(page_sql(selects))
    assert len(row) == len(selects)
    assert [len(rows_of(s)) for s in selects] == [len(col) for col in row]
    raw = Bench(n=3, warmup=0)._raw_sql_times(
        Operation(name="x", call=op.call, raw_sql=lambda i: ("SELECT 1", []))
    )
    assert len(raw) == 3 and min(raw) > 0
