"""ROUTE-1..5 through intake on the demo data of CONTRACT 4 (issue: routing, done-when list)."""

import json
import uuid

import pytest

from accounts.models import Contact
from gtm_portal.api.models import ApiToken
from gtm_portal.chatter.models import Comment, Notification
from gtm_portal.core.history import history_for
from leads.models import Lead, RoutingDecision

pytestmark = pytest.mark.django_db


@pytest.fixture
def submit(client, demo):
    _, key = ApiToken.issue(name="web", scope="intake")

    def send(form, email, **fields):
        body = {
            "submission_id": uuid.uuid4().hex,
            "form": form,
            "email": email,
            "last_name": "Buyer",
            "title": "Manager",
            **fields,
        }
        r = client.post(
            "/api/v1/intake/",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {key}",
        )
        assert r.status_code in (200, 201), r.content
        return r.json()

    return send


def notified(username):
    return list(
        Notification.objects.filter(recipient__username=username).values_list("reason", flat=True)
    )


def test_emea_trial_goes_to_sdr_emea1(submit):
    body = submit("trial_self_managed", "k@firma.example", country="Germany")
    assert body["owner"]["username"] == "sdr.emea1" and body["routing"]["rule"] == "ROUTE-2.12"
    assert "routed" in notified("sdr.emea1")


def test_globex_goes_to_the_bdr_assigned_with_recent_activity(submit):
    body = submit("contact_us", "new@globex.example", country="United States")
    assert body["routing"]["rule"] == "ROUTE-2.8"
    assert body["owner"]["username"] == "bdr.amer1"


def test_hooli_goes_on_to_the_sdr_side_and_tells_the_bdr_and_manager(submit):
    body = submit("trial_saas", "new@hooli.example", country="United States")
    assert body["routing"]["rule"] == "ROUTE-2.12"
    assert body["owner"]["username"] in {"sdr.amer1", "sdr.amer2", "sdr.apac1"}
    assert any("no sales activity" in line.lower() for line in body["routing"]["explanation"])
    assert notified("bdr.amer1") and notified("bdr.mgr")


def test_initech_restricted_goes_to_bdr_emea1(submit):
    body = submit("trial_self_managed", "new@initech.example", country="Germany")
    assert (body["routing"]["rule"], body["owner"]["username"]) == ("ROUTE-2.9", "bdr.emea1")


def test_umbrella_contact_us_becomes_a_contact_of_ae_amer1(submit):
    body = submit("contact_us", "new@umbrella.example", country="United States")
    assert body["routing"]["rule"] == "ROUTE-2.7"
    assert body["person"]["type"] == "contact"
    contact = Contact.objects.get(pk=body["person"]["id"])
    assert contact.account.name == "Umbrella Labs" and contact.owner.username == "ae.amer1"
    lead = Lead.objects.get(email="new@umbrella.example")
    assert lead.converted_contact == contact
    assert Comment.objects.filter(object_id=contact.account_id, kind="system").exists()
    assert "mentioned" in notified("ae.amer1")


def test_springfield_county_and_pubsec_words_go_to_sdr_pubsec1(submit):
    body = submit("trial_self_managed", "it@springfieldcounty.example", country="United States")
    assert (body["routing"]["rule"], body["owner"]["username"]) == ("ROUTE-2.6", "sdr.pubsec1")
    body = submit("contact_us", "a@dla.example", country="US", company="Defense Logistics Agency")
    assert (body["routing"]["rule"], body["owner"]["username"]) == ("ROUTE-2.6", "sdr.pubsec1")


def test_canadian_government_is_not_pubsec(submit):
    body = submit(
        "trial_self_managed", "it@toronto.example", country="Canada", company="City Of Toronto"
    )
    assert body["routing"]["rule"] == "ROUTE-2.12" and body["owner"]["username"] != "sdr.pubsec1"


def test_smb_contact_us_goes_to_the_smb_advocate(submit):
    body = submit(
        "contact_us", "boss@tiny.example", country="France", company="Tiny SARL", employees=20
    )
    assert (body["routing"]["rule"], body["owner"]["username"]) == ("ROUTE-2.11", "adv.smb1")


def test_web_chat_goes_to_the_chat_pool(submit):
    body = submit("web_chat", "chat@chatty.example", country="United States")
    assert (body["routing"]["rule"], body["owner"]["username"]) == ("ROUTE-2.12", "sdr.apac1")


def test_inquiries_wait_in_the_inquiry_queue(submit):
    body = submit("newsletter", "reader@firm.example", country="Germany", title="Developer")
    assert body["owner"] == {"username": None, "queue": "Inquiry Queue"}
    assert body["routing"]["rule"] == "ROUTE-2.4" and body["sla_due"] is None


def test_route_1_decision_is_stored_with_explanation_and_owner_change_in_history(
    submit, client, users
):
    body = submit("newsletter", "grow@firm.example", country="Germany", title="Director")
    lead = Lead.objects.get(pk=body["person"]["id"])
    submit("contact_us", "grow@firm.example", country="Germany")  # now an MQL: routed again
    decisions = list(RoutingDecision.objects.filter(lead=lead).order_by("decided_at"))
    assert [d.rule for d in decisions] == ["ROUTE-2.4", "ROUTE-2.11"]
    owner_rows = [h for h in history_for(lead) if h.field == "owner"]
    assert owner_rows[0].new_value == "Emma Emea" and "ROUTE-2.11" in owner_rows[0].reason
    client.force_login(users["sdr.emea1"])
    page = client.get(f"/leads/{lead.pk}/", {"tab": "routing"}).content.decode()
    assert "ROUTE-2.11" in page and "Step 11" in page


def test_route_4_sla_due_is_stamped_for_mqls_in_business_time(submit):
    body = submit("trial_self_managed", "sla@firma.example", country="Germany")
    lead = Lead.objects.get(pk=body["person"]["id"])
    assert lead.sla_due is not None and lead.sla_due > lead.created_at
