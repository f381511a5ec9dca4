"""The lists' rows are written in Python (each app's `rows.py` columns, written by
gtm_portal.core.list_rows, SPEC Q-PERF): each column's header and cell are defined together, so
every row has one cell per header; every value is escaped (Q-SAFE) and read from the lists' own
narrowed queries with no query per row."""

import datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.rows import (
    ACCOUNT_LIST_COLUMNS,
    ACCOUNT_LIST_FIELDS,
    CONTACT_LIST_COLUMNS,
    CONTACT_LIST_FIELDS,
)
from accounts.selectors import account_list_for_user, contact_list_for_user
from gtm_portal.core.labels import select_labels
from gtm_portal.core.list_rows import Column, header_html, table_rows_html
from leads.rows import LIST_COLUMNS, LIST_FIELDS
from leads.selectors import lead_list_for_user
from opportunities.models import Opportunity
from opportunities.rows import OPPORTUNITY_COLUMNS
from opportunities.view_views import ROW_FIELDS

from .factories import (
    AccountFactory,
    ContactFactory,
    LeadFactory,
    OpportunityFactory,
    UserFactory,
    initial_source,
)

pytestmark = pytest.mark.django_db

HOSTILE = '<b>"O\'Hara" & Co</b>'
ESCAPED = "&lt;b&gt;&quot;O&#x27;Hara&quot; &amp; Co&lt;/b&gt;"


class _Table(HTMLParser):
    """The text of each cell, row by row (`th` and `td` alike)."""

    def __init__(self):
        super().__init__()
        self.rows, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def cells(html) -> list[list[str]]:
    table = _Table()
    table.feed(str(html))
    return table.rows


@pytest.fixture
def records():
    rep = UserFactory(first_name=HOSTILE, last_name="")
    account = AccountFactory(
        name=HOSTILE,
        domain="x.example",
        owner=rep,
        bdr_assigned=None,
        segment="Large",
        type="Customer",
    )
    AccountFactory(owner=None, bdr_assigned=rep)
    LeadFactory(
        first_name=HOSTILE,
        title=HOSTILE,
        company=HOSTILE,
        owner=rep,
        person_score=145,
        initial_source=initial_source(HOSTILE),
    )
    LeadFactory(owner=None, title="", company="")
    ContactFactory(account=account, first_name=HOSTILE, title="VP", owner=rep)
    ContactFactory(owner=None)
    OpportunityFactory(account=account, name=HOSTILE, iacv=Decimal("1234567.50"), sdr_bdr=rep)
    OpportunityFactory(iacv=Decimal("0"), close_date=datetime.date(2026, 1, 5))
    OpportunityFactory(iacv=Decimal("-0.4"))
    return rep


def _label(user):
    return user.label if user else "—"


LISTS = {
    "lead": (
        lead_list_for_user,
        LIST_FIELDS,
        LIST_COLUMNS,
        lambda r: [
            r.name,
            r.company,
            r.title,
            r.get_status_display(),
            str(r.person_score),
            _label(r.owner),
            str(r.initial_source or ""),
        ],
    ),
    "contact": (
        contact_list_for_user,
        CONTACT_LIST_FIELDS,
        CONTACT_LIST_COLUMNS,
        lambda r: [
            r.name,
            r.account.name,
            r.title,
            r.get_status_display(),
            str(r.person_score),
            _label(r.owner),
            str(r.initial_source or ""),
        ],
    ),
    "account": (
        account_list_for_user,
        ACCOUNT_LIST_FIELDS,
        ACCOUNT_LIST_COLUMNS,
        lambda r: [
            r.name,
            r.domain,
            r.segment,
            r.type,
            r.get_bdr_prospecting_status_display(),
            _label(r.owner),
            _label(r.bdr_assigned),
        ],
    ),
}


@pytest.mark.parametrize("kind", sorted(LISTS))
def test_record_list_rows_show_each_columns_value_escaped_without_a_query(records, kind):
    selector, fields, columns, expected = LISTS[kind]
    user = UserFactory(roles=["Marketing Ops"])
    rows = list(selector(user, fields=fields).order_by("-pk"))
    assert len(rows) >= 2
    with CaptureQueriesContext(connection) as queries:
        html = table_rows_html(columns, rows, empty="No records.")
    assert len(queries) == 0  # the narrowed query read every column a row shows
    assert "<b>" not in html and ESCAPED in html
    assert cells(html) == [[" ".join(v.split()) for v in expected(r)] for r in rows]
    assert cells(header_html(columns, sort="", query="")) == [[c.header for c in columns]]
    assert cells(table_rows_html(columns, [], empty="No records.")) == [["No records."]]


def test_headers_link_their_sort_and_the_other_way_once_sorted():
    columns = (
        Column("Name", lambda r, u: "", "name"),
        Column("Score", lambda r, u: "", "score", descending_first=True),
        Column("Select", lambda r, u: "", header_hidden=True),
        Column("Title", lambda r, u: ""),
    )
    unsorted = str(header_html(columns, sort="", query="size=50"))
    assert 'href="?size=50&amp;sort=name"' in unsorted
    assert 'href="?size=50&amp;sort=-score"' in unsorted  # largest first on the first click
    assert '<span class="visually-hidden">Select</span>' in unsorted
    by_name = str(header_html(columns, sort="name", query=""))
    assert 'href="?sort=-name"' in by_name and 'aria-sort="ascending"' in by_name
    by_score = str(header_html(columns, sort="-score", query=""))
    assert 'href="?sort=score"' in by_score and 'aria-sort="descending"' in by_score
    assert 'href="?sort=-score"' in str(header_html(columns, sort="score", query=""))


def test_opportunity_columns_escape_every_value_and_read_nothing_more(records):
    rows = list(
        select_labels(
            Opportunity.objects.all(), "account", "owner", "sdr_bdr", fields=ROW_FIELDS
        ).order_by("-pk")
    )
    with CaptureQueriesContext(connection) as queries:
        html = table_rows_html(OPPORTUNITY_COLUMNS, rows)
    assert len(queries) == 0
    assert "<b>" not in html and ESCAPED in html
    assert "1,234,568" in html and html.count("<tr>") == len(rows)
    assert all(len(row) == len(OPPORTUNITY_COLUMNS) for row in cells(html))


def test_list_pages_show_the_rows(client, records):
    client.force_login(UserFactory(roles=["Marketing Ops"]))
    for url in ("/leads/", "/contacts/", "/accounts/", "/opportunities/?size=10"):
        page = client.get(url).content.decode()
        assert ESCAPED in page, url
