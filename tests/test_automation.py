"""SPEC §10 AUTO-1..7 with a frozen clock (`now` handed to each job): what each job changes,
that it tells people once (one digest per person per run), and that a second run changes
nothing. The demo data set still matches CONTRACT 4 after every job has run."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.jobs import fiscal_year
from accounts.models import Account
from gtm_portal.activity.models import Activity, Enrollment, Sequence, Task
from gtm_portal.chatter.models import Notification
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.core.models import FieldChange
from gtm_portal.jobs import scheduler
from gtm_portal.jobs.models import HygieneFlag
from gtm_portal.refdata.models import Holiday
from gtm_portal.users.inactivity import inactive_users
from gtm_portal.users.models import User
from leads.jobs import bps_daily
from leads.models import DuplicateSuggestion, Lead
from leads.services.automation import sla_breaches
from leads.services.dedupe import duplicate_suggestions
from leads.services.expiries import daily_expiries

from . import test_seed_demo
from .factories import AccountFactory, ContactFactory, LeadFactory, OpportunityFactory
from .helpers import session

pytestmark = pytest.mark.django_db
NOW = timezone.now()
DAY = datetime.timedelta(days=1)


def _sla_notes(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, reason="sla").values_list("message", flat=True)
    )


# -- AUTO-1 ----------------------------------------------------------------------------------


def test_auto_1_breaches_notify_owner_and_manager_once_in_a_digest(users):
    sla_breaches(now=NOW)  # the demo data's own breaches are told first
    Notification.objects.filter(reason="sla").delete()
    later = NOW + datetime.timedelta(minutes=5)
    a1, a2, mgr = users["sdr.amer1"], users["sdr.amer2"], users["sdr.mgr"]
    due = later - datetime.timedelta(minutes=1)
    for owner in (a1, a1, a2):
        LeadFactory(owner=owner, status=S.MQL, sla_due=due)
    LeadFactory(owner=a1, status=S.MQL, sla_due=due, first_touch_at=due - DAY)  # touched
    LeadFactory(owner=a1, status=S.MQL, sla_due=later + DAY)  # not due yet
    ContactFactory(owner=a2, status=S.MQL, sla_due=due)
    counts = sla_breaches(now=later)
    assert counts["breaches"] == 4 and counts["changed"] == 4
    assert _sla_notes(a1) == [
        "2 of your leads and contacts breached their SLA (ROUTE-4): first touch was due and "
        "not made."
    ]
    assert len(_sla_notes(a2)) == 1 and _sla_notes(a2)[0].startswith("2 of your")
    assert _sla_notes(mgr) == [
        "4 SLA breaches in your team (ROUTE-4): first touch was due and not made."
    ]
    again = sla_breaches(now=later + datetime.timedelta(minutes=5))
    assert again["changed"] == 0 and Notification.objects.filter(reason="sla").count() == 3


def test_auto_1_a_new_deadline_after_rerouting_is_told_again(users):
    sla_breaches(now=NOW)
    lead = LeadFactory(owner=users["sdr.amer1"], status=S.MQL, sla_due=NOW + DAY)
    assert sla_breaches(now=NOW + 2 * DAY)["breaches"] == 1
    Lead.objects.filter(pk=lead.pk).update(sla_due=NOW + 3 * DAY)  # routed again: new SLA
    assert sla_breaches(now=NOW + 3 * DAY + DAY)["breaches"] == 1
    assert sla_breaches(now=NOW + 5 * DAY)["breaches"] == 0


def _enrollment(person, *, finished_days_ago: float, replied=False):
    seq = Sequence.objects.get_or_create(name="Outbound test")[0]
    link = {"lead": person} if isinstance(person, Lead) else {"contact": person}
    return Enrollment.objects.create(
        **link,
        sequence=seq,
        state="finished",
        started_at=NOW - datetime.timedelta(days=finished_days_ago + 14),
        finished_at=NOW - datetime.timedelta(days=finished_days_ago),
        replied=replied,
    )


def test_auto_1_seq_2_finished_without_reply_for_7_days_recycles(users):
    sla_breaches(now=NOW)
    owner = users["sdr.amer1"]
    due = LeadFactory(owner=owner, status=S.ACCEPTED)
    early = LeadFactory(owner=owner, status=S.ACCEPTED)
    replied = LeadFactory(owner=owner, status=S.QUALIFYING)
    contact = ContactFactory(owner=owner, status=S.ACCEPTED)
    _enrollment(due, finished_days_ago=7.1)
    _enrollment(early, finished_days_ago=6.5)
    _enrollment(replied, finished_days_ago=10, replied=True)
    _enrollment(contact, finished_days_ago=8)
    counts = sla_breaches(now=NOW)
    assert counts["recycled"] == 2
    statuses = {p.pk: type(p).objects.get(pk=p.pk).status for p in (due, early, replied)}
    assert statuses == {due.pk: S.RECYCLE, early.pk: S.ACCEPTED, replied.pk: S.QUALIFYING}
    contact.refresh_from_db()
    assert contact.status == S.RECYCLE
    change = FieldChange.objects.get(object_id=due.pk, field="status", reason__contains="SEQ-2")
    assert "SEQ-2 (AUTO-1)" in change.reason
    # Moved by hand back to Accepted: the old enrollment never recycles the person again.
    Lead.objects.filter(pk=due.pk).update(status=S.ACCEPTED)
    assert sla_breaches(now=NOW)["changed"] == 0
    assert sla_breaches(now=NOW + 2 * DAY)["recycled"] == 1  # `early`, now 8.5 days


def test_auto_1_a_response_after_the_sequence_keeps_the_person(users):
    lead = LeadFactory(owner=users["sdr.amer1"], status=S.QUALIFYING)
    enrollment = _enrollment(lead, finished_days_ago=9)
    Activity.objects.create(
        lead=lead, kind="email", direction="inbound", two_way=True, occurred_at=NOW - 8 * DAY
    )
    sla_breaches(now=NOW)
    lead.refresh_from_db()
    assert lead.status == S.QUALIFYING and enrollment.pk


# -- AUTO-2 ----------------------------------------------------------------------------------


def test_auto_2_hygiene_flags_raised_once_and_cleared_when_fixed(users):
    bdr = users["bdr.amer1"]
    account = AccountFactory(bdr_assigned=bdr, bdr_next_step_date=timezone.localdate(NOW) - DAY)
    quiet = LeadFactory(owner=users["sdr.amer1"], status=S.QUALIFYING)
    worked = LeadFactory(owner=users["sdr.amer1"], status=S.QUALIFYING)
    Activity.objects.create(
        lead=worked, kind="call", direction="outbound", is_sales=True, occurred_at=NOW - DAY
    )
    seq = Sequence.objects.create(name="Hygiene seq")
    late = Enrollment.objects.create(
        lead=LeadFactory(owner=users["sdr.amer1"]),
        sequence=seq,
        started_at=NOW - 5 * DAY,
        next_step_due=NOW - DAY,
    )
    first = bps_daily(now=NOW)
    assert first["flags_raised"] >= 3

    def open_flag(kind, obj):
        return HygieneFlag.objects.filter(
            kind=kind,
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=obj.pk,
            cleared_at__isnull=True,
        )

    assert open_flag("bdr_next_step", account).get().owner == bdr
    assert open_flag("no_outreach", quiet).exists() and not open_flag("no_outreach", worked)
    assert open_flag("sequence_step", late).get().due == late.next_step_due
    assert bps_daily(now=NOW)["changed"] == 0  # a second run raises nothing more
    Account.objects.filter(pk=account.pk).update(bdr_next_step_date=None)
    again = bps_daily(now=NOW)
    assert again["flags_cleared"] == 1 and again["changed"] == 1
    assert not open_flag("bdr_next_step", account).exists()


# -- AUTO-3 ----------------------------------------------------------------------------------


def test_auto_3_fiscal_year_boundary(users, settings):
    """Fiscal year starts 1 February (REF-7 default): the run of 31 January changes nothing,
    the run of 1 February resets last year's Worked in FY once."""
    jan31 = datetime.datetime(2027, 1, 31, 12, tzinfo=datetime.UTC)
    feb1 = datetime.datetime(2027, 2, 1, 0, 30, tzinfo=datetime.UTC)
    old = AccountFactory(bdr_prospecting_status="Worked in FY", bps_changed_at=jan31 - 30 * DAY)
    fiscal_year(now=NOW)  # today's run: the demo's and this year's stale ones reset
    Account.objects.filter(pk=old.pk).update(
        bdr_prospecting_status="Worked in FY", bps_changed_at=jan31 - 30 * DAY
    )
    assert fiscal_year(now=jan31)["changed"] == 0
    assert fiscal_year(now=feb1)["changed"] == 1
    assert Account.objects.get(pk=old.pk).bdr_prospecting_status == "Queued"
    assert fiscal_year(now=feb1 + DAY)["changed"] == 0


