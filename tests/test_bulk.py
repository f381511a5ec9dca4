"""Q-PERF set-based writes (`core.bulk.bulk_insert_rows`): the rows the ORM would write,
primary keys set, links to objects saved after they were assigned resolved; one statement
per call, its SQL worked out once per connection and model."""
import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gtm_portal.core.bulk import bulk_insert_rows
from leads.models import Lead, ScoreEvent

pytestmark = pytest.mark.django_db


def new_lead(n: int) -> Lead:
    from gtm_portal.refdata.models import InitialSource

    lead = Lead(email=f"bulk{n}@firm.example", last_name=f"Bulk {n}", status="Raw",
                initial_source=InitialSource.objects.get(name="Web"))
    lead.derive()
    return lead


def test_one_and_many_rows_go_in_as_the_orm_writes_them(refdata):
    lead = new_lead(1)
    # Built while the lead has no key yet (as scoring builds a new lead's events).
    events = [ScoreEvent(lead=lead, rule_name=f"rule {i}", kind="demographic", points=i,
                         score_after=i, created_at=timezone.now()) for i in (5, 10, 15)]
    with CaptureQueriesContext(connection) as q:
        assert bulk_insert_rows([lead]) == [lead]
        bulk_insert_rows(events)
    assert len([s for s in q.captured_queries if s["sql"].startswith("INSERT")]) == 2
    assert lead.pk is not None and not lead._state.adding
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.email, stored.email_domain, stored.status) == (
        "bulk1@firm.example", "firm.example", "Raw")
    assert stored.created_at is not None and stored.created_at == lead.created_at
    assert [e.pk for e in events] == sorted(e.pk for e in events)
    assert list(ScoreEvent.objects.filter(lead=lead).order_by("pk").values_list(
        "lead_id", "rule_name", "points")) == [(lead.pk, f"rule {i}", i) for i in (5, 10, 15)]


def test_a_link_to_an_unsaved_object_is_refused_and_nothing_is_written(refdata):
    lead = new_lead(2)
    event = ScoreEvent(lead=lead, rule_name="r", kind="demographic", points=1, score_after=1,
                       created_at=timezone.now())
    before = ScoreEvent.objects.count()
    with pytest.raises(ValueError, match="unsaved related object"):
        bulk_insert_rows([event])
    assert ScoreEvent.objects.count() == before and event.pk is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite takes bulk_create")
def test_the_statement_is_worked_out_once_per_connection_and_model(refdata):
    bulk_insert_rows([new_lead(3)])
    plans = connections["default"].__dict__["_bulk_insert_plans"]
    plan = plans[(Lead, False)]
    bulk_insert_rows([new_lead(4), new_lead(5)])
    assert plans[(Lead, False)] is plan
    assert Lead.objects.filter(email__startswith="bulk").count() == 3
