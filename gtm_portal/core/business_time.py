"""Business time (SPEC "Business time", ROUTE-4, Q-TZ): the owner's working hours in the
owner's time zone, minus the holidays of the owner's region. Pure; DST-correct because every
boundary is built as a local wall-clock time and compared as an aware instant."""

import datetime
from collections.abc import Collection
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

MAX_DAYS = 3660  # a calendar with no working day at all must not loop forever


@dataclass(frozen=True)
class Calendar:
    tz: str = "UTC"
    start: datetime.time = datetime.time(9, 0)
    end: datetime.time = datetime.time(17, 0)
    days: frozenset = frozenset({0, 1, 2, 3, 4})
    holidays: frozenset = field(default_factory=frozenset)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def is_working_day(self, day: datetime.date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def window(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
        zone = self.zone
        return (
            datetime.datetime.combine(day, self.start, tzinfo=zone),
            datetime.datetime.combine(day, self.end, tzinfo=zone),
        )

    @property
    def day_minutes(self) -> int:
        return (
            datetime.datetime.combine(datetime.date(2000, 1, 3), self.end)
            - datetime.datetime.combine(datetime.date(2000, 1, 3), self.start)
        ).seconds // 60


def add_business_minutes(
    start: datetime.datetime, minutes: float, cal: Calendar
) -> datetime.datetime:
    """The instant `minutes` of business time after `start` (aware), in UTC."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    remaining = datetime.timedelta(minutes=minutes)
    current = start.astimezone(cal.zone)
    day = current.date()
    for _ in range(MAX_DAYS):
        if cal.is_working_day(day):
            open_at, close_at = cal.window(day)
            begin = max(current, open_at)
            if begin < close_at:
                available = close_at - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(datetime.UTC)
                remaining -= available
        day += datetime.timedelta(days=1)
        current = datetime.datetime.combine(day, datetime.time(0), tzinfo=cal.zone)
    raise ValueError("the calendar has no working time")


def add_business_days(start: datetime.datetime, days: int, cal: Calendar) -> datetime.datetime:
    """`days` full working days of business time after `start`."""
    return add_business_minutes(start, days * cal.day_minutes, cal)


def business_minutes_between(a: datetime.datetime, b: datetime.datetime, cal: Calendar) -> float:
    """Business minutes from a to b (0 when b <= a), for speed-to-lead reports."""
    if b <= a:
        return 0.0
    total = datetime.timedelta()
    day = a.astimezone(cal.zone).date()
    last = b.astimezone(cal.zone).date()
    while day <= last:
        if cal.is_working_day(day):
            open_at, close_at = cal.window(day)
            lo, hi = max(open_at, a), min(close_at, b)
            if hi > lo:
                total += hi - lo
        day += datetime.timedelta(days=1)
    return total.total_seconds() / 60


def calendar_for(user, holidays: Collection[datetime.date] = ()) -> Calendar:
    return Calendar(
        tz=user.time_zone or "UTC",
        start=user.work_start,
        end=user.work_end,
        days=frozenset(user.work_days or ()),
        holidays=frozenset(holidays),
    )


# ROUTE-4 as a rep sees it: amber under 15 minutes to the SLA deadline, red once past.
SLA_SOON_SECONDS = 900


def sla_state(sla_due, now) -> str:
    """ "past", "soon" (under SLA_SOON_SECONDS left), "running", or "" without a deadline —
    one reading for the list rows (VIEW-1) and the record page's clock."""
    if not sla_due:
        return ""
    left = (sla_due - now).total_seconds()
    return "past" if left < 0 else "soon" if left < SLA_SOON_SECONDS else "running"
