"""ROUTE-4 speed to lead stored with the first touch, and REPORT-SLA's median and p90 read
from it in SQL (#20): numbers worked out by hand."""

import datetime
import importlib

import pytest
from django.apps import apps

from accounts.models import Contact
from gtm_portal.activity.services import activity_record, activity_undo
from gtm_portal.core.first_touch import backfill_first_touch_minutes, owner_calendar
from gtm_portal.refdata.models import Holiday, Region
from gtm_portal.users.models import User
from leads.models import Lead
from leads.services.merge import load_records, merge_people
from leads.services.routing.sla import SlaCalendars
from tests.factories import ContactFactory, LeadFactory
from tests.reports_data import at, rows, user

APRIL = {"from": "2026-04-01", "to": "2026-05-31"}
EASTER_MONDAY = datetime.date(2026, 4, 6)


def berlin_rep(username="sdr.berlin"):
    """09:00–17:00 Berlin (UTC+2 in April), Mon–Fri, in a sub-region whose top region
    keeps Easter Monday as a holiday."""
    top = Region.objects.create(code="T-TOP", name="Test top")
    sub = Region.objects.create(code="T-SUB", name="Test sub", parent=top)
    Holiday.objects.create(region=top, date=EASTER_MONDAY, name="Easter Monday")
    rep = user(username, "SDR", tz="Europe/Berlin")
    rep.region = sub
    rep.save()
    return rep


def stored(person):
    person.refresh_from_db()
    return person.first_touch_at, person.first_touch_minutes


@pytest.mark.django_db
def test_route_4_first_touch_stores_business_minutes_over_a_night_a_weekend_and_a_holiday(
    refdata,
):
    """Lead: MQL Fri 3 Apr 16:30 Berlin → 30 min that day; Sat, Sun off; Easter Monday a
    holiday; touched Tue 09:45 → 45: 75. Contact: MQL Tue 16:00 → 60, the night off, touched
    Wed 10:00 → 60: 120. A later touch changes neither."""
    rep = berlin_rep()
    lead = LeadFactory(owner=rep, status="MQL", mql_date=at(2026, 4, 3, 14, 30))
    contact = ContactFactory(owner=rep, status="MQL", mql_date=at(2026, 4, 7, 14))
    assert stored(lead) == (None, None)
    activity_record(kind="call", logged_by=rep, lead=lead, occurred_at=at(2026, 4, 7, 7, 45))
    activity_record(kind="email", logged_by=rep, contact=contact, occurred_at=at(2026, 4, 8, 8))
    assert stored(lead) == (at(2026, 4, 7, 7, 45), 75.0)
    assert stored(contact) == (at(2026, 4, 8, 8), 120.0)
    activity_record(kind="call", logged_by=rep, lead=lead, occurred_at=at(2026, 4, 7, 8))
    assert stored(lead) == (at(2026, 4, 7, 7, 45), 75.0)


@pytest.mark.django_db
def test_ref_7_the_minutes_keep_the_holidays_the_sla_deadline_keeps(refdata):
    """REF-7 / ROUTE-4, one calendar: the stored minutes skip the top region's holidays and
    only those, as routing's deadline does — a holiday on the sub-region alone is a working
    day for both. MQL Thu 2 Apr 16:30 Berlin, touched Fri 3 Apr 09:30: 30 + 30 = 60."""
    rep = berlin_rep()
    Holiday.objects.create(region=rep.region, date=datetime.date(2026, 4, 3), name="Sub only")
    rep = User.objects.select_related("region").get(pk=rep.pk)
    deadline_calendar = SlaCalendars(at(2026, 4, 2, 14, 30)).calendar(rep)
    assert owner_calendar(rep).holidays == deadline_calendar.holidays == {EASTER_MONDAY}
    lead = LeadFactory(owner=rep, status="MQL", mql_date=at(2026, 4, 2, 14, 30))
    activity_record(kind="call", logged_by=rep, lead=lead, occurred_at=at(2026, 4, 3, 7, 30))
    assert stored(lead) == (at(2026, 4, 3, 7, 30), 60.0)


@pytest.mark.django_db
def test_route_4_undo_of_the_touching_activity_moves_or_clears_the_stored_minutes(refdata):
    """MQL Tue 10:00 (UTC, 09–17): a call at 10:20 (20 min), another at 11:00. Undo the
    first: the touch is the 11:00 call, 60 min; undo that one too: untouched, no minutes."""
    rep = user("sdr.one", "SDR")
    lead = LeadFactory(owner=rep, status="MQL", mql_date=at(2026, 4, 7, 10))
    first = activity_record(
        kind="call", logged_by=rep, lead=lead, occurred_at=at(2026, 4, 7, 10, 20)
    )
    second = activity_record(kind="call", logged_by=rep, lead=lead, occurred_at=at(2026, 4, 7, 11))
    assert stored(lead) == (at(2026, 4, 7, 10, 20), 20.0)
    activity_undo(activity_id=first.pk, task_id=None, by=rep)
    assert stored(lead) == (at(2026, 4, 7, 11), 60.0)
    activity_undo(activity_id=second.pk, task_id=None, by=rep)
    assert stored(lead) == (None, None)