# -- AUTO-4 ----------------------------------------------------------------------------------


def test_auto_4_opt_outs_active_windows_and_trial_tasks_once(users):
    today = timezone.localdate(NOW)
    opted = LeadFactory(opt_out_until=today - DAY)
    active = LeadFactory(active_until=today - DAY)
    still = LeadFactory(active_until=today)
    ae = users["ae.amer1"]
    trial = OpportunityFactory(owner=ae, trial_expiry=today + 3 * DAY, stage="1-Discovery")
    OpportunityFactory(owner=ae, trial_expiry=today + 30 * DAY, stage="1-Discovery")
    OpportunityFactory(owner=ae, trial_expiry=today + DAY, stage="8-Closed Lost")
    counts = daily_expiries(now=NOW)
    assert counts["opt_outs_ended"] >= 1 and counts["active_windows_ended"] >= 1
    assert counts["trial_tasks"] == 1
    task = Task.objects.get(opportunity=trial)
    assert task.owner == ae and task.due_date == trial.trial_expiry and "Trial ends" in task.subject
    for lead in (opted, active, still):
        lead.refresh_from_db()
    assert opted.opt_out_until is None and active.active_until is None
    assert still.active_until == today
    assert (
        daily_expiries(now=NOW)["changed"] == 0
        and Task.objects.filter(opportunity=trial).count() == 1
    )


