"""Q-IDEM / INTAKE-2 / ORDER-1: the same key with a different body is refused (409) naming
the first submission, nothing written; the same body keeps answering the stored answer."""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Account, Contact
from gtm_portal.activity.models import Activity
from gtm_portal.api.models import ApiToken
from leads.imports import commit as import_commit
from leads.imports import rows
from leads.models import ImportRun, IntakeSubmission, Lead, RoutingDecision, ScoreEvent
from opportunities.models import Opportunity, WebOrder

from . import import_files
from .factories import LeadFactory

pytestmark = pytest.mark.django_db


def _post(client, url, key, body):
    return client.post(
        url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )


def intake_state():
    return [
        m.objects.count()
        for m in (Lead, Contact, Activity, ScoreEvent, RoutingDecision, IntakeSubmission)
    ]


def test_intake_2_same_submission_id_different_body_is_409_naming_the_first(client, demo):
    key = ApiToken.issue(name="web", scope="intake")[1]
    body = {
        "submission_id": "sub-409",
        "form": "contact_us",
        "email": "first@firm.example",
        "last_name": "First",
    }
    first = _post(client, "/api/v1/intake/", key, body)
    assert first.status_code == 201
    stored = IntakeSubmission.objects.get(submission_id="sub-409")
    before = intake_state()
    changed = _post(client, "/api/v1/intake/", key, {**body, "email": "second@firm.example"})
    assert changed.status_code == 409
    answer = changed.json()
    assert answer["first_submission"] == {
        "submission_id": "sub-409",
        "received_at": stored.received_at.isoformat(),
    }
    (message,) = answer["errors"]["submission_id"]
    assert "sub-409" in message and stored.received_at.isoformat() in message
    assert intake_state() == before
    assert not Lead.objects.filter(email="second@firm.example").exists()
    again = _post(client, "/api/v1/intake/", key, body)
    assert again.status_code == 200 and again.json() == first.json()
    assert intake_state() == before


def test_intake_2_changed_body_on_a_blocked_domain_replay_is_409_too(client, demo):
    from django.core.cache import cache

    from gtm_portal.refdata.models import WordListEntry

    key = ApiToken.issue(name="web", scope="intake")[1]
    body = {
        "submission_id": "sub-b",
        "form": "newsletter",
        "email": "a@ok.example",
        "last_name": "A",
    }
    assert _post(client, "/api/v1/intake/", key, body).status_code == 201
    WordListEntry.objects.create(list="blocked_domain", value="spam.example")
    cache.clear()
    before = intake_state()
    r = _post(client, "/api/v1/intake/", key, {**body, "email": "a@spam.example"})
    assert r.status_code == 409 and r.json()["first_submission"]["submission_id"] == "sub-b"
    assert intake_state() == before


def order_state():
    return [m.objects.count() for m in (Account, Contact, Opportunity, WebOrder)]


def test_order_1_same_invoice_different_body_is_409_naming_the_first(client, demo):
    key = ApiToken.issue(name="shop", scope="orders")[1]
    body = {
        "invoice_number": f"INV-{uuid.uuid4().hex[:6]}",
        "subscription_id": "sub-1",
        "company": "Newco Ltd",
        "website": "https://www.newco.example",
        "last_name": "Buyer",
        "email": "nia@newco.example",
        "amount": "1450.00",
        "order_date": "2026-11-01",
    }
    first = _post(client, "/api/v1/orders/", key, body)
    assert first.status_code == 201
    stored = WebOrder.objects.get(invoice_number=body["invoice_number"])
    before = order_state()
    changed = _post(client, "/api/v1/orders/", key, {**body, "amount": "9999.00"})
    assert changed.status_code == 409
    assert changed.json()["first_submission"] == {
        "invoice_number": body["invoice_number"],
        "received_at": stored.received_at.isoformat(),
    }
    assert body["invoice_number"] in changed.json()["errors"]["invoice_number"][0]
    assert order_state() == before
    assert str(Opportunity.objects.get(pk=first.json()["opportunity_id"]).amount) == "1450.00"
    again = _post(client, "/api/v1/orders/", key, body)
    assert again.status_code == 200 and again.json() == first.json()
    assert order_state() == before


# Both modes read the file once (checking and writing in one pass, #18): the person appears
# while that pass runs, before its batch is matched.
@pytest.mark.parametrize("mode, pass_number", [("all", 1), ("skip_invalid", 1)])
def test_intake_3_a_person_created_while_an_import_commits_is_updated_not_duplicated(
    users, monkeypatch, mode, pass_number, django_capture_on_commit_callbacks
):
    """The import matched its batch before its write transaction began; a person created in
    between (an intake, an order) is found again under the e-mail lock and updated."""
    client = Client()
    client.force_login(users["mops"])
    r = client.post("/imports/", {"file": SimpleUploadedFile("l.csv", import_files.csv_rows(3))})
    run = ImportRun.objects.get(pk=int(r["Location"].rstrip("/").rsplit("/", 1)[1]))
    original = rows.plans
    passes = []

    def plans_then_a_concurrent_intake(*args, **kwargs):
        passes.append(1)
        for batch in original(*args, **kwargs):
            if len(passes) == pass_number:
                LeadFactory(email="ADA1@imp.example")
            yield batch

    monkeypatch.setattr(import_commit.rows, "plans", plans_then_a_concurrent_intake)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{run.pk}/commit/", {"mode": mode})
    assert Lead.objects.filter(email__iexact="ada1@imp.example").count() == 1
    assert Lead.objects.filter(email__endswith="@imp.example").count() == 3
    run.refresh_from_db()
    assert (run.created, run.updated) == (2, 1)
