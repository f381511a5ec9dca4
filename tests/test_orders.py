"""ORDER-1/2 and CONTRACT 6.2: web-direct orders, idempotent by invoice number."""

import json
import uuid

import pytest

from accounts.models import Account, Contact
from gtm_portal.activity.models import Task
from gtm_portal.api.models import ApiToken
from leads.models import Lead
from opportunities.models import Opportunity, WebOrder

from .factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(client, demo):
    _, key = ApiToken.issue(name="shop", scope="orders")

    def send(key_override=None, **fields):
        body = {
            "invoice_number": f"INV-{uuid.uuid4().hex[:8]}",
            "subscription_id": "sub-1",
            "company": "Newco Ltd",
            "website": "https://www.newco.example",
            "first_name": "Nia",
            "last_name": "Buyer",
            "email": "nia@newco.example",
            "plan": "Premium",
            "seats": 5,
            "amount": "1450.00",
            "order_date": "2026-11-01",
            **fields,
        }
        return client.post(
            "/api/v1/orders/",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {key_override or key}",
        )

    return send


def state():
    return (
        Account.objects.count(),
        Contact.objects.count(),
        Opportunity.objects.count(),
        WebOrder.objects.count(),
    )


def test_order_2_new_company_creates_customer_account_contact_and_won_opportunity(order):
    r = order()
    assert r.status_code == 201
    body = r.json()
    assert body["created_account"] is True and body["possible_duplicate_of"] is None
    account = Account.objects.get(pk=body["account_id"])
    assert account.type == "Customer" and account.owner.display_name == "Sales Admin"
    opp = Opportunity.objects.get(pk=body["opportunity_id"])
    assert (opp.stage, opp.order_type, opp.po_expected) == ("7-Closed Won", "Web Direct", False)
    assert str(opp.iacv) == "1450.00" and str(opp.close_date) == "2026-11-01"
    assert opp.closed_won_details.startswith("Web direct order INV-")
    role = opp.contact_roles.get()
    assert role.is_primary and role.is_bill_to and role.is_sold_to
    assert role.contact_id == body["contact_id"]


def test_order_1_repeated_invoice_answers_the_first_answer_and_writes_nothing(order):
    first = order(invoice_number="INV-ONE")
    before = state()
    again = order(invoice_number="INV-ONE")
    assert again.status_code == 200 and again.json() == first.json()
    assert state() == before


def test_order_2_existing_account_gets_the_opportunity_flagged_and_a_task(order):
    r = order(
        company="Globex Corporation", website="globex.example", email="hank.scorpio@globex.example"
    )
    body = r.json()
    globex = Account.objects.get(name="Globex Corporation")
    assert body["account_id"] == globex.pk and body["created_account"] is False
    assert body["contact_id"] == Contact.objects.get(email="hank.scorpio@globex.example").pk
    assert (
        body["possible_duplicate_of"]
        == Opportunity.objects.get(name="Globex - Platform Expansion").pk
    )
    opp = Opportunity.objects.get(pk=body["opportunity_id"])
    assert opp.owner.username == "ae.amer1"
    assert Task.objects.filter(opportunity=opp, owner__username="ae.amer1").exists()


def test_order_2_matching_open_lead_becomes_web_portal_purchase_and_converts(order):
    lead = LeadFactory(email="buyer@umbrella.example", status="MQL")
    r = order(company="Umbrella Labs", website="umbrella.example", email="buyer@umbrella.example")
    lead.refresh_from_db()
    assert (
        lead.status == "Web Portal Purchase" and lead.converted_contact_id == r.json()["contact_id"]
    )


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"email": "nope"}, "email"),
        ({"amount": "lots"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"order_date": "soon"}, "order_date"),
        ({"invoice_number": ""}, "invoice_number"),
        ({"company": ""}, "company"),
        ({"seats": 0}, "seats"),
    ],
)
def test_bad_orders_400_and_nothing_written(order, fields, field):
    before = state()
    r = order(**fields)
    assert r.status_code == 400 and field in r.json()["errors"]
    assert state() == before


def test_orders_token_scope_enforced(order):
    _, intake_key = ApiToken.issue(name="forms", scope="intake")
    before = state()
    assert order(key_override=intake_key).status_code == 403
    assert order(key_override="wrong").status_code == 401
    assert state() == before
    assert not Lead.objects.filter(email="nia@newco.example").exists()


def test_read_api_accounts_and_opportunities(client, users, order):
    body = order().json()
    client.force_login(users["sdr.emea1"])
    account = client.get(f"/api/v1/accounts/{body['account_id']}/").json()
    assert {
        "id",
        "name",
        "owner",
        "domain",
        "segment",
        "bdr_assigned",
        "bdr_prospecting_status",
    } <= set(account)
    assert account["owner"] == "Sales Admin" and account["domain"] == "newco.example"
    opp = client.get(f"/api/v1/opportunities/{body['opportunity_id']}/").json()
    assert {
        "id",
        "name",
        "owner",
        "account",
        "stage",
        "order_type",
        "iacv",
        "initial_iacv",
        "sdr_bdr",
        "sales_accepted_date",
        "sales_qualified",
        "sales_qualified_date",
    } <= set(opp)
    assert (opp["account"], opp["order_type"], opp["sdr_bdr"]) == (
        body["account_id"],
        "Web Direct",
        None,
    )
    assert client.get("/api/v1/opportunities/999999/").status_code == 404
    client.logout()
    assert client.get(f"/api/v1/accounts/{body['account_id']}/").status_code in (401, 403)


def test_order_2_thank_you_task_goes_to_the_account_ae(order, users):
    from gtm_portal.chatter.models import Notification

    r = order(
        company="Globex Corporation", website="globex.example", email="hank.scorpio@globex.example"
    )
    opp = Opportunity.objects.get(pk=r.json()["opportunity_id"])
    task = Task.objects.get(opportunity=opp)
    assert task.owner == users["ae.amer1"] and task.subject.startswith("Thank ")
    # the possible-duplicate flag notifies the owner, naming the open opportunity
    note = Notification.objects.get(recipient=users["ae.amer1"], object_id=opp.pk)
    assert "possible duplicate of Globex - Platform Expansion" in note.message


def test_order_2_new_account_thank_you_task_is_the_sales_admin_queues(order, users):
    from gtm_portal.chatter.models import Notification
    from gtm_portal.users.models import User

    queue = User.objects.queue("Sales Admin")
    members = list(queue.queue_members.all())
    assert members, "the demo Sales Admin queue has members"
    r = order()
    opp = Opportunity.objects.get(pk=r.json()["opportunity_id"])
    task = Task.objects.get(opportunity=opp)
    assert task.owner == queue and task.subject.startswith("Thank Nia Buyer")
    told = set(
        Notification.objects.filter(object_id=opp.pk, message__contains="task").values_list(
            "recipient", flat=True
        )
    )
    assert told == {m.pk for m in members}


def test_order_2_the_converted_lead_records_its_opportunity(order):
    lead = LeadFactory(email="buyer2@umbrella.example", status="MQL")
    r = order(company="Umbrella Labs", website="umbrella.example", email="buyer2@umbrella.example")
    lead.refresh_from_db()
    assert lead.converted_opportunity_id == r.json()["opportunity_id"]
    assert lead.converted_at is not None
