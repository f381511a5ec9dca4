"""CAMP-1 (CONTRACT 6.5): campaign pages, adding members, Raw → Inquiry and its e-mail
exception, the high-priority assignment to the BDR Assigned, the views' mass action."""

import pytest
from django.test import Client

from accounts.models import Account
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.devtools.demo.campaigns import seed_campaigns
from leads.models import Campaign, CampaignMember, Lead, RoutingDecision
from leads.services.campaigns import campaign_member_set, status_for

from .factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def camps(demo):
    return {c.name: c for c in seed_campaigns()}


def _client(username):
    client = Client()
    client.login(username=username, password="demo")
    return client


def test_demo_campaigns_match_contract_4(camps):
    webcast = camps["20261110_DevOps_Webcast"]
    assert webcast.type == "webcast" and webcast.cost == 5000 and webcast.start_date
    assert {(s.name, s.responded) for s in webcast.statuses.all()} == {
        ("Registered", True),
        ("Attended", True),
        ("No Show", False),
    }
    field = camps["20261201_NYC_Field_Event"]
    assert field.high_priority and field.cost == 20000
    assert field.statuses.get(name="Attended").responded
    assert not field.statuses.get(name="Registered").responded
    assert camps["20261120_Newsletter"].type == "e-mail"
    assert len(seed_campaigns()) == 3 and Campaign.objects.count() >= 3  # idempotent


def test_camp1_responded_status_moves_raw_to_inquiry(camps, users):
    lead = LeadFactory(owner=users["sdr.amer1"])
    webcast = camps["20261110_DevOps_Webcast"]
    r = _client("mops").post(
        f"/campaigns/{webcast.pk}/members/", {"kind": "lead", "id": lead.pk, "status": "Attended"}
    )
    assert r.status_code == 302
    lead.refresh_from_db()
    assert lead.status == S.INQUIRY
    assert CampaignMember.objects.get(campaign=webcast, lead=lead).status.name == "Attended"


def test_camp1_no_show_is_not_a_response(camps, users):
    lead = LeadFactory(owner=users["sdr.amer1"])
    webcast = camps["20261110_DevOps_Webcast"]
    campaign_member_set(
        campaign=webcast, person=lead, status=status_for(webcast, "No Show"), by=users["mops"]
    )
    lead.refresh_from_db()
    assert lead.status == S.RAW
    # changing the member's status to a responded one applies the rule then
    campaign_member_set(
        campaign=webcast, person=lead, status=status_for(webcast, "Attended"), by=users["mops"]
    )
    lead.refresh_from_db()
    assert lead.status == S.INQUIRY
    assert CampaignMember.objects.filter(campaign=webcast, lead=lead).count() == 1


def test_camp1_email_campaign_response_keeps_raw(camps, users):
    lead = LeadFactory(owner=users["sdr.amer1"])
    news = camps["20261120_Newsletter"]
    campaign_member_set(
        campaign=news, person=lead, status=status_for(news, "Clicked"), by=users["mops"]
    )
    lead.refresh_from_db()
    assert lead.status == S.RAW


def test_camp1_high_priority_member_at_actively_working_account_goes_hot_to_the_bdr(camps, users):
    globex = Account.objects.get(name="Globex Corporation")
    lead = LeadFactory(owner=users["sdr.amer1"], matched_account=globex, email="x@globex.example")
    field = camps["20261201_NYC_Field_Event"]
    campaign_member_set(
        campaign=field, person=lead, status=status_for(field, "Registered"), by=users["mops"]
    )
    lead.refresh_from_db()
    assert lead.is_hot and lead.owner == users["bdr.amer1"]
    assert lead.status == S.RAW  # Registered is no response in this campaign
    assert RoutingDecision.objects.filter(lead=lead, rule="CAMP-1").exists()
    assert Lead.objects.view_b1(users["bdr.amer1"]).filter(pk=lead.pk).exists()


