"""ACCT-BPS 1-7 (the BDR Prospecting Status) and AUTO-2 / AUTO-3: the pure decision, the
service over demo data, the status form, the daily reversions and the mass status change."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from accounts import workflow
from accounts.bps import (
    StatusRefused,
    account_change_bps,
    bps_fiscal_year_reset,
    bps_run_reversions,
)
from accounts.models import Account
from accounts.querysets import with_deadline_facts
from accounts.services import account_update
from gtm_portal.activity.models import Activity, Enrollment, Sequence, Task
from gtm_portal.chatter.models import Notification
from gtm_portal.core.models import FieldChange
from gtm_portal.refdata.models import PortalSetting

from .factories import AccountFactory, ContactFactory, LeadFactory, OpportunityFactory

AW, QUEUED, WIFY, RESTRICTED = "Actively Working", "Queued", "Worked in FY", "Restricted"
NOW = timezone.now()


# -- the pure machine (no database) ---------------------------------------------------------


def bdr(name="bdr.amer1"):
    return workflow.Actor(username=name, changes=True)


def facts(**kw):
    base = {
        "current": QUEUED,
        "segment": "Mid-Market",
        "bdr_assigned": "bdr.amer1",
        "bdr_active_in_class": 0,
        "limit": 150,
    }
    return workflow.Facts(**{**base, **kw})


def rules_of(decision):
    return [r.rule for r in decision.refusals]


def test_acct_bps_2_clean_account_moves_and_stamps():
    decision = workflow.decide_change(facts=facts(), actor=bdr(), to=AW)
    assert decision.allowed and decision.stamp_since


def test_acct_bps_1_only_bdrs_and_bdr_managers_sales_support_with_reason():
    ae = workflow.Actor("ae")
    assert rules_of(workflow.decide_change(facts=facts(), actor=ae, to=AW)) == ["ACCT-BPS 1"]
    support = workflow.Actor("ss", fixes=True)
    assert rules_of(workflow.decide_change(facts=facts(), actor=support, to=WIFY)) == ["ACCT-BPS 1"]
    fix = workflow.decide_change(facts=facts(), actor=support, to=WIFY, reason="import error")
    assert fix.allowed and fix.data_fix


def test_acct_bps_2_every_broken_precondition_is_listed():
    decision = workflow.decide_change(
        facts=facts(
            bdr_active_in_class=150,
            recent_mqls=(workflow.PersonFact("contact:1", "Ann"),),
            recent_opportunities=("Deal",),
            engaged_qualifying=("Bob",),
        ),
        actor=bdr(),
        to=AW,
    )
    messages = " ".join(str(r) for r in decision.refusals)
    assert rules_of(decision) == ["ACCT-BPS 2"] * 4
    assert (
        "limit is 150" in messages
        and "Ann" in messages
        and "Deal" in messages
        and "Bob" in messages
    )


def test_acct_bps_2_low_touch_only_mql_and_owner_override():
    low = workflow.PersonFact("contact:1", "Ann", in_low_touch=True)
    assert workflow.decide_change(facts=facts(recent_mqls=(low,)), actor=bdr(), to=AW).allowed
    two = (low, workflow.PersonFact("lead:2", "Lee"))
    assert not workflow.decide_change(facts=facts(recent_mqls=two), actor=bdr(), to=AW).allowed
    assert workflow.decide_change(
        facts=facts(recent_mqls=two, owner_override="comment #3"), actor=bdr(), to=AW
    ).allowed


def test_acct_bps_transition_table_refuses_unlisted_moves():
    assert workflow.targets_from(RESTRICTED) == [QUEUED]
    refused = workflow.decide_change(facts=facts(current=RESTRICTED), actor=bdr(), to=AW)
    assert rules_of(refused) == ["ACCT-BPS"]


def test_acct_bps_3_and_4_reversion_and_deadlines():
    since = NOW - datetime.timedelta(days=11)
    assert (
        workflow.reversion(
            since=since, now=NOW, research_done=False, enrolled_in_window=5, last_activity_at=NOW
        ).to
        == QUEUED
    )
    since = NOW - datetime.timedelta(days=16)
    assert (
        workflow.reversion(
            since=since, now=NOW, research_done=True, enrolled_in_window=4, last_activity_at=NOW
        ).rule
        == "ACCT-BPS 3"
    )
    since = NOW - datetime.timedelta(days=40)
    assert (
        workflow.reversion(
            since=since,
            now=NOW,
            research_done=True,
            enrolled_in_window=5,
            last_activity_at=NOW - datetime.timedelta(days=31),
        ).to
        == WIFY
    )
    assert (
        workflow.reversion(
            since=since,
            now=NOW,
            research_done=True,
            enrolled_in_window=5,
            last_activity_at=NOW - datetime.timedelta(days=2),
        )
        is None
    )
    left = workflow.deadlines(
        since=NOW - datetime.timedelta(days=3),
        now=NOW,
        research_done=False,
        enrolled=2,
        last_activity_at=None,
    )
    assert left["research_days_left"] == 7 and left["enrolled_days_left"] == 12
    assert left["idle_days_left"] == 27


def test_acct_bps_6_fiscal_year_start():
    assert workflow.fiscal_year_start(datetime.date(2025, 1, 31), 2) == datetime.date(2024, 2, 1)
    assert workflow.fiscal_year_start(datetime.date(2025, 2, 1), 2) == datetime.date(2025, 2, 1)


# -- the service over the demo data ---------------------------------------------------------


def state(account):
    """Everything a refusal must leave alone."""
    account = Account.objects.get(pk=account.pk)
    ct = ContentType.objects.get_for_model(Account)
    return (
        account.bdr_prospecting_status,
        account.actively_working_since,
        account.version,
        account.bdr_research,
        FieldChange.objects.filter(content_type=ct, object_id=account.pk).count(),
    )


@pytest.fixture
def vandelay(users):
    """Queued, Mid-Market, BDR Assigned bdr.amer1, nothing recent at it."""
    account = Account.objects.get(name="Vandelay Industries")
    return account_update(
        account=account, by=users["bdr.mgr"], data={"bdr_assigned": users["bdr.amer1"]}
    )


def refused(account, by, to, **kw) -> list[str]:
    before = state(account)
    with pytest.raises(StatusRefused) as info:
        account_change_bps(account=account, by=by, to=to, **kw)
    assert state(account) == before  # Q-SEC: nothing changed
    return [str(r) for r in info.value.refusals]


@pytest.mark.django_db
def test_acct_bps_2_bdr_moves_clean_account_to_actively_working(users, vandelay):
    done = account_change_bps(account=vandelay, by=users["bdr.amer1"], to=AW)
    assert done.bdr_prospecting_status == AW and done.actively_working_since is not None
    row = FieldChange.objects.get(object_id=vandelay.pk, field="bdr_prospecting_status")
    assert (row.old_value, row.new_value) == (QUEUED, AW) and "ACCT-BPS 2" in row.reason


@pytest.mark.django_db
def test_acct_bps_2_over_the_ref7_limit_is_refused_and_nothing_changed(users, vandelay):
    PortalSetting.objects.update_or_create(key="aw_limit_other", defaults={"value": 1})
    AccountFactory(
        bdr_assigned=users["bdr.amer1"], bdr_prospecting_status=AW, segment="SMB", employees=20
    )
    why = refused(vandelay, users["bdr.amer1"], AW)
    assert any("ACCT-BPS 2" in w and "limit is 1" in w for w in why)
    # Large accounts count against the other limit: Globex and Hooli do not block Vandelay.
    PortalSetting.objects.filter(key="aw_limit_other").update(value=2)
    assert account_change_bps(account=vandelay, by=users["bdr.amer1"], to=AW)


@pytest.mark.django_db
def test_ref_7_each_bdrs_own_limit_overrides_the_portal_default(users, vandelay):
    """REF-7 / ACCT-BPS 2: a BDR's own Actively Working limit (per segment class) is the one
    counted; the portal setting is only the default for BDRs without one."""
    bdr_user = users["bdr.amer1"]
    AccountFactory(bdr_assigned=bdr_user, bdr_prospecting_status=AW, segment="SMB", employees=20)
    PortalSetting.objects.update_or_create(key="aw_limit_other", defaults={"value": 150})
    type(bdr_user).objects.filter(pk=bdr_user.pk).update(aw_limit_other=1, aw_limit_large=0)
    bdr_user.refresh_from_db()
    before = state(vandelay)
    why = refused(vandelay, bdr_user, AW)
    assert any("ACCT-BPS 2" in w and "limit is 1" in w for w in why)
    assert state(vandelay) == before
    # The large class has its own field: 0 refuses a Large account even with no other.
    large = AccountFactory(bdr_assigned=bdr_user, segment="Large", employees=5000)
    assert any("limit is 0" in w for w in refused(large, bdr_user, AW))
    # Raised on the BDR (the setting untouched, still 150): allowed.
    type(bdr_user).objects.filter(pk=bdr_user.pk).update(aw_limit_other=2)
    bdr_user.refresh_from_db()
    assert account_change_bps(account=vandelay, by=bdr_user, to=AW).bdr_prospecting_status == AW
    # Another BDR without own limits gets the portal default.
    PortalSetting.objects.filter(key="aw_limit_other").update(value=0)
    other = AccountFactory(bdr_assigned=users["bdr.emea1"], segment="SMB", employees=20)
    assert any("limit is 0" in w for w in refused(other, users["bdr.emea1"], AW))


@pytest.mark.django_db
def test_acct_bps_2_recent_mql_at_the_account_is_refused(users, vandelay):
    ContactFactory(
        account=vandelay,
        first_name="Mia",
        last_name="Mql",
        status="MQL",
        mql_date=NOW - datetime.timedelta(days=3),
    )
    why = refused(vandelay, users["bdr.amer1"], AW)
    assert any("ACCT-BPS 2" in w and "Mia Mql" in w for w in why)


@pytest.mark.django_db
def test_acct_bps_2_recent_mql_of_a_matched_lead_is_refused(users, vandelay):
    LeadFactory(matched_account=vandelay, status="MQL", mql_date=NOW - datetime.timedelta(days=1))
    assert refused(vandelay, users["bdr.amer1"], AW)


@pytest.mark.django_db
def test_acct_bps_2_only_mql_in_low_touch_sequence_is_allowed(users, vandelay):
    mql = ContactFactory(account=vandelay, status="MQL", mql_date=NOW - datetime.timedelta(days=3))
    low = Sequence.objects.get(name="Nurture (low touch)")
    Enrollment.objects.create(contact=mql, sequence=low, started_at=NOW)
    assert account_change_bps(account=vandelay, by=users["bdr.amer1"], to=AW)


@pytest.mark.django_db
def test_acct_bps_2_owner_comment_overrides_and_is_named(users, vandelay):
    from gtm_portal.chatter.services import comment_post

    ContactFactory(account=vandelay, status="MQL", mql_date=NOW - datetime.timedelta(days=3))
    account_update(account=vandelay, by=users["salesadmin"], data={"owner": users["ae.amer1"]})
    stranger = comment_post(record=vandelay, author=users["sdr.amer1"], body="please BDR it")
    why = refused(vandelay, users["bdr.amer1"], AW, override_comment=stranger.pk)
    assert any("not the account owner" in w for w in why)
    ask = comment_post(record=vandelay, author=users["ae.amer1"], body="BDR team, go ahead")
    account_change_bps(account=vandelay, by=users["bdr.amer1"], to=AW, override_comment=ask.pk)
    row = FieldChange.objects.get(object_id=vandelay.pk, field="bdr_prospecting_status")
    assert f"comment #{ask.pk}" in row.reason


@pytest.mark.django_db
def test_acct_bps_2_qualifying_person_with_recent_activity_is_refused(users, vandelay):
    q = ContactFactory(account=vandelay, first_name="Quinn", last_name="Q", status="Qualifying")
    Activity.objects.create(
        contact=q,
        kind="call",
        is_sales=True,
        logged_by=users["ae.amer1"],
        occurred_at=NOW - datetime.timedelta(days=4),
    )
    why = refused(vandelay, users["bdr.amer1"], AW)
    assert any("Qualifying" in w and "Quinn Q" in w for w in why)


@pytest.mark.django_db
def test_acct_bps_2_qualifying_person_with_open_future_task_is_refused(users, vandelay):
    q = ContactFactory(account=vandelay, status="Qualifying")
    Task.objects.create(
        contact=q,
        subject="demo",
        owner=users["ae.amer1"],
        due_date=timezone.localdate() + datetime.timedelta(days=2),
    )
    assert refused(vandelay, users["bdr.amer1"], AW)
    Task.objects.update(status="done")
    assert account_change_bps(account=vandelay, by=users["bdr.amer1"], to=AW)


@pytest.mark.django_db
def test_acct_bps_2_recent_opportunity_is_refused(users, vandelay):
    OpportunityFactory(account=vandelay, name="Vandelay - Latex")
    why = refused(vandelay, users["bdr.amer1"], AW)
    assert any("Vandelay - Latex" in w for w in why)


@pytest.mark.django_db
def test_acct_bps_2_without_bdr_assigned_is_refused(users):
    account = Account.objects.get(name="Vandelay Industries")
    why = refused(account, users["bdr.amer1"], AW)
    assert any("set BDR Assigned" in w for w in why)


@pytest.mark.django_db
def test_acct_bps_5_restricted_needs_a_reason_written_into_research(users, vandelay):
    why = refused(vandelay, users["bdr.amer1"], RESTRICTED)
    assert any(w.startswith("ACCT-BPS 5") for w in why)
    done = account_change_bps(
        account=vandelay, by=users["bdr.amer1"], to=RESTRICTED, reason="Legal hold on outreach"
    )
    assert done.bdr_prospecting_status == RESTRICTED
    assert "Legal hold on outreach" in done.bdr_research


@pytest.mark.django_db
def test_acct_bps_1_non_bdr_changing_the_status_is_refused(users, vandelay):
    for name in ("ae.amer1", "sdr.amer1", "exec"):
        why = refused(vandelay, users[name], AW)
        assert why and why[0].startswith("ACCT-BPS 1")
    why = refused(vandelay, users["salessupport"], WIFY)  # no reason given
    assert why[0].startswith("ACCT-BPS 1")
    fixed = account_change_bps(
        account=vandelay, by=users["salessupport"], to=WIFY, reason="status lost in the CRM import"
    )
    assert fixed.bdr_prospecting_status == WIFY


@pytest.mark.django_db
def test_acct_bps_7_answer_reactivates_ignoring_that_persons_mql(users, vandelay):
    account_change_bps(account=vandelay, by=users["salessupport"], to=WIFY, reason="setup")
    lead = LeadFactory(
        matched_account=vandelay,
        status="MQL",
        owner=users["sdr.amer2"],
        mql_date=NOW - datetime.timedelta(days=2),
    )
    assert refused(vandelay, users["bdr.amer1"], AW)  # the MQL blocks
    why = refused(vandelay, users["bdr.amer1"], AW, answering=lead)  # no reply logged
    assert any(w.startswith("ACCT-BPS 7") for w in why)
    Activity.objects.create(
        lead=lead,
        kind="email",
        direction="inbound",
        two_way=True,
        occurred_at=NOW - datetime.timedelta(hours=2),
    )
    done = account_change_bps(account=vandelay, by=users["bdr.amer1"], to=AW, answering=lead)
    assert done.bdr_prospecting_status == AW
    lead.refresh_from_db()
    assert lead.owner == users["bdr.amer1"]  # takes the person


# -- HTTP -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_acct_bps_status_form_shows_refusals_inline_and_changes_nothing(client, users, vandelay):
    ContactFactory(account=vandelay, status="MQL", mql_date=NOW - datetime.timedelta(days=3))
    before = state(vandelay)
    client.force_login(users["bdr.amer1"])
    page = client.get(f"/accounts/{vandelay.pk}/").content.decode()
    assert f'action="/accounts/{vandelay.pk}/status/"' in page
    r = client.post(f"/accounts/{vandelay.pk}/status/", {"to": AW})
    assert r.status_code == 200 and "ACCT-BPS 2" in r.content.decode()
    assert "Nothing was changed" in r.content.decode()
    assert state(vandelay) == before


@pytest.mark.django_db
def test_acct_bps_status_form_success_and_403_for_others(client, users, vandelay):
    client.force_login(users["ae.amer1"])
    assert 'name="to"' not in client.get(f"/accounts/{vandelay.pk}/").content.decode()
    before = state(vandelay)
    assert client.post(f"/accounts/{vandelay.pk}/status/", {"to": AW}).status_code == 403
    assert state(vandelay) == before
    client.force_login(users["bdr.amer1"])
    r = client.post(f"/accounts/{vandelay.pk}/status/", {"to": AW})
    assert r.status_code == 302
    assert Account.objects.get(pk=vandelay.pk).bdr_prospecting_status == AW


@pytest.mark.django_db
def test_acct_bps_3_days_left_on_account_page_and_b3(client, users):
    globex = Account.objects.get(name="Globex Corporation")
    Account.objects.filter(pk=globex.pk).update(
        bdr_comments="", actively_working_since=timezone.now() - datetime.timedelta(days=4)
    )
    client.force_login(users["bdr.amer1"])
    page = client.get(f"/accounts/{globex.pk}/").content.decode()
    assert "5 days left" in page and "ACCT-BPS 4" in page  # whole days left of 10
    b3 = client.get("/accounts/views/B3/")
    row = next(a for a in b3.context["page"].rows if a.pk == globex.pk)
    assert row.requirements["research_days_left"] == 5
    assert "5 days left" in b3.content.decode()


# -- AUTO-2 / AUTO-3 --------------------------------------------------------------------------


def _idle_account(users, *, finished_days_ago: int):
    """Actively Working 60 days, requirements met, its people's enrollments all finished."""
    account = AccountFactory(
        name=f"Idle {finished_days_ago}",
        bdr_assigned=users["bdr.amer1"],
        bdr_prospecting_status=AW,
        bdr_research="r",
        bdr_comments="c",
        actively_working_since=NOW - datetime.timedelta(days=60),
    )
    seq = Sequence.objects.get_or_create(name="idle seq")[0]
    for _ in range(5):
        Enrollment.objects.create(
            contact=ContactFactory(account=account),
            sequence=seq,
            state="finished",
            started_at=NOW - datetime.timedelta(days=58),
            finished_at=NOW - datetime.timedelta(days=finished_days_ago),
        )
    return account


