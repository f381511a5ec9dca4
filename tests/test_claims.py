"""ACCT-CLAIM 1, 4, 5 and CONTACT-OWNER on claim (the claim endpoint of CONTRACT 6)."""

import pytest

from accounts.models import Account, Contact
from gtm_portal.chatter.models import Notification
from gtm_portal.core.history import history_for
from gtm_portal.users.models import User
from leads.models import Lead

from .factories import ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_claiming_an_adoptable_account_makes_me_owner_and_tells_account_research(client, users):
    vandelay = Account.objects.get(name="Vandelay Industries")  # owner: Sales Admin queue
    people = Contact.objects.filter(account=vandelay)
    client.force_login(users["sdr.apac1"])
    r = client.post(f"/accounts/{vandelay.pk}/claim/")
    assert r.status_code == 302
    vandelay.refresh_from_db()
    assert vandelay.owner == users["sdr.apac1"]
    (row,) = [h for h in history_for(vandelay) if h.field == "owner"]
    assert row.old_value == "Sales Admin" and "ACCT-CLAIM 1" in row.reason
    assert Notification.objects.filter(recipient__username="research").exists()
    assert set(people.values_list("owner__username", flat=True)) == {"sdr.apac1"}  # CONTACT-OWNER


def test_claiming_an_owned_account_is_409_already_claimed_and_changes_nothing(client, users):
    globex = Account.objects.get(name="Globex Corporation")
    client.force_login(users["sdr.amer2"])
    r = client.post(f"/accounts/{globex.pk}/claim/")
    assert r.status_code == 409 and "already claimed by ae.amer1" in r.content.decode()
    globex.refresh_from_db()
    assert globex.owner.username == "ae.amer1" and globex.version == 1


def test_inquiry_queue_leads_are_adoptable_other_queues_are_not(client, users):
    inquiry = LeadFactory(owner=User.objects.queue("Inquiry Queue"))
    community = LeadFactory(owner=User.objects.queue("Community Advocate Queue"))
    nobody = ContactFactory(owner=None)
    client.force_login(users["sdr.emea1"])
    assert client.post(f"/leads/{inquiry.pk}/claim/").status_code == 302
    assert Lead.objects.get(pk=inquiry.pk).owner == users["sdr.emea1"]
    r = client.post(f"/leads/{community.pk}/claim/")
    assert r.status_code == 409 and "not adoptable" in r.content.decode()
    assert Lead.objects.get(pk=community.pk).owner.display_name == "Community Advocate Queue"
    assert client.post(f"/contacts/{nobody.pk}/claim/").status_code == 302


def test_only_reps_and_aes_claim(client, users):
    lead = LeadFactory(owner=User.objects.queue("Inquiry Queue"))
    for name in ("exec", "mops"):
        client.force_login(users[name])
        assert client.post(f"/leads/{lead.pk}/claim/").status_code == 403
    assert Lead.objects.get(pk=lead.pk).owner.is_queue


def test_claim_button_shows_only_where_it_can_work(client, users):
    lead = LeadFactory(owner=User.objects.queue("Inquiry Queue"))
    client.force_login(users["sdr.emea1"])
    assert "Claim</button>" in client.get(f"/leads/{lead.pk}/").content.decode()
    globex = Account.objects.get(name="Globex Corporation")
    assert "Claim</button>" not in client.get(f"/accounts/{globex.pk}/").content.decode()


def _lead_of(users, name="sdr.amer2"):
    return LeadFactory(owner=users[name], status="MQL")


def test_acct_claim_2_request_then_the_owner_approves(client, users):
    from accounts.models import TransferRequest
    from gtm_portal.chatter.models import Comment

    lead = _lead_of(users)
    client.force_login(users["sdr.amer1"])
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Request transfer" in page
    client.post(f"/leads/{lead.pk}/transfer/", {"reason": "I called them yesterday"})
    request = TransferRequest.objects.get()
    assert Comment.objects.get(topic="transfer").body.startswith("@sdr.amer2")
    assert Notification.objects.filter(recipient=users["sdr.amer2"], reason="decide").exists()
    client.force_login(users["sdr.amer2"])
    assert "Transfer requests to decide" in client.get("/").content.decode()
    client.post(f"/transfers/{request.pk}/decide/", {"decision": "approve"})
    lead.refresh_from_db()
    assert lead.owner == users["sdr.amer1"]
    (row,) = [h for h in history_for(lead) if h.field == "owner"]
    assert "transfer approved" in row.reason and row.changed_by == users["sdr.amer2"]
    assert Notification.objects.filter(recipient=users["sdr.amer1"], reason="decided").exists()


def test_acct_claim_2_someone_neither_owner_nor_manager_cannot_approve(client, users):
    from accounts.models import TransferRequest

    lead = _lead_of(users)
    client.force_login(users["sdr.amer1"])
    client.post(f"/leads/{lead.pk}/transfer/", {"reason": "mine"})
    request = TransferRequest.objects.get()
    for name in ("sdr.emea1", "bdr.mgr", "sdr.amer1"):  # stranger, other manager, requester
        client.force_login(users[name])
        assert (
            client.post(f"/transfers/{request.pk}/decide/", {"decision": "approve"}).status_code
            == 403
        )
    lead.refresh_from_db()
    request.refresh_from_db()
    assert lead.owner == users["sdr.amer2"] and lead.version == 1 and request.state == "pending"
    client.force_login(users["sdr.mgr"])  # the owner's manager may
    client.post(f"/transfers/{request.pk}/decide/", {"decision": "decline"})
    request.refresh_from_db()
    assert request.state == "pending"  # declining needs a reason
    client.post(f"/transfers/{request.pk}/decide/", {"decision": "decline", "reason": "no"})
    request.refresh_from_db()
    assert request.state == "declined" and Lead.objects.get(pk=lead.pk).owner == users["sdr.amer2"]


def test_acct_claim_3_ae_records_go_to_the_ae_and_sales_support(client, users):
    from accounts.models import TransferRequest

    globex = Account.objects.get(name="Globex Corporation")  # owner ae.amer1
    client.force_login(users["bdr.amer1"])
    client.post(f"/accounts/{globex.pk}/transfer/", {"reason": "territory"})
    request = TransferRequest.objects.get()
    assert Notification.objects.filter(recipient=users["salessupport"]).exists()
    client.force_login(users["salessupport"])
    client.post(f"/transfers/{request.pk}/decide/", {"decision": "approve"})
    globex.refresh_from_db()
    assert globex.owner == users["bdr.amer1"]
