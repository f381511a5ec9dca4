"""VIEW-5 on the contact views: the same mass-action service the lead views use; "add to
campaign" applies CAMP-1 through the campaign member service (a high-priority campaign makes
members at Actively Working accounts hot and hands them to the BDR Assigned); refused rows
stay exactly as they were, each with its reason."""

import pytest

from accounts.models import Contact
from leads.models import Campaign, CampaignMember, CampaignMemberStatus

from .factories import AccountFactory, ContactFactory, UserFactory


@pytest.fixture
def setup(refdata):
    ae = UserFactory(username="ae.view5", roles=["AE"])
    bdr = UserFactory(username="bdr.view5", roles=["BDR"])
    working = AccountFactory(
        name="Working Co", owner=ae, bdr_assigned=bdr, bdr_prospecting_status="Actively Working"
    )
    other = AccountFactory(name="Quiet Co", owner=ae)
    campaign = Campaign.objects.create(
        name="20261201_VIP_Dinner", type="field event", high_priority=True
    )
    CampaignMemberStatus.objects.create(campaign=campaign, name="Invited")
    attended = CampaignMemberStatus.objects.create(
        campaign=campaign, name="Attended", responded=True
    )
    people = {
        "at_working": ContactFactory(account=working, owner=ae, status="MQL"),
        "elsewhere": ContactFactory(account=other, owner=ae, status="MQL"),
        "member": ContactFactory(account=other, owner=ae, status="MQL"),
    }
    CampaignMember.objects.create(campaign=campaign, contact=people["member"], status=attended)
    return {"ae": ae, "bdr": bdr, "campaign": campaign, "people": people}


def _state(contact):
    c = Contact.objects.get(pk=contact.pk)
    return (c.owner_id, c.is_hot, c.status, c.version)


def test_view_5_contact_views_offer_the_mass_actions(client, setup):
    client.force_login(setup["ae"])
    page = client.get("/contacts/views/B1/").content.decode()
    assert 'action="/contacts/views/B1/mass/"' in page
    assert "Add to campaign" in page and "Enroll in sequence" in page
    assert f'name="ids" value="{setup["people"]["at_working"].pk}"' in page


def test_view_5_contact_add_to_campaign_applies_camp_1_per_row(client, setup):
    people, campaign = setup["people"], setup["campaign"]
    member_before = _state(people["member"])
    client.force_login(setup["ae"])
    r = client.post(
        "/contacts/views/B1/mass/",
        {
            "action": "campaign",
            "campaign": campaign.pk,
            "member_status": "Attended",
            "ids": [p.pk for p in people.values()],
            "next": "/contacts/views/B1/",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/contacts/views/B1/"
    members = set(
        CampaignMember.objects.filter(campaign=campaign).values_list("contact_id", flat=True)
    )
    assert members == {p.pk for p in people.values()}
    # CAMP-1: the high-priority campaign hands the Actively Working account's contact to its
    # BDR Assigned, hot; the other account's contact joins but stays with its owner.
    working = Contact.objects.get(pk=people["at_working"].pk)
    assert working.is_hot and working.owner == setup["bdr"]
    elsewhere = Contact.objects.get(pk=people["elsewhere"].pk)
    assert not elsewhere.is_hot and elsewhere.owner == setup["ae"]
    # The row already a member is refused with its reason and left as it was.
    assert _state(people["member"]) == member_before
    message = str(list(r.wsgi_request._messages)[0])
    assert "2 done" in message and "already a member" in message


def test_view_5_contact_mass_refusals_write_nothing(client, setup):
    people, campaign = setup["people"], setup["campaign"]
    before = {k: _state(p) for k, p in people.items()}
    members = CampaignMember.objects.count()
    client.force_login(UserFactory(roles=["SDR"]))  # may not edit these contacts (ROLE-3)
    client.post(
        "/contacts/views/B1/mass/",
        {"action": "campaign", "campaign": campaign.pk, "ids": [p.pk for p in people.values()]},
    )
    client.force_login(setup["ae"])
    for bad in ({"action": "take"}, {"action": "campaign", "campaign": 0}):
        client.post("/contacts/views/B1/mass/", {**bad, "ids": [people["elsewhere"].pk]})
    assert {k: _state(p) for k, p in people.items()} == before
    assert CampaignMember.objects.count() == members
