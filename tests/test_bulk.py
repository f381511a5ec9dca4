"""Q-PERF set-based writes (`core.bulk`): plain tuples in, the rows the ORM would write out,
in one statement per call (PostgreSQL: one JSON document), refusing values it cannot send."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gtm_portal.core.bulk import insert_values, update_values
from leads.models import Lead, ScoreEvent
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
    assert len(inserts) == 1
    stored = list(
        ScoreEvent.objects.filter(lead=lead)
        .order_by("pk")
        .values_list("lead_id", "rule_name", "kind", "points", "score_after", "created_at")
    )
    assert stored == [(lead.pk, f"rule {i}", "demographic", i, i * 2, at) for i in (5, 10, 15)]
    assert insert_values(ScoreEvent, EVENT, []) == 0


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
