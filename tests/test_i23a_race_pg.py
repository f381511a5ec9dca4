"""INTAKE-3 / Q-IDEM on PostgreSQL: concurrent submissions for one new e-mail create one
person (the others join it), through intake and orders. SQLite serialises writers, so this
runs on PostgreSQL (CI does both)."""

import threading
import uuid

import pytest
from django.db import connection, connections

from accounts.models import Contact
from gtm_portal.api.serializers import IntakeSerializer, OrderSerializer
from leads.models import IntakeSubmission, Lead, RoutingDecision
from leads.services import intake
from leads.services.orders import submit_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL concurrency; CI runs this file on PostgreSQL")


def _all_at_once(calls) -> tuple[list, list]:
    answers, errors = [], []
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            answers.append(call())
        except Exception as exc:  # collected and asserted
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers, errors


def _valid(serializer_class, body):
    serializer = serializer_class(data=body)
    assert serializer.is_valid(), serializer.errors
    return serializer.validated_data


def test_intake_3_twenty_concurrent_submissions_for_a_new_e_mail_make_one_lead(demo):
    bodies = [
        _valid(
            IntakeSerializer,
            {
                "submission_id": uuid.uuid4().hex,
                "form": "newsletter",
                "email": "Race@Firm.example" if i % 2 else "race@firm.EXAMPLE",
                "last_name": "Racer",
                "country": "Germany",
            },
        )
        for i in range(THREADS)
    ]
    answers, errors = _all_at_once([lambda b=b: intake.submit(b, token_name="web") for b in bodies])
    assert errors == []
    lead = Lead.objects.get(email__iexact="race@firm.example")
    assert sorted(a.status for a in answers) == [200] * (THREADS - 1) + [201]
    assert {a.body["person"]["id"] for a in answers} == {lead.pk}
    # routed once as a new lead (repeats may score it to MQL: that routing is LEAD-STATUS's)
    assert RoutingDecision.objects.filter(lead=lead, trigger="created").count() == 1
    assert IntakeSubmission.objects.filter(lead=lead).count() == THREADS


def test_order_2_concurrent_orders_from_a_new_buyer_make_one_contact(demo):
    bodies = [
        _valid(
            OrderSerializer,
            {
                "invoice_number": f"INV-R{i}",
                "subscription_id": f"sub-{i}",
                "company": "Racing Ltd",
                "website": "https://racing.example",
                "last_name": "Buyer",
                "email": "buyer@racing.example",
                "amount": "10.00",
                "order_date": "2026-11-01",
            },
        )
        for i in range(8)
    ]
    answers, errors = _all_at_once([lambda b=b: submit_order(b) for b in bodies])
    assert errors == []
    assert [code for code, _ in answers] == [201] * 8
    assert Contact.objects.filter(email__iexact="buyer@racing.example").count() == 1
