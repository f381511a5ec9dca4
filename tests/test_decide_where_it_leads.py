"""UX (#22): a notification that asks for a decision leads to it — transfer requests
(ACCT-CLAIM 2) and web-direct SAO credit requests (SAO-WD 2) are decided from the inbox row
and on the record itself, by those who may decide and nobody else, and the decider comes
back to where they decided."""

import pytest

from accounts.models import Account, TransferRequest
from gtm_portal.activity.models import Activity
from gtm_portal.chatter.models import Notification
from opportunities import sao
from opportunities.models import Opportunity, SAOCreditRequest

pytestmark = pytest.mark.django_db


def _transfer(client, users):
    globex = Account.objects.get(name="Globex Corporation")  # owner ae.amer1
    client.force_login(users["sdr.amer1"])
    client.post(f"/accounts/{globex.pk}/transfer/", {"reason": "My territory now"})
    return globex, TransferRequest.objects.get()


def test_acct_claim_2_the_owner_approves_a_transfer_from_the_inbox(client, users):
    globex, request = _transfer(client, users)
    client.force_login(users["ae.amer1"])
    inbox = client.get("/notifications/").content.decode()
    assert f'action="/transfers/{request.pk}/decide/"' in inbox
    assert "asks to take over" in inbox and "My territory now" in inbox
    r = client.post(
        f"/transfers/{request.pk}/decide/",
        {"decision": "approve", "version": globex.version, "next": "/notifications/"},
    )
    assert r.status_code == 302 and r["Location"] == "/notifications/"
    globex.refresh_from_db()
    assert globex.owner == users["sdr.amer1"]
    # decided: the inbox no longer offers it
    assert (
        f'action="/transfers/{request.pk}/decide/"'
        not in client.get("/notifications/").content.decode()
    )


def test_acct_claim_2_the_record_page_offers_the_decision_only_to_a_decider(client, users):
    globex, request = _transfer(client, users)
    form = f'action="/transfers/{request.pk}/decide/"'
    client.force_login(users["ae.amer1"])  # the owner
    page = client.get(f"/accounts/{globex.pk}/").content.decode()
    assert "Waiting for your decision" in page and form in page
    assert 'name="next" value="/accounts/' in page
    for other in ("sdr.amer1", "sdr.emea1", "exec"):  # the requester, a peer, read-only
        client.force_login(users[other])
        assert form not in client.get(f"/accounts/{globex.pk}/").content.decode()
    client.force_login(users["sdr.emea1"])  # and the server refuses them anyway
    client.post(f"/transfers/{request.pk}/decide/", {"decision": "approve"})
    request.refresh_from_db()
    assert request.state == "pending"


def test_sao_wd_2_the_manager_approves_an_sao_credit_request_from_the_inbox(client, users):
    umbrella = Opportunity.objects.get(name="Umbrella - Web Direct")
    call = Activity.objects.get(subject="Connected call with Umbrella's head of engineering")
    req = sao.sao_credit_request(
        opportunity=umbrella, by=users["sdr.amer1"], evidence=call, explanation="Demoed Premium."
    )
    assert Notification.objects.filter(
        recipient=users["sdr.mgr"], reason=Notification.Reason.DECIDE
    ).exists()
    client.force_login(users["sdr.mgr"])
    inbox = client.get("/notifications/").content.decode()
    assert f'action="/opportunities/approvals/{req.pk}/decide/"' in inbox
    page = client.get(f"/opportunities/{umbrella.pk}/").content.decode()
    assert f'action="/opportunities/approvals/{req.pk}/decide/"' in page
    r = client.post(
        f"/opportunities/approvals/{req.pk}/decide/",
        {"decision": "approve", "next": "/notifications/"},
    )
    assert r.status_code == 302 and r["Location"] == "/notifications/"
    assert SAOCreditRequest.objects.get(pk=req.pk).state == "approved"
    client.force_login(users["sdr.amer1"])  # the requester never sees a decide form
    assert "/decide/" not in client.get(f"/opportunities/{umbrella.pk}/").content.decode()


def test_an_offsite_next_is_not_followed(client, users):
    globex, request = _transfer(client, users)
    client.force_login(users["ae.amer1"])
    r = client.post(
        f"/transfers/{request.pk}/decide/",
        {"decision": "approve", "version": globex.version, "next": "https://evil.example/"},
    )
    assert r["Location"] == f"/accounts/{globex.pk}/"