@pytest.mark.django_db
def test_auto_2_reversions_queued_with_notification_and_worked_in_fy(users):
    late = AccountFactory(
        name="Late research",
        bdr_assigned=users["bdr.amer1"],
        bdr_prospecting_status=AW,
        actively_working_since=NOW - datetime.timedelta(days=11),
    )
    idle = _idle_account(users, finished_days_ago=31)
    recent = _idle_account(users, finished_days_ago=29)
    Account.objects.filter(pk=late.pk).update(updated_by=users["bdr.amer1"])
    counts = bps_run_reversions()
    assert counts["queued"] == 1 and counts["worked_in_fy"] == 1
    version = late.version
    late.refresh_from_db()
    assert late.bdr_prospecting_status == QUEUED and late.actively_working_since is None
    # Q-CONC: the job's set-based write is a new version (a form opened before goes stale),
    # written by no one (a job), as touch() records one record's change
    assert (late.version, late.updated_by_id) == (version + 1, None)
    assert Notification.objects.filter(recipient=users["bdr.amer1"], object_id=late.pk).exists()
    statuses = dict(
        Account.objects.filter(pk__in=[idle.pk, recent.pk]).values_list(
            "name", "bdr_prospecting_status"
        )
    )
    assert statuses == {"Idle 31": WIFY, "Idle 29": AW}
    change = FieldChange.objects.get(object_id=idle.pk, field="bdr_prospecting_status")
    assert "ACCT-BPS 4" in change.reason
    again = bps_run_reversions()  # idempotent
    assert again["queued"] == again["worked_in_fy"] == 0


