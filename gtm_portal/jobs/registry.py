"""The jobs of SPEC §10, registered by the apps that own their rules (STYLE 1: core and this
app import no domain app). A job is a name, its SPEC rule, a schedule and one idempotent
service `run(now) -> counts` whose counts hold `changed` (rows it changed) and, where rows
failed, `errors`."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = datetime.UTC


@dataclass(frozen=True)
class Every:
    """Every `minutes` minutes, on the clock (00:00, 00:05, … UTC)."""

    minutes: int

    def slot(self, now: datetime.datetime) -> datetime.datetime:
        step = self.minutes * 60
        return datetime.datetime.fromtimestamp(int(now.timestamp()) // step * step, UTC)

    def following(self, slot: datetime.datetime) -> datetime.datetime:
        return slot + datetime.timedelta(minutes=self.minutes)

    def describe(self, viewer_zone: str, now: datetime.datetime) -> str:
        return f"every {self.minutes} minutes"


@dataclass(frozen=True)
class Daily:
    """Once a day at a wall-clock time of one zone (AUTO-5: DST-correct — the slot is built
    as the local time of each local date, so a 23- or 25-hour day still has one slot)."""

    hour: int
    minute: int
    tz: str = "UTC"
    weekday: int | None = None  # 0 = Monday: weekly on that day

    def _at(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(
            day, datetime.time(self.hour, self.minute), tzinfo=ZoneInfo(self.tz)
        )

    def _days(self, day: datetime.date) -> bool:
        return self.weekday is None or day.weekday() == self.weekday

    def slot(self, now: datetime.datetime) -> datetime.datetime:
        day = now.astimezone(ZoneInfo(self.tz)).date()
        while not (self._days(day) and self._at(day) <= now):
            day -= datetime.timedelta(days=1)
        return self._at(day)

    def following(self, slot: datetime.datetime) -> datetime.datetime:
        day = slot.astimezone(ZoneInfo(self.tz)).date() + datetime.timedelta(days=1)
        while not self._days(day):
            day += datetime.timedelta(days=1)
        return self._at(day)

    def describe(self, viewer_zone: str, now: datetime.datetime) -> str:
        """In the viewer's zone ("daily at 09:05 CET"), with the zone the job keeps when it
        differs ("00:05 America/Los_Angeles"): the next slot decides the local day and time."""
        local = self.following(self.slot(now)).astimezone(ZoneInfo(viewer_zone))
        every = "daily" if self.weekday is None else f"weekly on {_WEEKDAYS[local.weekday()]}"
        text = f"{every} at {local:%H:%M} {local.tzname()}"
        if viewer_zone != self.tz:
            text += f" ({self.hour:02d}:{self.minute:02d} {self.tz})"
        return text


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Schedule = Every | Daily


@dataclass(frozen=True)
class Job:
    name: str
    rule: str  # the SPEC IDs it implements
    title: str
    schedule: Schedule
    run: Callable[..., dict]  # run(now=...) -> counts with "changed"

    def slot_key(self, now: datetime.datetime) -> str:
        """The run key of the schedule slot `now` falls in: one scheduled run per slot."""
        return "slot:" + self.schedule.slot(now).astimezone(UTC).isoformat()


_jobs: dict[str, Job] = {}


def register(job: Job) -> None:
    _jobs[job.name] = job


def get(name: str) -> Job | None:
    return _jobs.get(name)


def all_jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda j: j.rule)
