"""REPORT-PIPE (pipe-to-spend), REPORT-REP, REPORT-SLA (median/p90 in business time) and
REPORT-HYGIENE (each check) on small fixed data sets, numbers worked out by hand."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Account
from gtm_portal.activity.models import Activity, Enrollment, Sequence, Task
from gtm_portal.refdata.models import SaoQuota
from leads.models import Campaign, CampaignMember, CampaignMemberStatus, Lead
from opportunities.models import Opportunity
from reports.queries import hygiene
from tests.factories import ContactFactory, LeadFactory
from tests.helpers import session
from tests.reports_data import account, at, contact_role, opportunity, rows, stamps, user

APRIL = {"from": "2026-04-01", "to": "2026-05-31"}


@pytest.mark.django_db
def test_pipeline_by_close_month_and_pipe_to_spend(refdata):
    ae = user("ae.one", "AE")
    acct = account("Large")
    p1 = opportunity(owner=ae, account=acct, close_date=datetime.date(2026, 4, 10), iacv=1000)
    p2 = opportunity(owner=ae, account=acct, close_date=datetime.date(2026, 4, 30), iacv="2500.50")
    opportunity(
        owner=ae, account=acct, stage="7-Closed Won", close_date=datetime.date(2026, 5, 2), iacv=300
    )
    opportunity(owner=ae, account=acct, close_date=datetime.date(2026, 6, 1), iacv=999)  # outside
    got = [
        (r["close_month"], r["stage"], r["opportunities"], r["iacv"])
        for r in rows(ae, "pipeline", **APRIL)
    ]
    assert got == [
        ("2026-04", "1-Discovery", "2", "3500.50"),
        ("2026-05", "7-Closed Won", "1", "300.00"),
    ]
    # Pipe-to-spend: one member is a contact on P1 and P2: 3,500.50 ÷ 1,000 = 3.50.
    webcast = Campaign.objects.create(name="20260301_Webcast", type="webcast", cost=1000)
    status = CampaignMemberStatus.objects.create(campaign=webcast, name="Attended", responded=True)
    member = contact_role(p1)
    contact_role(p2, contact=member)
    CampaignMember.objects.create(campaign=webcast, contact=member, status=status)
    Campaign.objects.create(name="20260302_Newsletter", type="email", cost=0)
    page = session(ae).get("/reports/pipeline/", APRIL)
    campaigns = {c["name"]: c for c in page.context["table"].extra["campaigns"]}
    assert campaigns["20260301_Webcast"]["influenced"] == pytest.approx(3500.5)
    assert str(campaigns["20260301_Webcast"]["ratio"]) == "3.50"
    assert campaigns["20260302_Newsletter"]["ratio"] is None
    listed = session(ae).get("/reports/pipeline/records/", {**APRIL, "campaign": webcast.pk})
    assert {o.pk for _, p in listed.context["pages"] for o in p} == {p1.pk, p2.pk}


@pytest.mark.django_db
def test_reps_per_month(refdata):
    """sdr.one in April: 2 leads accepted, 3 people worked (2 calls and an e-mail on two
    leads, a meeting with a contact), 1 opportunity created, 1 SAO against a quota of 10."""
    sdr, ae = user("sdr.one", "SDR", team="T"), user("ae.one", "AE")
    a, b = LeadFactory(owner=sdr), LeadFactory(owner=sdr)
    stamps(a, Raw=at(2026, 3, 1), Accepted=at(2026, 4, 3))
    stamps(b, Raw=at(2026, 3, 1), Accepted=at(2026, 4, 30, 23))
    c = ContactFactory(owner=sdr)
    for person, kind in ((a, "call"), (a, "call"), (b, "email")):
        Activity.objects.create(
            lead=person, kind=kind, is_sales=True, logged_by=sdr, occurred_at=at(2026, 4, 5)
        )
    Activity.objects.create(
        contact=c, kind="meeting", is_sales=True, logged_by=sdr, occurred_at=at(2026, 4, 6)
    )
    Activity.objects.create(
        lead=a, kind="call", is_sales=True, logged_by=sdr, occurred_at=at(2026, 5, 6)
    )
    opp = opportunity(owner=ae, account=account("SMB"), sdr=sdr, sales_accepted_date=at(2026, 4, 9))
    Opportunity.objects.filter(pk=opp.pk).update(created_at=at(2026, 4, 8))
    SaoQuota.objects.create(user=sdr, month="2026-04-01", sao_quota=10)
    got = {(r["month"], r["rep"]): r for r in rows(ae, "reps", **APRIL)}
    april = got[("2026-04", "sdr.one")]
    assert [
        april[k]
        for k in (
            "accepted",
            "worked",
            "calls",
            "emails",
            "meetings",
            "opportunities",
            "sao",
            "quota",
            "attainment_pct",
        )
    ] == ["2", "3", "2", "1", "1", "1", "1", "10", "10.0"]
    may = got[("2026-05", "sdr.one")]
    assert (may["calls"], may["quota"], may["attainment_pct"]) == ("1", "0", "")
    assert ("2026-04", "ae.one") not in got  # only SDRs and BDRs


@pytest.mark.django_db
def test_sla_median_and_p90_in_business_time(refdata):
    """UTC owner, 09:00–17:00 Mon–Fri. M1 Mon 16:30 → Tue 09:45 = 30 + 45 = 75 min (late);
    M2 Tue 10:00 → 10:20 = 20; M3 Fri 16:50 → Mon 09:05 = 10 + 5 = 15; M4 untouched, past
    due. Median of 15, 20, 75 = 20; p90 = the 3rd smallest = 75; within 2 of 4 = 50%."""
    sdr = user("sdr.one", "SDR")
    cases = [
        (at(2026, 4, 6, 16, 30), at(2026, 4, 7, 9, 45), at(2026, 4, 7, 9, 30)),
        (at(2026, 4, 7, 10), at(2026, 4, 7, 10, 20), at(2026, 4, 7, 11)),
        (at(2026, 4, 10, 16, 50), at(2026, 4, 13, 9, 5), at(2026, 4, 13, 9, 50)),
        (at(2026, 4, 8, 10), None, at(2026, 4, 8, 11)),
    ]
    for mql, touch, due in cases:
        LeadFactory(owner=sdr, status="MQL", mql_date=mql, first_touch_at=touch, sla_due=due)
    LeadFactory(
        owner=sdr, status="MQL", mql_date=at(2026, 3, 31), sla_due=at(2026, 4, 1)
    )  # outside
    got = rows(sdr, "sla", **APRIL)
    assert got == [
        {
            "rep": "sdr.one",
            "mqls": "4",
            "touched": "3",
            "median_minutes": "20.0",
            "p90_minutes": "75.0",
            "within_sla_pct": "50.0",
            "breaches": "2",
        }
    ]
    page = session(sdr).get(
        "/reports/sla/records/", {**APRIL, "rep": "sdr.one", "measure": "breaches"}
    )
    assert page.context["total"] == 2


@pytest.fixture
def hygiene_world(refdata):
    """One record per REPORT-HYGIENE check for sdr.one (and one each that must not count)."""
    sdr, ae = user("sdr.one", "SDR"), user("ae.one", "AE")
    now = timezone.now()
    today = timezone.localdate()
    old = now - datetime.timedelta(days=30)
    fresh = LeadFactory(owner=sdr, status="MQL")  # pending MQL; open, new; has a task below
    Task.objects.create(lead=fresh, owner=ae, subject="call", due_date=today)
    stalled = LeadFactory(owner=sdr, status="Qualifying")
    Task.objects.create(lead=stalled, owner=ae, subject="x", due_date=today)
    Activity.objects.create(
        lead=stalled, kind="call", occurred_at=now - datetime.timedelta(days=20)
    )
    Lead.objects.filter(pk=stalled.pk).update(created_at=old)  # also open and older than 20 days
    busy = LeadFactory(owner=sdr, status="Qualifying")  # recent activity: not stalled
    Activity.objects.create(lead=busy, kind="call", occurred_at=now - datetime.timedelta(days=2))
    Task.objects.create(lead=busy, owner=ae, subject="y", due_date=today)
    Task.objects.create(owner=sdr, subject="late", due_date=today - datetime.timedelta(days=1))
    Task.objects.create(owner=sdr, subject="today", due_date=today)
    LeadFactory(owner=sdr, status="Inquiry")  # open, no open task
    LeadFactory(owner=ae, status="Inquiry")  # another owner: not counted for sdr.one
    seq = Sequence.objects.create(name="S")
    Enrollment.objects.create(lead=busy, sequence=seq, state="paused", started_at=now)
    acct = account("Large")
    opportunity(owner=ae, account=acct, sdr=sdr, stage="0-Pending Acceptance")
    opportunity(
        owner=ae,
        account=acct,
        sdr=sdr,
        stage="0-Pending Acceptance",
        next_step="demo",
        next_step_date=today - datetime.timedelta(days=3),
    )
    opportunity(owner=ae, account=acct, sdr=sdr, stage="9-Unqualified", stage_changed_at=now)
    Account.objects.filter(pk=acct.pk).update(
        bdr_assigned=sdr, bdr_next_step_date=today - datetime.timedelta(days=1)
    )
    return sdr


@pytest.mark.django_db
def test_each_hygiene_check_counts_and_links(hygiene_world):
    sdr = hygiene_world
    got = {r["check"]: int(r["count"]) for r in rows(sdr, "hygiene") if r["rep"] == "sdr.one"}
    assert got == {
        "pending_mqls": 1,
        "stalled_qualifying": 1,
        "overdue_tasks": 1,
        "paused_failed_sequences": 1,
        "pending_opportunities_without_next_step": 1,
        "pending_opportunities_overdue_next_step": 1,
        "unqualified_opportunities": 1,
        "accounts_bdr_fields_past_due": 1,
        "open_leads_older_than_20_days": 1,
        "open_leads_without_open_task": 1,
    }
    client = session(sdr)
    for check in hygiene.CHECKS:
        page = client.get("/reports/hygiene/records/", {"rep": "sdr.one", "check": check.name})
        assert page.status_code == 200 and page.context["total"] == got[check.name], check.name
    assert client.get("/reports/hygiene/records/", {"check": "pending_mqls"}).status_code == 400
