"""OPP-V/OPP-S through the service and the HTTP stage form (CONTRACT 6), refusals leave the
opportunity unchanged; OPP-V3 notifies the SDR/BDR's manager."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gtm_portal.chatter.models import Notification
from gtm_portal.refdata.models import Reason
from opportunities.models import Opportunity, OpportunityContactRole, StageChange
from opportunities.services import opportunity_change_stage

pytestmark = pytest.mark.django_db


def snap(opp):
    opp = Opportunity.objects.get(pk=opp.pk)
    return (
        opp.stage,
        opp.version,
        opp.sales_accepted_date,
        opp.sales_qualified,
        StageChange.objects.filter(opportunity=opp).count(),
    )


@pytest.fixture
def globex(demo):
    return Opportunity.objects.get(name="Globex - Platform Expansion")  # stage 0


@pytest.fixture
def hooli(demo):
    return Opportunity.objects.get(name="Hooli - New Business")  # stage 00, never 0


def test_opp_s1_accepting_stamps_the_sao_and_s3_keeps_the_change(globex, users):
    opp = opportunity_change_stage(opportunity=globex, to="1-Discovery", by=users["ae.amer1"])
    assert opp.sales_accepted_date is not None and not opp.sales_qualified
    last = StageChange.objects.filter(opportunity=opp).latest("changed_at")
    assert (last.from_stage, last.to_stage, last.changed_by) == (
        "0-Pending Acceptance",
        "1-Discovery",
        users["ae.amer1"],
    )
    opp = opportunity_change_stage(opportunity=opp, to="2-Scoping", by=users["ae.amer1"])
    assert opp.sales_qualified and opp.initial_iacv == opp.iacv


def test_opp_v2_refused_through_the_service_and_nothing_changes(hooli, users):
    before = snap(hooli)
    with pytest.raises(ValidationError, match="OPP-V2"):
        opportunity_change_stage(opportunity=hooli, to="2-Scoping", by=users["ae.amer1"])
    assert snap(hooli) == before


def test_stage_form_names_the_rule_and_changes_nothing(client, hooli, users):
    client.force_login(users["ae.amer1"])
    before = snap(hooli)
    r = client.post(f"/opportunities/{hooli.pk}/stage/", {"stage": "5-Negotiating"})
    assert r.status_code == 200 and "OPP-V2" in r.content.decode()
    assert snap(hooli) == before


def test_stage_form_302_on_success(client, globex, users):
    client.force_login(users["ae.amer1"])
    r = client.post(f"/opportunities/{globex.pk}/stage/", {"stage": "1-Discovery"})
    assert r.status_code == 302
    assert Opportunity.objects.get(pk=globex.pk).stage == "1-Discovery"


def test_stage_form_403_for_a_user_who_may_not_edit(client, globex, users):
    client.force_login(users["sdr.emea1"])
    before = snap(globex)
    assert (
        client.post(f"/opportunities/{globex.pk}/stage/", {"stage": "1-Discovery"}).status_code
        == 403
    )
    assert snap(globex) == before


def test_sdr_bdr_may_only_send_to_pending(hooli, users):
    Opportunity.objects.filter(pk=hooli.pk).update(sdr_bdr=users["bdr.amer1"])
    hooli.refresh_from_db()
    with pytest.raises(PermissionDenied):
        opportunity_change_stage(opportunity=hooli, to="1-Discovery", by=users["bdr.amer1"])
    with pytest.raises(ValidationError, match="OPP-V10"):  # no two-way activity on Hooli
        opportunity_change_stage(
            opportunity=hooli, to="0-Pending Acceptance", by=users["bdr.amer1"]
        )


def test_opp_v9_and_v8_then_closed_won(globex, users):
    ae = users["ae.amer1"]
    opp = opportunity_change_stage(opportunity=globex, to="1-Discovery", by=ae)
    opp = opportunity_change_stage(opportunity=opp, to="2-Scoping", by=ae)
    with pytest.raises(ValidationError, match="OPP-V9"):
        opportunity_change_stage(opportunity=opp, to="4-Proposal", by=ae)
    role = OpportunityContactRole.objects.get(opportunity=opp)
    role.is_bill_to = role.is_sold_to = True
    role.save()
    opp = opportunity_change_stage(
        opportunity=opp, to="4-Proposal", by=ae, data={"po_expected": False}
    )
    with pytest.raises(ValidationError, match="OPP-V8"):  # IACV 50,000, Large
        opportunity_change_stage(opportunity=opp, to="7-Closed Won", by=ae)
    opp = opportunity_change_stage(
        opportunity=opp,
        to="7-Closed Won",
        by=ae,
        data={"closed_won_details": "Signed 3-year Premium"},
    )
    assert opp.stage == "7-Closed Won" and opp.closed_at


def test_opp_v6_closed_lost_needs_reasons_and_detail(globex, users):
    ae = users["ae.amer1"]
    opp = opportunity_change_stage(opportunity=globex, to="1-Discovery", by=ae)
    with pytest.raises(ValidationError, match="OPP-V6"):
        opportunity_change_stage(opportunity=opp, to="8-Closed Lost", by=ae)
    reason = Reason.objects.get(kind="closed_lost", name="Lost to competitor")
    opp = opportunity_change_stage(
        opportunity=opp,
        to="8-Closed Lost",
        by=ae,
        data={"closed_lost_detail": "price"},
        reasons=[reason],
    )
    assert list(opp.closed_lost_reasons.all()) == [reason]


def test_opp_v3_unqualified_notifies_the_sdr_bdrs_manager(globex, users):
    reason = Reason.objects.filter(kind="unqualified").first()
    opportunity_change_stage(
        opportunity=globex,
        to="9-Unqualified",
        by=users["ae.amer1"],
        data={"unqualified_reason": reason},
    )
    assert Notification.objects.filter(
        recipient=users["bdr.mgr"], message__startswith="OPP-V3"
    ).exists()


def test_sao_1_qualification_source_follows_the_credited_reps_role(globex, hooli, users):
    from opportunities.selectors import ae_generated_kind

    opp = opportunity_change_stage(opportunity=globex, to="1-Discovery", by=users["ae.amer1"])
    assert opp.sales_qualification_source == "BDR Generated"  # bdr.amer1 is credited
    Opportunity.objects.filter(pk=hooli.pk).update(stage="0-Pending Acceptance")
    hooli.refresh_from_db()
    opp = opportunity_change_stage(opportunity=hooli, to="1-Discovery", by=users["ae.amer1"])
    assert opp.sales_qualification_source == "AE Generated"
    assert ae_generated_kind(opp) == "cold calling"  # no contacts on it
    from accounts.models import Contact

    contact = Contact.objects.filter(account=opp.account).first()  # initial source Prospecting
    OpportunityContactRole.objects.create(opportunity=opp, contact=contact)
    assert ae_generated_kind(opp) == "marketing assisted"
    assert ae_generated_kind(globex) is None


def test_opportunity_page_with_the_stage_form_stays_within_budget(
    client, globex, users, django_assert_max_num_queries
):
    client.force_login(users["ae.amer1"])
    client.get(f"/opportunities/{globex.pk}/")
    with django_assert_max_num_queries(11):
        page = client.get(f"/opportunities/{globex.pk}/")
    body = page.content.decode()
    assert 'data-stages="8-Closed Lost|"' in body and "Lost to competitor" in body
