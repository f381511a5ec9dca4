"""SPEC §10 / CONTRACT 6.7: the jobs registry and runner, `run_job`, the jobs page, the
schedules (AUTO-5 DST nights with a frozen clock) and the once-per-slot guarantee."""

import datetime
import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from gtm_portal.core.models import JobRun
from gtm_portal.jobs import beat, registry, runner, scheduler
from gtm_portal.jobs.models import JobMark

from .helpers import session

CONTRACT_NAMES = [
    "sla_breaches",
    "bps_daily",
    "fiscal_year",
    "daily_expiries",
    "spam_purge",
    "duplicate_suggestions",
    "inactive_users",
    "intake_log_purge",
]
LA = ZoneInfo("America/Los_Angeles")
UTC = datetime.UTC


def _run_job(name: str) -> str:
    out = StringIO()
    call_command("run_job", name, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_every_contract_job_is_registered():
    assert sorted(j.name for j in registry.all_jobs()) == sorted(CONTRACT_NAMES)


@pytest.mark.django_db
@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_run_job_prints_its_count_and_a_second_run_changes_nothing(users, name):
    first = _run_job(name)
    assert re.fullmatch(rf"{name}: \d+ changed", first)
    assert _run_job(name) == f"{name}: 0 changed"
    runs = JobRun.objects.filter(name=name).order_by("started_at", "pk")
    assert [r.state for r in runs] == ["done", "done"]
    assert all(r.finished_at and r.finished_at >= r.started_at for r in runs)
    assert runs.last().counts["changed"] == 0 and runs.last().counts["errors"] == 0


@pytest.mark.django_db
def test_run_job_refuses_an_unknown_name(refdata):
    with pytest.raises(CommandError, match="unknown job 'nope'"):
        call_command("run_job", "nope", stdout=StringIO())


@pytest.mark.django_db
def test_a_failing_job_is_recorded_with_its_error(refdata):
    def boom(*, now=None):
        raise RuntimeError("the database went away")

    registry.register(registry.Job("boom", "TEST", "fails", registry.Every(5), boom))
    try:
        with pytest.raises(RuntimeError):
            runner.run("boom")
        run = JobRun.objects.get(name="boom")
        assert run.state == "failed" and "the database went away" in run.log
        assert run.counts == {"changed": 0, "errors": 1} and run.finished_at
    finally:
        registry._jobs.pop("boom")


# -- the jobs page (CONTRACT 6.7) ------------------------------------------------------------


@pytest.mark.django_db
def test_jobs_page_lists_every_job_with_schedule_in_the_viewers_zone(users):
    _run_job("intake_log_purge")
    page = session(users["mops"]).get("/jobs/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in CONTRACT_NAMES:
        assert f"<code>{name}</code>" in html
    assert "times in your zone, America/Los_Angeles" in html  # mops works in Los Angeles
    assert re.search(r"daily at 00:05 P[SD]T · next", html) and "every 5 minutes" in html
    assert re.search(r"daily at \d\d:00 P[SD]T \(05:00 UTC\)", html)  # AUTO-2 keeps UTC
    # The next AUTO-5 run is shown in the viewer's zone: 00:05 Pacific time.
    assert re.search(r"next \w{3} \d{4}-\d\d-\d\d 00:05 P[SD]T", html)
    assert "Not run yet." in html  # the jobs that have no run


@pytest.mark.django_db
def test_jobs_page_next_run_follows_another_viewers_zone(users):
    mgr = users["sdr.mgr"]  # America/New_York
    mgr.groups.add(users["mops"].groups.get())
    html = session(mgr).get("/jobs/").content.decode()
    assert re.search(r"next \w{3} \d{4}-\d\d-\d\d 03:05 E[SD]T", html)  # 00:05 LA = 03:05 NY
    assert re.search(r"daily at 03:05 E[SD]T \(00:05 America/Los_Angeles\)", html)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["sdr.emea1", "sdr.mgr", "ae.amer1", "salessupport"])
def test_jobs_page_and_run_now_are_marketing_ops_only(users, who):
    client = session(users[who])
    assert client.get("/jobs/").status_code == 403
    assert client.post("/jobs/intake_log_purge/run/").status_code == 403
    assert not JobRun.objects.filter(name="intake_log_purge").exists()


@pytest.mark.django_db
def test_run_now_queues_the_job_and_the_page_shows_its_run(users):
    client = session(users["mops"])
    response = client.post("/jobs/bps_daily/run/")
    assert response.status_code == 302 and response["Location"] == "/jobs/#job-bps_daily"
    run = JobRun.objects.get(name="bps_daily")  # no broker in tests: it ran in-process
    assert run.state == "done" and run.started_by == users["mops"] and run.key == ""
    assert client.get("/jobs/intake_log_purge/run/").status_code == 405
    assert client.post("/jobs/nope/run/").status_code == 404
    html = client.get("/jobs/").content.decode()
    assert "bps_daily queued" in html and "Morgan Ops" in html


# -- schedules and slots ---------------------------------------------------------------------


def _runs_over(job: registry.Job, start: datetime.datetime, hours: int) -> list[datetime.datetime]:
    """Tick every 5 minutes of a frozen, advancing clock; the instants the job ran."""
    ran, now = [], start
    while now < start + datetime.timedelta(hours=hours):
        if any(name == job.name for name, _ in runner.due(now)):
            assert runner.run(job.name, key=job.slot_key(now), now=now) is not None
            ran.append(now)
        now += datetime.timedelta(minutes=5)
    return ran


@pytest.mark.django_db
@pytest.mark.parametrize(
    "night, gap_hours",
    [
        (datetime.date(2026, 3, 8), 23),  # spring forward: a 23-hour day
        (datetime.date(2026, 11, 1), 25),  # fall back: a 25-hour day, 01:xx twice
    ],
)
def test_auto_5_runs_once_a_night_at_0005_los_angeles_across_dst(refdata, night, gap_hours):
    job = registry.get("spam_purge")
    # Start after the evening before's slot, so the first run is the DST night's own.
    evening = datetime.datetime.combine(night - datetime.timedelta(days=1), datetime.time(0, 10))
    start = evening.replace(tzinfo=LA).astimezone(UTC)  # the clock ticks in absolute time
    runner.run("spam_purge", key=job.slot_key(start), now=start)  # that evening's slot: done
    ran = _runs_over(job, start, 50)
    local = [r.astimezone(LA) for r in ran]
    assert [(t.date(), t.hour, t.minute) for t in local] == [
        (night, 0, 5),
        (night + datetime.timedelta(days=1), 0, 5),
    ]
    assert ran[1] - ran[0] == datetime.timedelta(hours=gap_hours)
    assert JobRun.objects.filter(name="spam_purge").count() == 3  # never twice, never skipped


def test_daily_slots_are_local_wall_clock_times():
    daily = registry.Daily(0, 5, "America/Los_Angeles")
    before = datetime.datetime(2026, 11, 1, 7, 4, tzinfo=UTC)  # 00:04 PDT
    assert daily.slot(before).astimezone(LA).date() == datetime.date(2026, 10, 31)
    at = datetime.datetime(2026, 11, 1, 7, 5, tzinfo=UTC)
    assert daily.slot(at) == at and daily.following(at) == datetime.datetime(
        2026, 11, 2, 8, 5, tzinfo=UTC
    )
    weekly = registry.Daily(6, 0, weekday=0)
    sunday = datetime.datetime(2026, 11, 8, 12, 0, tzinfo=UTC)
    assert weekly.slot(sunday) == datetime.datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    assert weekly.following(weekly.slot(sunday)).weekday() == 0
    every = registry.Every(5)
    assert every.slot(datetime.datetime(2026, 1, 1, 10, 7, 59, tzinfo=UTC)).minute == 5


@pytest.mark.django_db
def test_a_slot_runs_once_even_when_two_schedulers_fire(refdata):
    now = timezone.now()
    job = registry.get("intake_log_purge")
    key = job.slot_key(now)
    assert runner.run(job.name, key=key) is not None
    assert runner.run(job.name, key=key) is None  # the second beat, or a repeated tick
    assert ("intake_log_purge", key) not in runner.due(now)
    assert JobRun.objects.filter(name=job.name, key=key).count() == 1


@pytest.mark.django_db
def test_an_abandoned_or_failed_slot_is_taken_over(refdata, settings):
    settings.JOBS_STALE_SECONDS = 60
    now = timezone.now()
    job = registry.get("intake_log_purge")
    key = job.slot_key(now)
    JobRun.objects.create(name=job.name, key=key, started_at=now)  # running elsewhere
    assert runner.run(job.name, key=key) is None
    JobRun.objects.filter(key=key).update(started_at=now - datetime.timedelta(minutes=5))
    assert ("intake_log_purge", key) in runner.due(now)  # the worker died: due again
    assert runner.run(job.name, key=key).state == "done"
    JobRun.objects.filter(key=key).update(state="failed")
    assert runner.run(job.name, key=key).state == "done"


@pytest.mark.django_db
def test_in_process_tick_runs_every_due_job_once(users):
    now = timezone.now()
    assert sorted(scheduler.tick_once(now)) == sorted(CONTRACT_NAMES)
    assert scheduler.tick_once(now) == []
    assert JobRun.objects.filter(key__startswith="slot:").count() == len(CONTRACT_NAMES)


@pytest.mark.django_db
def test_mark_once_is_backed_by_the_database(refdata):
    from django.db import IntegrityError, transaction

    assert runner.mark_once("x", {"a": 1, "b": 2}) == {"a", "b"}
    assert runner.mark_once("x", {"a": 1, "c": 3}) == {"c"}
    with pytest.raises(IntegrityError), transaction.atomic():
        JobMark.objects.create(job="x", key="a", created_at=timezone.now())


class FakeRedis:
    def __init__(self):
        self.data = {}

    def set(self, key, value, nx=False, ex=None):
        if nx and key in self.data:
            return False
        self.data[key] = value.encode()
        return True

    def get(self, key):
        return self.data.get(key)

    def expire(self, key, ttl):
        return True

    def delete(self, key):
        self.data.pop(key, None)


def test_beat_lock_lets_one_beat_fire():
    shared = FakeRedis()
    one, two = (beat.BeatLock.__new__(beat.BeatLock) for _ in range(2))
    for i, lock in enumerate((one, two)):
        lock.client, lock.ttl, lock.token = shared, 60, f"beat-{i}"
    assert one.hold() and one.hold()  # the holder renews
    assert not two.hold()  # the second beat process does not fire
    one.release()
    assert two.hold() and not one.hold()


def test_in_process_scheduler_starts_only_for_runserver_without_a_broker(monkeypatch):
    monkeypatch.setattr(scheduler, "_started", False)
    monkeypatch.delenv("JOBS_IN_PROCESS", raising=False)
    monkeypatch.setattr("sys.argv", ["manage.py", "migrate"])
    assert scheduler.start_in_process_if_wanted() is False
    monkeypatch.setattr("sys.argv", ["manage.py", "runserver"])
    monkeypatch.setenv("RUN_MAIN", "true")
    started = []
    monkeypatch.setattr(scheduler.threading, "Thread", lambda **kw: _FakeThread(started, kw))
    assert scheduler.start_in_process_if_wanted() is True
    assert started and started[0]["name"] == "jobs-scheduler" and started[0]["daemon"]
    assert scheduler.start_in_process_if_wanted() is False  # once per process


class _FakeThread:
    def __init__(self, started, kwargs):
        self.started, self.kwargs = started, kwargs

    def start(self):
        self.started.append(self.kwargs)
