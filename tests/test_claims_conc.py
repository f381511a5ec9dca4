"""ACCT-CLAIM with Q-CONC, and the claim that makes a BDR the BDR Assigned (issue #16): the
claim button, the transfer forms, the BDR Prospecting Status form and the account edit form
post the version they showed; two sessions — the second is refused with 409 and nothing
changes. CONTRACT 6: an owned record answers "already claimed by <username>" first."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from accounts.enums import BDRProspectingStatus as BPS
from accounts.models import Account, Contact, TransferRequest
from accounts.services import account_update
from gtm_portal.chatter.models import Comment
from gtm_portal.core.models import FieldChange
from gtm_portal.users.models import User
from leads.models import Lead
from tests.factories import LeadFactory
from tests.helpers import session

pytestmark = pytest.mark.django_db


def row(obj) -> dict:
    """Every column of the record and its history rows: what a refusal must leave alone."""
    model = type(obj)
    ct = ContentType.objects.get_for_model(model)
    return {
        **model.objects.filter(pk=obj.pk).values().get(),
        "history": FieldChange.objects.filter(content_type=ct, object_id=obj.pk).count(),
    }


def shown_version(client, page_url: str, action: str) -> str:
    """The `version` the form posting to `action` carries on the page as rendered."""
    page = client.get(page_url).content.decode()
    form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', page, re.S)
    assert form, f"no form posting to {action}"
    return re.search(r'name="version" value="(\d+)"', form.group(0)).group(1)


def vandelay() -> Account:
    return Account.objects.get(name="Vandelay Industries")


def globex() -> Account:
    return Account.objects.get(name="Globex Corporation")


def someone_edits(account: Account, by) -> None:
    """Another session saves the record in between (a new version)."""
    account_update(account=account, by=by, data={"industry": f"Changed by {by.username}"})


# -- the claim makes a BDR the BDR Assigned -------------------------------------------------


def test_acct_claim_1_a_bdr_claiming_vandelay_becomes_owner_and_bdr_assigned(users):
    account = vandelay()  # owner Sales Admin, Queued
    me = users["bdr.amer1"]
    client = session(me)
    url = f"/accounts/{account.pk}/"
    version = shown_version(client, url, f"/accounts/{account.pk}/claim/")
    assert client.post(f"/accounts/{account.pk}/claim/", {"version": version}).status_code == 302
    account.refresh_from_db()
    assert account.owner == me and account.bdr_assigned == me
    rows = {
        h.field: h
        for h in FieldChange.objects.filter(
            object_id=account.pk, field__in=["owner", "bdr_assigned"]
        )
    }
    assert rows["owner"].old_value == "Sales Admin" and rows["bdr_assigned"].old_value == ""
    assert {h.changed_by for h in rows.values()} == {me}
    assert all("ACCT-CLAIM 1" in h.reason for h in rows.values())
    assert set(
        Contact.objects.filter(account=account).values_list("owner__username", flat=True)
    ) == {"bdr.amer1"}  # CONTACT-OWNER

    # ... fills research and comments, then moves it to Actively Working (ACCT-BPS 2).
    edit = f"/accounts/{account.pk}/edit/"
    for field, text in (
        ("bdr_research", "Importer of latex goods; 150 staff in Sydney."),
        ("bdr_comments", "Art Vandelay answers the phone himself."),
    ):
        r = client.post(
            f"{edit}?field={field}",
            {"version": account.version, field: text},
            HTTP_HX_REQUEST="true",
        )
        assert r.status_code == 200
        account.refresh_from_db()
    version = shown_version(client, url, f"/accounts/{account.pk}/status/")
    r = client.post(
        f"/accounts/{account.pk}/status/", {"to": BPS.ACTIVELY_WORKING, "version": version}
    )
    assert r.status_code == 302
    account.refresh_from_db()
    assert account.bdr_prospecting_status == BPS.ACTIVELY_WORKING
    assert account.actively_working_since is not None and account.bdr_research.startswith("Imp")


def test_acct_claim_1_an_sdr_claiming_becomes_owner_only(users):
    account = vandelay()
    assert session(users["sdr.apac1"]).post(f"/accounts/{account.pk}/claim/").status_code == 302
    account.refresh_from_db()
    assert account.owner == users["sdr.apac1"] and account.bdr_assigned is None


def test_acct_claim_1_a_bdr_claiming_keeps_the_bdr_assigned_already_there(users):
    account = account_update(
        account=vandelay(), by=users["bdr.mgr"], data={"bdr_assigned": users["bdr.emea1"]}
    )
    assert session(users["bdr.amer1"]).post(f"/accounts/{account.pk}/claim/").status_code == 302
    account.refresh_from_db()
    assert account.owner == users["bdr.amer1"] and account.bdr_assigned == users["bdr.emea1"]
    assert set(
        Contact.objects.filter(account=account).values_list("owner__username", flat=True)
    ) == {"bdr.emea1"}  # CONTACT-OWNER


# -- Q-CONC: two sessions -------------------------------------------------------------------


def test_q_conc_edit_form_opened_before_another_save_is_409_changed_by(users):
    account = globex()
    owner, support = session(users["ae.amer1"]), session(users["salessupport"])
    edit = f"/accounts/{account.pk}/edit/"
    seen = owner.get(edit).context["form"]["version"].value()
    assert support.get(edit).status_code == 200
    someone_edits(account, users["salessupport"])
    before = row(account)
    r = owner.post(
        edit,
        {
            "version": seen,
            "name": account.name,
            "type": account.type,
            "total_carr": "0",
            "paid_tier": account.paid_tier,
            "industry": "Typed by the owner",
            "employees": "5000",
        },
    )
    page = r.content.decode()
    assert r.status_code == 409 and f"changed by {users['salessupport'].label} at" in page
    assert 'value="Typed by the owner"' in page  # what the user typed is kept
    assert row(account) == before


def test_q_conc_claim_from_a_stale_page_is_409_and_nothing_changes(users):
    account = vandelay()
    bdr = session(users["bdr.amer1"])
    seen = shown_version(bdr, f"/accounts/{account.pk}/", f"/accounts/{account.pk}/claim/")
    someone_edits(account, users["salessupport"])
    before = row(account)
    r = bdr.post(f"/accounts/{account.pk}/claim/", {"version": seen})
    assert (
        r.status_code == 409 and f"changed by {users['salessupport'].label}" in r.content.decode()
    )
    assert row(account) == before
    assert not Contact.objects.filter(account=account, owner=users["bdr.amer1"]).exists()


def test_q_conc_claim_already_claimed_wins_over_the_stale_version(users):
    account = vandelay()
    first, second = session(users["bdr.amer1"]), session(users["sdr.apac1"])
    claim = f"/accounts/{account.pk}/claim/"
    seen = shown_version(second, f"/accounts/{account.pk}/", claim)
    assert first.post(claim, {"version": seen}).status_code == 302
    before = row(account)
    r = second.post(claim, {"version": seen})
    assert r.status_code == 409 and "already claimed by bdr.amer1" in r.content.decode()
    assert row(account) == before


def test_q_conc_stale_claim_of_a_lead_is_409_too(users):
    lead = LeadFactory(owner=User.objects.queue("Inquiry Queue"))
    rep = session(users["sdr.emea1"])
    seen = shown_version(rep, f"/leads/{lead.pk}/", f"/leads/{lead.pk}/claim/")
    Lead.objects.filter(pk=lead.pk).update(version=int(seen) + 1, updated_by=users["mops"])
    before = row(lead)
    assert rep.post(f"/leads/{lead.pk}/claim/", {"version": seen}).status_code == 409
    assert row(lead) == before


def test_contract_claiming_globex_is_409_already_claimed(users):
    account = globex()
    before = row(account)
    r = session(users["sdr.amer2"]).post(f"/accounts/{account.pk}/claim/")
    assert r.status_code == 409 and "already claimed by ae.amer1" in r.content.decode()
    assert row(account) == before


def test_q_conc_transfer_request_from_a_stale_page_is_409_and_writes_nothing(users):
    account = globex()  # owner ae.amer1
    rep = session(users["sdr.amer1"])
    transfer = f"/accounts/{account.pk}/transfer/"
    seen = shown_version(rep, f"/accounts/{account.pk}/", transfer)
    someone_edits(account, users["ae.amer1"])
    before, comments = row(account), Comment.objects.count()
    r = rep.post(transfer, {"reason": "My territory now", "version": seen})
    assert r.status_code == 409 and f"changed by {users['ae.amer1'].label}" in r.content.decode()
    assert not TransferRequest.objects.exists() and Comment.objects.count() == comments
    assert row(account) == before
    fresh = shown_version(rep, f"/accounts/{account.pk}/", transfer)
    assert rep.post(transfer, {"reason": "My territory now", "version": fresh}).status_code == 302
    assert TransferRequest.objects.get().state == "pending"


def test_q_conc_transfer_decision_on_a_changed_record_is_409_and_changes_nothing(users):
    account = globex()
    session(users["sdr.amer1"]).post(
        f"/accounts/{account.pk}/transfer/", {"reason": "My territory now"}
    )
    request = TransferRequest.objects.get()
    seen = Account.objects.get(pk=account.pk).version  # the decider's page
    someone_edits(account, users["ae.amer1"])
    before, comments = row(account), Comment.objects.count()
    support = session(users["salessupport"])
    decide = f"/transfers/{request.pk}/decide/"
    r = support.post(decide, {"decision": "approve", "version": seen})
    assert r.status_code == 409 and f"changed by {users['ae.amer1'].label}" in r.content.decode()
    request.refresh_from_db()
    assert request.state == "pending" and request.decided_by is None
    assert row(account) == before and Comment.objects.count() == comments
    r = support.post(decide, {"decision": "approve", "version": before["version"]})
    assert r.status_code == 302
    account.refresh_from_db()
    assert account.owner == users["sdr.amer1"]


def test_q_conc_the_home_pages_decide_form_carries_the_records_version(users):
    """ACCT-CLAIM 2/3, Q-CONC: the transfer decision offered on the home page posts the
    version of the record as the page showed it."""
    account = globex()
    session(users["sdr.amer1"]).post(
        f"/accounts/{account.pk}/transfer/", {"reason": "My territory now"}
    )
    request = TransferRequest.objects.get()
    home = session(users["salessupport"]).get("/").content.decode()
    version = Account.objects.get(pk=account.pk).version
    assert shown_version(
        session(users["salessupport"]), "/", f"/transfers/{request.pk}/decide/"
    ) == str(version)
    assert f"/transfers/{request.pk}/decide/" in home


def test_q_conc_bps_form_opened_before_another_save_is_409(users):
    account = account_update(
        account=vandelay(), by=users["bdr.mgr"], data={"bdr_assigned": users["bdr.amer1"]}
    )
    bdr = session(users["bdr.amer1"])
    status = f"/accounts/{account.pk}/status/"
    seen = shown_version(bdr, f"/accounts/{account.pk}/", status)
    someone_edits(account, users["salessupport"])
    before = row(account)
    r = bdr.post(status, {"to": BPS.ACTIVELY_WORKING, "version": seen})
    assert (
        r.status_code == 409 and f"changed by {users['salessupport'].label}" in r.content.decode()
    )
    assert row(account) == before
    assert row(account)["bdr_prospecting_status"] == BPS.QUEUED
