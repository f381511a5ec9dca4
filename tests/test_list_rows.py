"""The record lists' rows are written in Python (gtm_portal.core.list_rows, SPEC Q-PERF); they
must be exactly what the row templates wrote — the templates are kept here as the reference —
escaping included (Q-SAFE), read from the lists' own narrowed queries with no query per row."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from accounts.selectors import account_list_for_user, contact_list_for_user
from gtm_portal.core.list_rows import FIELDS, list_rows_html
from leads.selectors import lead_list_for_user

from .factories import (
    AccountFactory,
    ContactFactory,
    LeadFactory,
    OpportunityFactory,
    UserFactory,
    initial_source,
)

pytestmark = pytest.mark.django_db

EMPTY = (
    '{% empty %}\n<tr><td colspan="{{ columns|length }}" class="text-muted">No records.'
    "</td></tr>{% endfor %}"
)
TEMPLATES = {
    "lead": '{% for r in page.rows %}<tr><td><a href="{{ r.get_absolute_url }}">{{ r.name }}</a></td><td>{{ r.company }}</td><td>{{ r.title }}</td><td><span class="badge text-bg-secondary">{{ r.get_status_display }}</span></td><td>{{ r.person_score }}</td><td>{{ r.owner.label|default:"—" }}</td><td>{{ r.initial_source }}</td></tr>',  # noqa: E501
    "contact": '{% for r in page.rows %}<tr><td><a href="{{ r.get_absolute_url }}">{{ r.name }}</a></td><td><a href="{% url \'accounts:detail\' r.account_id %}">{{ r.account }}</a></td><td>{{ r.title }}</td><td><span class="badge text-bg-secondary">{{ r.get_status_display }}</span></td><td>{{ r.person_score }}</td><td>{{ r.owner.label|default:"—" }}</td><td>{{ r.initial_source }}</td></tr>',  # noqa: E501
    "account": '{% for r in page.rows %}<tr><td><a href="{{ r.get_absolute_url }}">{{ r.name }}</a></td><td>{{ r.domain }}</td><td>{{ r.segment }}</td><td>{{ r.type }}</td><td>{{ r.get_bdr_prospecting_status_display }}</td><td>{{ r.owner.label|default:"—" }}</td><td>{{ r.bdr_assigned.label|default:"—" }}</td></tr>',  # noqa: E501
}
HOSTILE = '<b>"O\'Hara" & Co</b>'
COLUMNS = tuple("abcdefg")


def reference(kind, rows):
    return Template(TEMPLATES[kind] + EMPTY).render(
        Context({"page": {"rows": rows}, "columns": COLUMNS})
    )


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


@pytest.mark.parametrize(
    ("kind", "selector"),
    [
        ("lead", lead_list_for_user),
        ("contact", contact_list_for_user),
        ("account", account_list_for_user),
    ],
)
def test_list_rows_write_what_the_row_templates_wrote(records, kind, selector):
    user = UserFactory(roles=["Marketing Ops"])
    rows = list(selector(user, fields=FIELDS[kind]).order_by("-pk"))
    assert len(rows) >= 2
    with CaptureQueriesContext(connection) as queries:
        html = list_rows_html(kind, rows, COLUMNS)
    assert html == reference(kind, rows)
    assert len(queries) == 0  # the narrowed query read every column a row shows
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert list_rows_html(kind, [], COLUMNS) == reference(kind, [])


def test_opportunity_columns_escape_every_value_and_read_nothing_more(records):
    from gtm_portal.core.labels import select_labels
    from gtm_portal.core.list_rows import OPPORTUNITY_COLUMNS, table_rows_html
    from opportunities.models import Opportunity
    from opportunities.view_views import ROW_FIELDS

    rows = list(
        select_labels(
            Opportunity.objects.all(), "account", "owner", "sdr_bdr", fields=ROW_FIELDS
        ).order_by("-pk")
    )
    with CaptureQueriesContext(connection) as queries:
        html = table_rows_html(OPPORTUNITY_COLUMNS, rows)
    assert len(queries) == 0
    assert "<b>" not in html and "&lt;b&gt;&quot;O&#x27;Hara&quot; &amp; Co&lt;/b&gt;" in html
    assert "1,234,568" in html and html.count("<tr>") == len(rows)


def test_list_pages_show_the_rows(client, records):
    client.force_login(UserFactory(roles=["Marketing Ops"]))
    for url in ("/leads/", "/contacts/", "/accounts/", "/opportunities/?size=10"):
        page = client.get(url).content.decode()
        assert "&lt;b&gt;&quot;O&#x27;Hara&quot; &amp; Co&lt;/b&gt;" in page, url