def test_camp1_high_priority_elsewhere_changes_no_owner(camps, users):
    initech = Account.objects.get(name="Initech")  # Restricted, not Actively Working
    lead = LeadFactory(owner=users["sdr.emea1"], matched_account=initech)
    field = camps["20261201_NYC_Field_Event"]
    campaign_member_set(
        campaign=field, person=lead, status=status_for(field, "Attended"), by=users["mops"]
    )
    lead.refresh_from_db()
    assert not lead.is_hot and lead.owner == users["sdr.emea1"]
    assert lead.status == S.INQUIRY


def test_camp1_user_who_may_not_edit_the_person_is_refused(camps, users):
    lead = LeadFactory(owner=users["sdr.amer1"])
    webcast = camps["20261110_DevOps_Webcast"]
    r = _client("exec").post(
        f"/campaigns/{webcast.pk}/members/", {"kind": "lead", "id": lead.pk, "status": "Attended"}
    )
    assert r.status_code == 403
    assert not CampaignMember.objects.filter(lead=lead).exists()


def test_camp1_unknown_status_is_refused_with_a_message(camps, users):
    lead = LeadFactory(owner=users["sdr.amer1"])
    webcast = camps["20261110_DevOps_Webcast"]
    client = _client("mops")
    r = client.post(
        f"/campaigns/{webcast.pk}/members/",
        {"kind": "lead", "id": lead.pk, "status": "Clicked"},
        follow=True,
    )
    assert "CAMP-1" in r.content.decode()
    assert not CampaignMember.objects.filter(lead=lead).exists()


def test_campaign_pages_show_members_mql_pipeline_and_system_campaign(camps, users):
    from leads.services.compliance import spam_campaign

    spam = spam_campaign()
    lead = LeadFactory(owner=users["sdr.amer1"], mql_count=1, first_name="Mia")
    webcast = camps["20261110_DevOps_Webcast"]
    campaign_member_set(
        campaign=webcast, person=lead, status=status_for(webcast, "Attended"), by=users["mops"]
    )
    client = _client("sdr.amer1")
    listing = client.get("/campaigns/").content.decode()
    assert "20261110_DevOps_Webcast" in listing and "System" in listing and spam.name in listing
    page = client.get(f"/campaigns/{webcast.pk}/").content.decode()
    assert "Mia" in page and "Attended" in page and "Pipe-to-spend" in page
    assert 'data-stat="mql">1<' in page


def test_mass_action_add_to_campaign_uses_camp1(camps, users):
    leads = [LeadFactory(owner=users["sdr.amer1"]) for _ in range(2)]
    webcast = camps["20261110_DevOps_Webcast"]
    client = _client("sdr.amer1")
    r = client.post(
        "/leads/views/S1/mass/",
        {"action": "campaign", "campaign": webcast.pk, "ids": [x.pk for x in leads]},
    )
    assert r.status_code in (200, 302)
    assert CampaignMember.objects.filter(campaign=webcast).count() == 2
    assert set(
        Lead.objects.filter(pk__in=[x.pk for x in leads]).values_list("status", flat=True)
    ) == {S.INQUIRY}


def test_record_page_offers_add_to_campaign_and_it_applies_camp1(camps, users):
    from .factories import ContactFactory

    lead = LeadFactory(owner=users["sdr.amer1"])
    webcast = camps["20261110_DevOps_Webcast"]
    attended = webcast.statuses.get(name="Attended")
    client = _client("sdr.amer1")
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Add to campaign" in page and f"{webcast.pk}:{attended.pk}" in page
    r = client.post(
        "/campaigns/members/",
        {
            "kind": "lead",
            "id": lead.pk,
            "campaign_status": f"{webcast.pk}:{attended.pk}",
            "next": f"/leads/{lead.pk}/",
        },
    )
    assert r.status_code == 302 and r["Location"] == f"/leads/{lead.pk}/"
    lead.refresh_from_db()
    assert lead.status == S.INQUIRY
    contact = ContactFactory(owner=users["sdr.amer1"])
    _client("mops").post(
        f"/campaigns/{webcast.pk}/members/",
        {"kind": "contact", "id": contact.pk, "status": "Registered"},
    )
    assert CampaignMember.objects.filter(campaign=webcast, contact=contact).exists()
