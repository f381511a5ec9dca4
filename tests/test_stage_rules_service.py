"""OPP-V1, V4, V5, V7, V10, V11, V12 and OPP-S2 through the stage service (the one path for
the form, admin, API and imports): each allowed once and refused once, refusals leave the
opportunity unchanged."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Contact
from gtm_portal.activity.models import Activity
from opportunities.models import Opportunity, OpportunityContactRole
from opportunities.services import opportunity_change_stage

from .factories import AccountFactory, ContactFactory, OpportunityFactory
from .test_stages import snap

pytestmark = pytest.mark.django_db


@pytest.fixture
def ae(users):
    return users["ae.amer1"]


def _opp(ae, **kw):
    """An opportunity as the stage service would have left it: an accepted one went
    through 0-Pending Acceptance (OPP-V2), as its stage history says."""
    from opportunities.models import StageChange

    account = AccountFactory(owner=ae)
    opp = OpportunityFactory(account=account, owner=ae, **kw)
    if opp.sales_accepted_date:
        StageChange.objects.create(
            opportunity=opp,
            from_stage="00-Pre Opportunity",
            to_stage="0-Pending Acceptance",
            changed_at=opp.sales_accepted_date,
        )
    return opp


def refused(opp, to, by, rule, **kw):
    before = snap(opp)
    with pytest.raises(ValidationError) as err:
        opportunity_change_stage(opportunity=opp, to=to, by=by, **kw)
    assert rule in " ".join(err.value.messages)
    assert snap(opp) == before


def test_opp_v1_owner_cannot_also_be_the_sdr_bdr(ae, users):
    """Through the service the rule is checked on the stored row; the database refuses such
    a row outright (check constraint), so the service sees it only through its facts."""
    from django.db import IntegrityError, transaction

    from opportunities.workflow import Facts, check

    opp = _opp(
        ae, stage="1-Discovery", sdr_bdr=users["sdr.amer1"], sales_accepted_date=timezone.now()
    )
    assert opportunity_change_stage(opportunity=opp, to="2-Scoping", by=ae).stage == "2-Scoping"
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.filter(pk=opp.pk).update(sdr_bdr=ae)
    facts = Facts(
        stage="1-Discovery",
        to="2-Scoping",
        owner_id=ae.pk,
        sdr_bdr_id=ae.pk,
        accepted=True,
        ever_pending=True,
        close_date=timezone.localdate(),
    )
    assert "OPP-V1" in check(facts).rules


def test_opp_v4_accepted_never_goes_back_except_sales_support_with_reason(ae, users):
    opp = _opp(ae, stage="1-Discovery", sales_accepted_date=timezone.now())
    refused(opp, "0-Pending Acceptance", ae, "OPP-V4")
    opp = opportunity_change_stage(
        opportunity=opp,
        to="0-Pending Acceptance",
        by=users["salessupport"],
        data={"reason": "Accepted by mistake"},
    )
    assert opp.stage == "0-Pending Acceptance"


def test_opp_v5_duplicate_before_acceptance_only(ae):
    early = _opp(ae, stage="00-Pre Opportunity")
    assert (
        opportunity_change_stage(opportunity=early, to="10-Duplicate", by=ae).stage
        == "10-Duplicate"
    )
    late = _opp(ae, stage="1-Discovery", sales_accepted_date=timezone.now())
    refused(late, "10-Duplicate", ae, "OPP-V5")


def test_opp_v7_reopen_closed_lost_within_30_days_only(ae):
    recent = _opp(
        ae,
        stage="8-Closed Lost",
        sales_accepted_date=timezone.now(),
        closed_at=timezone.now() - datetime.timedelta(days=29),
    )
    assert (
        opportunity_change_stage(opportunity=recent, to="1-Discovery", by=ae).stage == "1-Discovery"
    )
    old = _opp(
        ae,
        stage="8-Closed Lost",
        sales_accepted_date=timezone.now(),
        closed_at=timezone.now() - datetime.timedelta(days=31),
    )
    refused(old, "1-Discovery", ae, "OPP-V7")


def test_opp_v10_pending_with_sdr_bdr_needs_qualification_and_two_way(ae, users):
    sdr = users["sdr.amer1"]
    opp = _opp(ae, stage="00-Pre Opportunity", sdr_bdr=sdr)
    refused(opp, "0-Pending Acceptance", sdr, "OPP-V10")
    contact = ContactFactory(account=opp.account)
    OpportunityContactRole.objects.create(opportunity=opp, contact=contact, is_primary=True)
    Opportunity.objects.filter(pk=opp.pk).update(
        right_person_confirmed=True, business_problem="Slow releases"
    )
    opp.refresh_from_db()
    refused(opp, "0-Pending Acceptance", sdr, "OPP-V10")  # still no two-way activity
    Activity.objects.create(
        contact=Contact.objects.get(pk=contact.pk),
        kind="call",
        two_way=True,
        logged_by=sdr,
        occurred_at=timezone.now(),
    )
    assert (
        opportunity_change_stage(opportunity=opp, to="0-Pending Acceptance", by=sdr).stage
        == "0-Pending Acceptance"
    )


def test_opp_v11_terms_modification_needs_25k_and_not_starter(ae):
    small = _opp(
        ae,
        stage="1-Discovery",
        sales_accepted_date=timezone.now(),
        standard_terms_modification=True,
        iacv=Decimal("24999"),
    )
    refused(small, "2-Scoping", ae, "OPP-V11")
    big = _opp(
        ae,
        stage="1-Discovery",
        sales_accepted_date=timezone.now(),
        standard_terms_modification=True,
        iacv=Decimal("25000"),
        edition="Premium",
    )
    assert opportunity_change_stage(opportunity=big, to="2-Scoping", by=ae).stage == "2-Scoping"


def test_opp_s2_first_entry_into_2_to_7_stamps_once(ae):
    opp = _opp(ae, stage="1-Discovery", sales_accepted_date=timezone.now(), iacv=Decimal("10000"))
    opp = opportunity_change_stage(opportunity=opp, to="2-Scoping", by=ae)
    assert opp.sales_qualified and opp.initial_iacv == Decimal("10000")
    stamped = opp.sales_qualified_date
    Opportunity.objects.filter(pk=opp.pk).update(iacv=Decimal("50000"))
    opp = opportunity_change_stage(
        opportunity=Opportunity.objects.get(pk=opp.pk), to="3-Technical Evaluation", by=ae
    )
    assert opp.initial_iacv == Decimal("10000") and opp.sales_qualified_date == stamped
