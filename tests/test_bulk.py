"""Q-PERF set-based writes (`core.bulk`): plain tuples in, the rows the ORM would write out,
in one statement per call (PostgreSQL: one COPY for new rows, one JSON document for
changes), refusing values it cannot send."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gtm_portal.core.bulk import insert_values, update_values
from leads.models import Lead, RoutingDecision, ScoreEvent
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

EVENT = ["lead_id", "rule_name", "kind", "points", "score_after", "created_at"]


def test_insert_values_writes_the_rows_the_orm_would(refdata):
    lead = LeadFactory()
    at = timezone.now().replace(microsecond=123456)
    rows = [(lead.pk, f"rule {i}", "demographic", i, i * 2, at) for i in (5, 10, 15)]
    with CaptureQueriesContext(connection) as q:
        assert insert_values(ScoreEvent, EVENT, rows) == 3
    inserts = [s for s in q.captured_queries if s["sql"].startswith("INSERT")]
    # PostgreSQL: one COPY, which Django's query log does not see; elsewhere one INSERT
    assert len(inserts) == (0 if connection.vendor == "postgresql" else 1)
    stored = list(
        ScoreEvent.objects.filter(lead=lead)
        .order_by("pk")
        .values_list("lead_id", "rule_name", "kind", "points", "score_after", "created_at")
    )
    assert stored == [(lead.pk, f"rule {i}", "demographic", i, i * 2, at) for i in (5, 10, 15)]
    assert insert_values(ScoreEvent, EVENT, []) == 0


def test_insert_values_keeps_awkward_text_json_and_nulls_as_they_are(refdata):
    """COPY's text format escapes tabs, newlines and backslashes; JSON goes in as JSON."""
    lead = LeadFactory()
    at = timezone.now()
    odd = 'tab\there\nnew line \\N back\\slash, quote " and ‘unicode’ \\.'
    insert_values(
        RoutingDecision,
        [
            "lead",
            "rule",
            "owner",
            "explanation",
            "notifications",
            "trigger",
            "sla_due",
            "decided_at",
        ],
        [
            (lead.pk, "ROUTE-1", None, [odd, {"n": 1, "nested": [None, True]}], [], odd, None, at),
            (lead.pk, "ROUTE-2", lead.owner_id, [], [odd], "", at, at),
        ],
    )
    first, second = RoutingDecision.objects.filter(lead=lead).order_by("rule")
    assert (first.trigger, first.owner_id, first.sla_due) == (odd, None, None)
    assert first.explanation == [odd, {"n": 1, "nested": [None, True]}]
    assert (second.explanation, second.notifications) == ([], [odd])
    assert (second.trigger, second.owner_id) == ("", lead.owner_id)
    assert second.sla_due == at == second.decided_at


def test_update_values_touch_gives_every_row_a_new_version(refdata):
    """Q-CONC: a job's set-based write makes an open form stale."""
    a, b = LeadFactory(title="A"), LeadFactory(title="B")
    update_values(
        Lead,
        ["title", "mql_date"],
        [(a.pk, "A2", None), (b.pk, "B2", datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC))],
        touch=True,
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.title, a.version, b.title, b.version) == ("A2", 2, "B2", 2)
    assert b.mql_date == datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC)