@pytest.mark.django_db
def test_auto_2_rule_4_reads_sequences_not_sales_activity(users):
    """ACCT-BPS 4 as SPEC words it: "none of its people has been active in a sequence for 30
    days". Hooli's last sales activity was 45 days ago, but its 5 people are enrolled in an
    active sequence (CONTRACT 4): it stays Actively Working; Globex too."""
    bps_run_reversions()
    statuses = dict(
        Account.objects.filter(name__in=["Globex Corporation", "Hooli"]).values_list(
            "name", "bdr_prospecting_status"
        )
    )
    assert statuses == {"Globex Corporation": AW, "Hooli": AW}


@pytest.mark.django_db
def test_auto_2_five_people_enrolled_within_15_days_keeps_the_account(users):
    account = AccountFactory(
        bdr_assigned=users["bdr.amer1"],
        bdr_prospecting_status=AW,
        bdr_research="r",
        bdr_comments="c",
        actively_working_since=NOW - datetime.timedelta(days=16),
    )
    seq = Sequence.objects.create(name="s")
    people = [ContactFactory(account=account) for _ in range(5)]
    for p in people[:4]:
        Enrollment.objects.create(
            contact=p, sequence=seq, started_at=NOW - datetime.timedelta(days=10)
        )
    Activity.objects.create(account=account, kind="call", is_sales=True, occurred_at=NOW)
    assert bps_run_reversions()["queued"] == 1  # 4 of 5: back to Queued
    Account.objects.filter(pk=account.pk).update(
        bdr_prospecting_status=AW, actively_working_since=NOW - datetime.timedelta(days=16)
    )
    Enrollment.objects.create(
        contact=people[4], sequence=seq, started_at=NOW - datetime.timedelta(days=9)
    )
    assert bps_run_reversions()["queued"] == 0


