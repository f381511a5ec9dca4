"""The report filters of CONTRACT 6.4 (SPEC §11): `from`, `to` (inclusive dates, default the
current fiscal year to date), `region`, `segment`, `source_bucket`, `team`, `rep`; a bad value
is refused naming its field (400), never a 500."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q
from django.utils import timezone

from accounts.workflow import fiscal_year_start
from gtm_portal.refdata.enums import Segment, Setting, SourceBucket
from gtm_portal.refdata.models import PortalSetting, Region
from gtm_portal.users.models import Team, User

FILTER_FIELDS = ("from", "to", "region", "segment", "source_bucket", "team", "rep")


class BadFilter(Exception):
    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


def fiscal_start_month() -> int:
    value = (
        PortalSetting.objects.filter(key=Setting.FISCAL_YEAR_START_MONTH)
        .values_list("value", flat=True)
        .first()
    )
    return value or 2


@dataclass
class Filters:
    start: datetime.date
    end: datetime.date
    tz: ZoneInfo
    region: Region | None = None
    segment: str = ""
    source_bucket: str = ""
    team: Team | None = None
    rep: User | None = None
    values: dict = field(default_factory=dict)  # the query string as given, for links

    @property
    def start_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.start, datetime.time(0), tzinfo=self.tz)

    @property
    def end_at(self) -> datetime.datetime:
        """Exclusive: midnight after the `to` day, in the viewer's zone (Q-TZ)."""
        day = self.end + datetime.timedelta(days=1)
        return datetime.datetime.combine(day, datetime.time(0), tzinfo=self.tz)

    def between(self, name: str) -> Q:
        return Q(**{f"{name}__gte": self.start_at, f"{name}__lt": self.end_at})

    def months(self) -> list[datetime.date]:
        out, month = [], self.start.replace(day=1)
        while month <= self.end:
            out.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return out

    def in_month(self, name: str, month: str) -> Q:
        """`name` falls in the month "YYYY-MM" of the viewer's zone (and in the range)."""
        try:
            first = datetime.date(int(month[:4]), int(month[5:7]), 1)
        except (ValueError, IndexError):
            raise BadFilter("month", "Give a month as YYYY-MM.") from None
        after = (first + datetime.timedelta(days=32)).replace(day=1)
        return self.between(name) & Q(
            **{
                f"{name}__gte": datetime.datetime.combine(first, datetime.time(0), tzinfo=self.tz),
                f"{name}__lt": datetime.datetime.combine(after, datetime.time(0), tzinfo=self.tz),
            }
        )

    def person_q(self, account: str, prefix: str = "") -> Q:
        """The filters on leads (account = "matched_account") or contacts ("account");
        `prefix` reaches the person from another row ("lead__")."""

        def q(**kw) -> Q:
            return Q(**{prefix + k: v for k, v in kw.items()})

        out = ~q(title="Test") & q(merged_into__isnull=True)
        if self.region:
            out &= q(region=self.region) | q(region__parent=self.region)
        if self.segment:
            out &= q(**{f"{account}__segment": self.segment})
        if self.source_bucket:
            out &= q(initial_source__bucket=self.source_bucket)
        if self.team:
            out &= q(owner__team=self.team)
        if self.rep:
            out &= q(owner=self.rep)
        return out

    def opportunity_q(self, prefix: str = "", rep_field: str = "sdr_bdr") -> Q:
        """The filters on opportunities: the account's region and segment, the source's
        bucket, the credited rep (SAO-1) and their team."""
        q = Q()
        if self.region:
            q &= Q(**{f"{prefix}account__region": self.region}) | Q(
                **{f"{prefix}account__region__parent": self.region}
            )
        if self.segment:
            q &= Q(**{f"{prefix}account__segment": self.segment})
        if self.source_bucket:
            q &= Q(**{f"{prefix}source__bucket": self.source_bucket})
        if self.team:
            q &= Q(**{f"{prefix}{rep_field}__team": self.team})
        if self.rep:
            q &= Q(**{f"{prefix}{rep_field}": self.rep})
        return q

    def user_q(self) -> Q:
        q = Q()
        if self.team:
            q &= Q(team=self.team)
        if self.rep:
            q &= Q(pk=self.rep.pk)
        if self.region:
            q &= Q(region=self.region) | Q(region__parent=self.region)
        return q

    def query(self, **extra) -> dict:
        return {**{k: v for k, v in self.values.items() if v}, **extra}


def _date(data, name: str, default: datetime.date) -> datetime.date:
    raw = (data.get(name) or "").strip()
    if not raw:
        return default
    try:
        return datetime.date.fromisoformat(raw) if len(raw) == 10 else _bad_date(name)
    except ValueError:
        return _bad_date(name)


def _bad_date(name):
    raise BadFilter(name, "Enter a date as YYYY-MM-DD.")


def _zone(user) -> ZoneInfo:
    try:
        return ZoneInfo(getattr(user, "time_zone", "") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _lookup(data, name, qs, key: str, label: str):
    raw = (data.get(name) or "").strip()
    if not raw:
        return None
    found = None if "\x00" in raw else qs.filter(**{key: raw}).first()
    if found is None:
        raise BadFilter(name, f"Unknown {label} “{raw[:60]}”.")
    return found


def _choice(data, name, choices) -> str:
    raw = (data.get(name) or "").strip()
    if raw and raw not in choices:
        raise BadFilter(name, f"Choose one of: {', '.join(choices)}.")
    return raw


def parse_filters(data, user, now=None) -> Filters:
    tz = _zone(user)
    today = timezone.localtime(now or timezone.now(), tz).date()
    start = _date(data, "from", fiscal_year_start(today, fiscal_start_month()))
    end = _date(data, "to", today)
    if end < start:
        raise BadFilter("to", "The end date is before the start date.")
    if (end - start).days > 366 * 20:
        raise BadFilter("to", "Choose a range of at most twenty years.")
    return Filters(
        start=start,
        end=end,
        tz=tz,
        region=_lookup(data, "region", Region.objects, "code", "region"),
        segment=_choice(data, "segment", Segment.values),
        source_bucket=_choice(data, "source_bucket", SourceBucket.values),
        team=_lookup(data, "team", Team.objects, "name", "team"),
        rep=_lookup(data, "rep", User.objects.people(), "username", "user"),
        values={k: data.get(k, "") for k in FILTER_FIELDS},
    )


def number(data, name: str, default=None, low=0, high=None) -> Decimal | None:
    """A what-if or planner input: a number within [low, high]; empty gives the default."""
    raw = (data.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise BadFilter(name, "Enter a number.") from None
    if not value.is_finite() or value < low or (high is not None and value > high):
        bounds = f"from {low}" + (f" to {high}" if high is not None else "")
        raise BadFilter(name, f"Enter a number {bounds}.")
    return value