# -- AUTO-6 ----------------------------------------------------------------------------------


def test_auto_6_suggestions_by_email_or_name_and_company(users):
    duplicate_suggestions(now=NOW)
    a = LeadFactory(email="Dup@Example.com")
    b = LeadFactory(email="dup@example.com")
    c = LeadFactory(first_name="Ann", last_name="Lee", company="Acme Inc.", email="")
    d = LeadFactory(first_name="ann", last_name="LEE", company="ACME", email="")
    LeadFactory(first_name="Ann", last_name="Lee", company="Other Co", email="")
    counts = duplicate_suggestions(now=NOW)
    assert counts["suggested"] == 2
    pairs = set(DuplicateSuggestion.objects.values_list("first_id", "second_id", "reason"))
    assert {(a.pk, b.pk, "email"), (c.pk, d.pk, "name_company")} <= pairs
    assert duplicate_suggestions(now=NOW)["changed"] == 0


def test_auto_6_page_merge_link_and_not_a_duplicate_is_remembered(users):
    a = LeadFactory(email="twice@example.com", owner=users["sdr.amer1"])
    b = LeadFactory(email="twice@example.com", owner=users["sdr.amer1"])
    duplicate_suggestions(now=NOW)
    row = DuplicateSuggestion.objects.get(first=a, second=b)
    client = session(users["mops"])
    html = client.get("/leads/duplicates/").content.decode()
    assert f"/leads/merge/?ids={a.pk}&amp;ids={b.pk}" in html and "Not a duplicate" in html
    assert client.post(f"/leads/duplicates/{row.pk}/dismiss/").status_code == 302
    row.refresh_from_db()
    assert row.state == "dismissed" and row.decided_by == users["mops"]
    assert duplicate_suggestions(now=NOW + 7 * DAY)["suggested"] == 0  # remembered
    assert f"?ids={a.pk}&amp;ids={b.pk}" not in client.get("/leads/duplicates/").content.decode()
    for who in ("sdr.amer1", "sdr.mgr"):
        other = session(users[who])
        assert other.get("/leads/duplicates/").status_code == 403
        assert other.post(f"/leads/duplicates/{row.pk}/dismiss/").status_code == 403