@pytest.mark.django_db
def test_acct_bps_3_enrolled_people_count_leads_and_contacts(users):
    """ACCT-BPS 3: "≥ 5 people enrolled in sequences within 15 days" counts the account's
    leads (by matched account) as well as its contacts; 3 contacts + 2 leads keep it, while
    3 contacts + 1 lead (+ a converted lead, already its contact) send it back to Queued."""
    seq = Sequence.objects.create(name="s")
    since = NOW - datetime.timedelta(days=16)

    def account_with(contacts: int, leads: int, converted: int = 0):
        account = AccountFactory(
            bdr_assigned=users["bdr.amer1"],
            bdr_prospecting_status=AW,
            bdr_research="r",
            bdr_comments="c",
            actively_working_since=since,
        )
        started = NOW - datetime.timedelta(days=10)
        for _ in range(contacts):
            Enrollment.objects.create(
                contact=ContactFactory(account=account), sequence=seq, started_at=started
            )
        for _ in range(leads):
            Enrollment.objects.create(
                lead=LeadFactory(matched_account=account), sequence=seq, started_at=started
            )
        for _ in range(converted):
            lead = LeadFactory(
                matched_account=account, converted_contact=ContactFactory(account=account)
            )
            Enrollment.objects.create(lead=lead, sequence=seq, started_at=started)
        return account

    kept = account_with(3, 2)
    short = account_with(3, 1, converted=1)
    assert bps_run_reversions()["queued"] == 1
    assert Account.objects.get(pk=kept.pk).bdr_prospecting_status == AW
    assert Account.objects.get(pk=short.pk).bdr_prospecting_status == QUEUED
    b3 = with_deadline_facts(Account.objects.filter(pk=kept.pk)).get()
    assert b3.people_enrolled == 5