@pytest.mark.django_db
def test_route_4_merge_keeps_the_earlier_first_touch_and_its_minutes(refdata):
    """Older lead: MQL Tue 10:00, touched 10:30 (30 min); the survivor: MQL Wed 10:00,
    touched 10:05 (5 min). The merged person has the first MQL and the first touch: 30."""
    rep = user("sdr.one", "SDR")
    older = LeadFactory(
        owner=rep, status="MQL", mql_date=at(2026, 4, 7, 10), first_touch_at=at(2026, 4, 7, 10, 30)
    )
    survivor = LeadFactory(
        owner=rep, status="MQL", mql_date=at(2026, 4, 8, 10), first_touch_at=at(2026, 4, 8, 10, 5)
    )
    assert (older.first_touch_minutes, survivor.first_touch_minutes) == (30.0, 5.0)
    merged = merge_people(
        records=load_records([survivor.pk, older.pk]), survivor_pk=survivor.pk, by=rep, picks={}
    ).survivor
    assert merged.pk == survivor.pk
    assert (merged.mql_date, *stored(merged)) == (at(2026, 4, 7, 10), at(2026, 4, 7, 10, 30), 30.0)


@pytest.mark.django_db
def test_route_4_backfill_fills_the_touched_mqls_in_their_owners_calendars(refdata):
    """The migration's backfill over rows stored without minutes: the holiday weekend of
    the Berlin rep (75), a UTC rep's same-day touch (20), a touch before the MQL (0); the
    untouched and the never-MQL stay empty."""
    rep, utc = berlin_rep(), user("sdr.utc", "SDR")
    none = {"first_touch_minutes": None}
    weekend = LeadFactory(
        owner=rep, mql_date=at(2026, 4, 3, 14, 30), first_touch_at=at(2026, 4, 7, 7, 45), **none
    )
    same_day = ContactFactory(
        owner=utc, mql_date=at(2026, 4, 7, 10), first_touch_at=at(2026, 4, 7, 10, 20), **none
    )
    early = LeadFactory(
        owner=utc, mql_date=at(2026, 4, 7, 10), first_touch_at=at(2026, 4, 6, 10), **none
    )
    untouched = LeadFactory(owner=utc, mql_date=at(2026, 4, 7, 10), **none)
    never_mql = LeadFactory(owner=utc, first_touch_at=at(2026, 4, 7, 10), **none)
    assert backfill_first_touch_minutes(Lead, User, Holiday, chunk=1) == 2
    migration = importlib.import_module("accounts.migrations.0014_first_touch_minutes")
    migration.backfill(apps, None)
    got = [stored(p)[1] for p in (weekend, same_day, early, untouched, never_mql)]
    assert got == [75.0, 20.0, 0.0, None, None]


def touched(model_factory, rep, minutes: list[int]):
    """Touched MQLs whose business minutes are `minutes` (MQL Tue 7 Apr 09:00 UTC, touched
    the same working day)."""
    mql = at(2026, 4, 7, 9)
    for m in minutes:
        model_factory(
            owner=rep,
            status="MQL",
            mql_date=mql,
            first_touch_at=mql + datetime.timedelta(minutes=m),
        )


@pytest.mark.django_db
def test_report_sla_median_and_p90_pool_a_reps_leads_and_contacts(refdata):
    """sdr.even: leads 10…50, contacts 60…100 (n = 10) → median (50 + 60) / 2 = 55, p90 the
    ⌈9⌉ = 9th smallest = 90 (not the largest); plus one untouched MQL. sdr.odd: leads 1…6,
    contacts 7…11 (n = 11) → median the 6th = 6, p90 the ⌈9.9⌉ = 10th = 10 (leads alone
    would give 3.5 and 6)."""
    even, odd = user("sdr.even", "SDR"), user("sdr.odd", "SDR")
    touched(LeadFactory, even, [50, 10, 40, 20, 30])
    touched(ContactFactory, even, [100, 60, 90, 70, 80])
    LeadFactory(owner=even, status="MQL", mql_date=at(2026, 4, 9))
    touched(LeadFactory, odd, [6, 5, 4, 3, 2, 1])
    touched(ContactFactory, odd, [11, 7, 10, 8, 9])
    assert Contact.objects.filter(owner=odd).count() == 5
    got = rows(even, "sla", **APRIL)
    assert [
        (r["rep"], r["mqls"], r["touched"], r["median_minutes"], r["p90_minutes"]) for r in got
    ] == [("sdr.even", "11", "10", "55.0", "90.0"), ("sdr.odd", "11", "11", "6.0", "10.0")]
    assert got[0]["within_sla_pct"] == "0.0" and got[0]["breaches"] == "0"  # no deadlines
