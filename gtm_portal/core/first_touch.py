"""ROUTE-4 speed to lead, stored: the business minutes from a person's MQL date to the
owner's first touch, in the owner's calendar (working hours, time zone, the holidays of the
owner's region), written wherever `first_touch_at` is written so REPORT-SLA aggregates a
column in SQL instead of walking calendars per row."""

import datetime
from collections import defaultdict

from gtm_portal.refdata.models import Holiday

from .business_time import Calendar, business_minutes_between, calendar_for

BACKFILL_CHUNK = 1000


def holiday_region_id(owner) -> int | None:
    """REF-7 / ROUTE-4: the region whose holidays an owner keeps — the top region of theirs
    (`Region.top`, spelled with ids so migrations' historical models read it too)."""
    if owner.region_id is None:
        return None
    return owner.region.parent_id or owner.region_id


def holidays_by_region(holiday_model=Holiday) -> dict:
    """Every holiday, by region id (a small table: read whole by batch writers)."""
    holidays: dict = defaultdict(set)
    for region_id, day in holiday_model.objects.values_list("region_id", "date"):
        holidays[region_id].add(day)
    return holidays


def owner_calendar(owner, holidays: dict | None = None) -> Calendar:
    """The owner's business calendar (ROUTE-4, AUTO-7): working hours and time zone with the
    holidays of their region, from `holidays` (`holidays_by_region`) or read for this owner."""
    region = holiday_region_id(owner)
    if holidays is not None:
        return calendar_for(owner, holidays.get(region, ()))
    days = Holiday.objects.filter(region_id=region).values_list("date", flat=True) if region else ()
    return calendar_for(owner, set(days))


def minutes_to_first_touch(
    mql_date: datetime.datetime | None,
    first_touch_at: datetime.datetime | None,
    owner,
    cal: Calendar | None = None,
) -> float | None:
    """The one computation of the stored minutes: None while untouched (or never MQL or
    unowned), else the owner's business minutes from MQL to the touch (0 for a touch
    before the MQL)."""
    if mql_date is None or first_touch_at is None or owner is None:
        return None
    return business_minutes_between(mql_date, first_touch_at, cal or owner_calendar(owner))


def backfill_first_touch_minutes(
    person_model, user_model, holiday_model=Holiday, chunk: int = BACKFILL_CHUNK
) -> int:
    """Fill the stored minutes of every touched MQL of `person_model` (historical models in
    a migration): the holidays read once, each owner's calendar once, the people walked in
    primary-key chunks, each chunk written back in one statement. Returns how many rows."""
    holidays = holidays_by_region(holiday_model)
    owners: dict = {}
    touched = person_model.objects.filter(
        mql_date__isnull=False, first_touch_at__isnull=False, owner__isnull=False
    ).order_by("pk")
    columns = ("pk", "owner_id", "mql_date", "first_touch_at")
    done, last = 0, 0
    while True:
        rows = list(touched.filter(pk__gt=last).values_list(*columns)[:chunk])
        if not rows:
            return done
        new = {owner_id for _, owner_id, _, _ in rows} - set(owners)
        for owner in user_model.objects.filter(pk__in=new).select_related("region"):
            owners[owner.pk] = (owner, owner_calendar(owner, holidays))
        people = [
            person_model(pk=pk, first_touch_minutes=minutes_to_first_touch(mql, touch, *owners[o]))
            for pk, o, mql, touch in rows
        ]
        person_model.objects.bulk_update(people, ["first_touch_minutes"])
        done += len(people)
        last = rows[-1][0]