@pytest.mark.django_db
def test_auto_3_fiscal_year_reset_only_last_years_worked_in_fy(users):
    old = AccountFactory(
        bdr_prospecting_status=WIFY, bps_changed_at=NOW - datetime.timedelta(days=400)
    )
    fresh = AccountFactory(bdr_prospecting_status=WIFY, bps_changed_at=NOW)
    assert bps_fiscal_year_reset()["fy_reset"] == 1
    assert Account.objects.get(pk=old.pk).bdr_prospecting_status == QUEUED
    assert Account.objects.get(pk=fresh.pk).bdr_prospecting_status == WIFY
    assert bps_fiscal_year_reset()["fy_reset"] == 0


@pytest.mark.django_db
def test_auto_2_management_command_runs_now_and_logs_a_job(users):
    from io import StringIO

    _idle_account(users, finished_days_ago=40)
    from gtm_portal.core.models import JobRun

    out = StringIO()
    call_command("run_bps_automation", stdout=out)
    assert "worked_in_fy 1" in out.getvalue()
    job = JobRun.objects.get(name="bdr_prospecting_status")
    assert job.state == "done" and job.counts["worked_in_fy"] == 1


# -- VIEW-5 B2: mass status change --------------------------------------------------------------


@pytest.mark.django_db
def test_view5_b2_mass_status_change_refused_rows_stay_unchanged(client, users, vandelay):
    blocked = AccountFactory(
        name="Blocked Co",
        bdr_assigned=users["bdr.amer1"],
        bdr_prospecting_status=QUEUED,
        segment="SMB",
    )
    ContactFactory(account=blocked, status="MQL", mql_date=NOW - datetime.timedelta(days=1))
    before = state(blocked)
    client.force_login(users["bdr.amer1"])
    r = client.post(
        "/accounts/views/B2/mass/",
        {"action": "status", "to": AW, "ids": [vandelay.pk, blocked.pk]},
        follow=True,
    )
    text = " ".join(str(m) for m in r.context["messages"])
    assert "1 done, 1 refused: Blocked Co: ACCT-BPS 2" in text
    assert Account.objects.get(pk=vandelay.pk).bdr_prospecting_status == AW
    assert state(blocked) == before
