"""OPP-V11 (the standard-terms modification request flow), OPP-V12 (close date defaults to
the trial expiry) — issue #21."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from gtm_portal.activity.models import Activity
from gtm_portal.chatter.models import Comment, Notification
from gtm_portal.users.models import User
from leads.services.convert import ConvertPlan, OppMode, convert_lead
from opportunities.models import Opportunity
from opportunities.services import opportunity_create
from tests.factories import AccountFactory, LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def _opp(users, **fields):
    return OpportunityFactory(owner=users["ae.amer1"], **fields)


def _state(opp):
    opp.refresh_from_db()
    return (
        opp.standard_terms_modification,
        opp.version,
        Comment.objects.filter(object_id=opp.pk, topic="terms").count(),
    )


def test_opp_v11_request_at_25k_is_stamped_commented_and_tells_sales_support(client, users):
    opp = _opp(users, iacv=Decimal("25000"), edition="Premium")
    client.force_login(users["ae.amer1"])
    r = client.post(f"/opportunities/{opp.pk}/terms-request/", {"details": "Net 60 payment"})
    assert r.status_code == 302
    assert _state(opp)[0] is True and _state(opp)[2] == 1
    support = User.objects.queue("Sales Support").queue_members.all()
    assert support and all(
        Notification.objects.filter(recipient=u, object_id=opp.pk).exists() for u in support
    )


@pytest.mark.parametrize(
    "iacv, edition, words",
    [("24999", "Premium", "IACV ≥ $25,000"), ("90000", "Starter", "not offered for Starter")],
)
def test_opp_v11_request_below_25k_or_starter_is_refused_and_nothing_changes(
    client, users, iacv, edition, words
):
    opp = _opp(users, iacv=Decimal(iacv), edition=edition)
    before = _state(opp)
    client.force_login(users["ae.amer1"])
    r = client.post(f"/opportunities/{opp.pk}/terms-request/", {"details": "Net 60"})
    assert r.status_code == 200 and "OPP-V11" in r.content.decode()
    assert words in r.content.decode()
    assert _state(opp) == before


def test_opp_v11_others_may_not_request_and_nothing_changes(client, users):
    opp = _opp(users, iacv=Decimal("50000"), edition="Premium")
    before = _state(opp)
    client.force_login(users["sdr.emea1"])
    r = client.post(f"/opportunities/{opp.pk}/terms-request/", {"details": "Net 60"})
    assert r.status_code in (403, 404)
    assert _state(opp) == before


def test_opp_v11_request_needs_the_terms_named(client, users):
    opp = _opp(users, iacv=Decimal("50000"), edition="Premium")
    before = _state(opp)
    client.force_login(users["ae.amer1"])
    r = client.post(f"/opportunities/{opp.pk}/terms-request/", {"details": "  "})
    assert r.status_code == 200 and "say which standard terms" in r.content.decode()
    assert _state(opp) == before


def test_opp_v12_create_defaults_the_close_date_to_the_trial_expiry(users):
    expiry = timezone.localdate() + datetime.timedelta(days=21)
    opp = opportunity_create(
        name="Trial co",
        account=AccountFactory(),
        owner=users["ae.amer1"],
        close_date=None,
        trial_expiry=expiry,
        from_trial=True,
    )
    assert opp.close_date == expiry


def test_opp_v12_converting_a_trial_lead_defaults_close_date_to_its_expiry(users):
    lead = LeadFactory(owner=users["sdr.emea1"], status="MQL")
    started = timezone.now() - datetime.timedelta(days=3)
    Activity.objects.create(
        lead=lead, kind="form_fill", form_kind="trial_saas", occurred_at=started
    )
    account = AccountFactory(owner=users["ae.amer1"])
    result = convert_lead(
        lead=lead,
        by=users["sdr.emea1"],
        plan=ConvertPlan(account=account, mode=OppMode.WARM, close_date=None),
    )
    opp = Opportunity.objects.get(pk=result.opportunity.pk)
    expiry = timezone.localdate(started) + datetime.timedelta(days=30)
    assert (opp.close_date, opp.trial_expiry, opp.from_trial) == (expiry, expiry, True)


def test_opp_v12_a_lead_without_a_trial_still_needs_a_close_date(users):
    from django.core.exceptions import ValidationError

    lead = LeadFactory(owner=users["sdr.emea1"], status="MQL")
    account = AccountFactory(owner=users["ae.amer1"])
    with pytest.raises(ValidationError, match="OPP-V12"):
        convert_lead(
            lead=lead,
            by=users["sdr.emea1"],
            plan=ConvertPlan(account=account, mode=OppMode.WARM, close_date=None),
        )
    lead.refresh_from_db()
    assert lead.converted_at is None and not Opportunity.objects.filter(account=account)


def test_opp_checklist_stage_page_lists_the_stage_items_and_stores_ticks(client, users):
    from opportunities.models import ChecklistTick, StageChecklistItem

    opp = _opp(users, stage="1-Discovery")
    items = list(StageChecklistItem.objects.filter(stage="1-Discovery"))
    assert items, "reference data seeds the stage's checklist"
    client.force_login(users["ae.amer1"])
    page = client.get(f"/opportunities/{opp.pk}/").content.decode()
    assert "What to complete in 1-Discovery" in page and items[0].text in page
    r = client.post(f"/opportunities/{opp.pk}/checklist/", {"item": [items[0].pk]})
    assert r.status_code == 302
    assert list(ChecklistTick.objects.filter(opportunity=opp).values_list("item", flat=True)) == [
        items[0].pk
    ]
    assert "checked" in client.get(f"/opportunities/{opp.pk}/").content.decode()
    client.post(f"/opportunities/{opp.pk}/checklist/", {})  # unticked again
    assert not ChecklistTick.objects.filter(opportunity=opp).exists()


def test_opp_checklist_refusals_store_nothing(client, users):
    from opportunities.models import ChecklistTick, StageChecklistItem

    opp = _opp(users, stage="1-Discovery")
    other_stage = StageChecklistItem.objects.filter(stage="4-Proposal").first()
    client.force_login(users["ae.amer1"])
    client.post(f"/opportunities/{opp.pk}/checklist/", {"item": [other_stage.pk]})
    assert not ChecklistTick.objects.filter(opportunity=opp).exists()
    # Q-SAFE: a value that is not an id (a superscript digit passes str.isdigit) is ignored.
    r = client.post(f"/opportunities/{opp.pk}/checklist/", {"item": ["\u00b2", "abc"]})
    assert r.status_code == 302
    assert not ChecklistTick.objects.filter(opportunity=opp).exists()
    mine = StageChecklistItem.objects.filter(stage="1-Discovery").first()
    client.force_login(users["sdr.emea1"])
    r = client.post(f"/opportunities/{opp.pk}/checklist/", {"item": [mine.pk]})
    assert r.status_code in (403, 404)
    assert not ChecklistTick.objects.filter(opportunity=opp).exists()


def test_opp_checklist_ticked_items_do_not_lift_the_hard_rules(users):
    from django.core.exceptions import ValidationError

    from opportunities.models import StageChecklistItem
    from opportunities.services import opportunity_change_stage, opportunity_checklist_save

    opp = _opp(users, stage="3-Technical Evaluation", iacv=Decimal("1000"))
    opp.refresh_from_db()
    ids = list(StageChecklistItem.objects.filter(stage=opp.stage).values_list("pk", flat=True))
    opportunity_checklist_save(opportunity=opp, by=users["ae.amer1"], ticked=ids)
    with pytest.raises(ValidationError, match="OPP-V9"):
        opportunity_change_stage(opportunity=opp, to="4-Proposal", by=users["ae.amer1"])
    opp.refresh_from_db()
    assert opp.stage == "3-Technical Evaluation"
