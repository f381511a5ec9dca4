"""REPORT-SLA: MQL speed to lead per rep — the MQLs (MQL date in the range) they own, how
many were touched, the median and p90 business minutes (ROUTE-4: the owner's working hours,
zone and region holidays) from MQL to first touch, % touched within the SLA deadline, and the
breaches (touched after the deadline, or not touched with the deadline passed).

The counts are SQL; the business-minute gaps are worked out per touched MQL from the two
stamps (business time is calendar arithmetic no database offers), over the rows of the
filtered range only. p90 is the nearest rank: the ⌈0.9·n⌉-th smallest."""

import datetime
import math
import statistics

from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.models import Contact
from gtm_portal.core.business_time import business_minutes_between, calendar_for
from gtm_portal.refdata.models import Holiday
from gtm_portal.users.models import User
from leads.models import Lead

from ..params import Filters
from ..table import Table, chart, pct, rounded

HEADER = ["rep", "mqls", "touched", "median_minutes", "p90_minutes", "within_sla_pct", "breaches"]


def mqls(f: Filters, model):
    account = "account" if model is Contact else "matched_account"
    return model.objects.filter(
        f.person_q(account), f.between("mql_date"), owner__kind=User.Kind.PERSON
    )


def breached(now=None):
    now = now or timezone.now()
    return Q(sla_due__isnull=False) & (
        Q(first_touch_at__gt=F("sla_due")) | Q(first_touch_at__isnull=True, sla_due__lt=now)
    )


def business_minutes(a: datetime.datetime, b: datetime.datetime, cal) -> float:
    """`business_minutes_between`, in constant time for long gaps: the two partial days
    through the calendar, the full days between by counting working weekdays (whole weeks
    at once) less the holidays on them."""
    zone = cal.zone
    first, last = a.astimezone(zone).date(), b.astimezone(zone).date()
    if (last - first).days < 15:
        return business_minutes_between(a, b, cal)
    start = first + datetime.timedelta(days=1)
    midnight = datetime.datetime.combine(start, datetime.time(0), tzinfo=zone)
    edge = datetime.datetime.combine(last, datetime.time(0), tzinfo=zone)
    days = (last - start).days
    weeks, rest = divmod(days, 7)
    working = weeks * len(cal.days) + sum(
        (start + datetime.timedelta(days=weeks * 7 + i)).weekday() in cal.days for i in range(rest)
    )
    working -= sum(1 for h in cal.holidays if start <= h < last and h.weekday() in cal.days)
    return (
        business_minutes_between(a, midnight, cal)
        + working * cal.day_minutes
        + business_minutes_between(edge, b, cal)
    )


def p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def _gaps(f: Filters, owners: dict) -> dict[int, list[float]]:
    gaps: dict[int, list[float]] = {}
    holidays: dict[int, set] = {}
    for region_id, day in Holiday.objects.values_list("region_id", "date"):
        holidays.setdefault(region_id, set()).add(day)
    calendars = {pk: calendar_for(u, holidays.get(u.region_id, ())) for pk, u in owners.items()}
    for model in (Lead, Contact):
        pairs = (
            mqls(f, model)
            .filter(first_touch_at__isnull=False)
            .values_list("owner_id", "mql_date", "first_touch_at")
        )
        for owner_id, mql_at, touch_at in pairs.iterator(chunk_size=2000):
            minutes = business_minutes(mql_at, touch_at, calendars[owner_id])
            gaps.setdefault(owner_id, []).append(minutes)
    return gaps


def sla(f: Filters, now=None) -> Table:
    counts: dict[int, dict] = {}
    for model in (Lead, Contact):
        rows = (
            mqls(f, model)
            .values("owner_id")
            .annotate(
                mqls=Count("id"),
                touched=Count("id", filter=Q(first_touch_at__isnull=False)),
                within=Count("id", filter=Q(first_touch_at__lte=F("sla_due"))),
                breaches=Count("id", filter=breached(now)),
            )
            .order_by()
        )
        for r in rows:
            c = counts.setdefault(
                r["owner_id"], {"mqls": 0, "touched": 0, "within": 0, "breaches": 0}
            )
            for k in c:
                c[k] += r[k]
    owners = User.objects.in_bulk(list(counts))
    gaps = _gaps(f, owners)
    table = Table(HEADER)
    for pk in sorted(counts, key=lambda pk: owners[pk].username):
        c, g = counts[pk], gaps.get(pk, [])
        median = rounded(statistics.median(g), 1) if g else ""
        ninety = p90(g)
        within = pct(c["within"], c["mqls"])
        username = owners[pk].username
        table.add(
            [
                username,
                c["mqls"],
                c["touched"],
                median,
                "" if ninety is None else rounded(ninety, 1),
                "" if within is None else within,
                c["breaches"],
            ],
            {
                "mqls": {"rep": username, "measure": "mqls"},
                "breaches": {"rep": username, "measure": "breaches"},
            },
        )
    table.chart = chart(
        "bar",
        [r[0] for r in table.rows],
        [
            ("Median minutes", [r[3] or 0 for r in table.rows]),
            ("p90 minutes", [r[4] or 0 for r in table.rows]),
        ],
    )
    return table