def test_auto_6_a_merged_pair_leaves_the_list(users):
    a = LeadFactory(email="m@example.com", owner=users["sdr.amer1"])
    b = LeadFactory(email="m@example.com", owner=users["sdr.amer1"])
    duplicate_suggestions(now=NOW)
    Lead.objects.filter(pk=b.pk).update(merged_into=a)
    assert duplicate_suggestions(now=NOW)["resolved"] == 1
    assert DuplicateSuggestion.objects.get(first=a, second=b).state == "merged"


# -- AUTO-7 ----------------------------------------------------------------------------------


def test_auto_7_warned_at_45_days_deactivated_5_business_days_later(users):
    """Warned Monday 2026-12-21 in Berlin; EMEA's holidays (25 and 28 December, seeded) are
    skipped with the weekend: the 5th business day after is Wednesday 30 December (without
    the holidays it would be Monday 28)."""
    user = users["sdr.emea1"]
    holidays = set(Holiday.objects.filter(region=user.region.top).values_list("date", flat=True))
    assert {datetime.date(2026, 12, 25), datetime.date(2026, 12, 28)} <= holidays

    def at(day, hour=6):
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo(user.time_zone))

    warn_day = datetime.date(2026, 12, 21)
    User.objects.exclude(pk=user.pk).update(last_login=at(warn_day))  # everyone else active
    User.objects.filter(pk=user.pk).update(last_login=at(warn_day) - 46 * DAY)
    first = inactive_users(now=at(warn_day))
    assert first == {"changed": 1, "warned": 1, "deactivated": 0}
    assert Notification.objects.filter(recipient=user, message__contains="AUTO-7").count() == 1
    assert inactive_users(now=at(warn_day))["changed"] == 0  # warned once
    for day in (datetime.date(2026, 12, 28), datetime.date(2026, 12, 29)):
        assert inactive_users(now=at(day))["deactivated"] == 0, day
    owned = LeadFactory(owner=user)
    assert inactive_users(now=at(datetime.date(2026, 12, 30)))["deactivated"] == 1
    user.refresh_from_db()
    owned.refresh_from_db()
    assert not user.is_active and owned.owner_id == user.pk  # records keep their owner
    told = Notification.objects.get(recipient=user.manager, message__contains="deactivated")
    assert user.label in told.message
    assert inactive_users(now=at(datetime.date(2026, 12, 31)))["changed"] == 0


def test_auto_7_never_logged_in_counts_from_the_day_they_joined(users):
    user = users["sdr.emea1"]
    User.objects.update(last_login=NOW)
    User.objects.filter(pk=user.pk).update(last_login=None, date_joined=NOW - 44 * DAY)
    assert inactive_users(now=NOW)["warned"] == 0
    assert inactive_users(now=NOW + 2 * DAY)["warned"] == 1


def test_auto_7_logging_in_after_the_warning_keeps_the_user(users):
    user = users["sdr.emea1"]
    User.objects.update(last_login=NOW)
    User.objects.filter(pk=user.pk).update(last_login=NOW - 50 * DAY)
    assert inactive_users(now=NOW)["warned"] == 1
    User.objects.filter(pk=user.pk).update(last_login=NOW + DAY)
    assert inactive_users(now=NOW + 20 * DAY)["deactivated"] == 0
    user.refresh_from_db()
    assert user.is_active


# -- CONTRACT 4 after every job --------------------------------------------------------------


def test_demo_data_still_matches_contract_4_after_every_job_ran(users):
    assert len(scheduler.tick_once(NOW)) == 8
    assert scheduler.tick_once(NOW) == []
    statuses = dict(
        Account.objects.filter(name__in=["Globex Corporation", "Hooli"]).values_list(
            "name", "bdr_prospecting_status"
        )
    )
    assert statuses == {"Globex Corporation": "Actively Working", "Hooli": "Actively Working"}
    test_seed_demo.test_users_roles_managers_and_password(users, session(users["mops"]))
    test_seed_demo.test_pool_memberships_and_levels(users)
    test_seed_demo.test_named_accounts(users)
    test_seed_demo.test_named_opportunities(users)
