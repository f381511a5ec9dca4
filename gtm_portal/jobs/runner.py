"""Running a registered job (SPEC §10): a job-run row (started, finished, changed, errors)
around the job's one idempotent service. A scheduled run carries its slot's key, and the
unique (name, key) of the job-run row makes two beats, two ticks or two workers run a slot
once; a failed or abandoned (stale) run of the slot may be taken over. A run by hand
(`run_job`, "Run now") has no key and always runs."""

import datetime
import logging
import traceback

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from gtm_portal.core.models import JobRun

from . import registry
from .models import JobMark

log = logging.getLogger(__name__)


class UnknownJob(KeyError):
    pass


def job_or_error(name: str) -> registry.Job:
    job = registry.get(name)
    if job is None:
        known = ", ".join(j.name for j in registry.all_jobs())
        raise UnknownJob(f"unknown job {name!r}; the jobs are: {known}")
    return job


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "JOBS_STALE_SECONDS", 900))


def _claim(name: str, key: str, by) -> JobRun | None:
    now = timezone.now()
    fields = dict(started_at=now, state=JobRun.State.RUNNING, started_by=by)
    try:
        with transaction.atomic():
            return JobRun.objects.create(name=name, key=key, **fields)
    except IntegrityError:
        pass  # this slot has a run already: take it over only if it failed or was abandoned
    takeover = Q(state=JobRun.State.FAILED) | Q(
        state=JobRun.State.RUNNING, started_at__lt=now - stale_after()
    )
    if JobRun.objects.filter(takeover, name=name, key=key).update(finished_at=None, **fields):
        return JobRun.objects.get(name=name, key=key)
    return None


def run(name: str, *, key: str = "", now=None, by=None) -> JobRun | None:
    """Run job `name` now; None when its slot (`key`) has run or is running elsewhere."""
    job = job_or_error(name)
    jobrun = _claim(name, key, by if getattr(by, "pk", None) else None)
    if jobrun is None:
        return None
    try:
        counts = dict(job.run(now=now))
    except Exception as exc:
        JobRun.objects.filter(pk=jobrun.pk).update(
            state=JobRun.State.FAILED,
            finished_at=timezone.now(),
            counts={"changed": 0, "errors": 1},
            log=f"{exc}\n{traceback.format_exc()}"[-4000:],
        )
        log.exception("job %s failed", name)
        raise
    counts.setdefault("errors", 0)
    changed = int(counts.get("changed", 0))
    problems = counts.pop("problems", [])
    JobRun.objects.filter(pk=jobrun.pk).update(
        state=JobRun.State.DONE,
        finished_at=timezone.now(),
        counts=counts,
        total=changed,
        done=changed,
        log="\n".join(problems)[-4000:],
    )
    log.info("job %s: %s", name, counts)
    jobrun.refresh_from_db()
    return jobrun


def due(now=None) -> list[tuple[str, str]]:
    """The jobs whose current schedule slot has no finished run: (name, slot key)."""
    now = now or timezone.now()
    keys = {job.name: job.slot_key(now) for job in registry.all_jobs()}
    done = set(
        JobRun.objects.filter(name__in=keys, key__in=keys.values())
        .exclude(state=JobRun.State.FAILED)
        .exclude(state=JobRun.State.RUNNING, started_at__lt=now - stale_after())
        .values_list("name", "key")
    )
    return [(name, key) for name, key in keys.items() if (name, key) not in done]


# -- helpers for the jobs' services -----------------------------------------------------------


def claimable(queryset):
    """Lock the due rows a batch takes, skipping rows another worker holds (PostgreSQL);
    SQLite has no row locks and serialises writers, so the query runs as it is."""
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def mark_once(job: str, keys: dict[str, int | None], now=None) -> set[str]:
    """Record `keys` (key → subject id) as done for `job`, inside the caller's transaction;
    returns the keys that were not done before. The unique (job, key) makes a racing worker's
    insert fail, which rolls the racing batch back instead of doing anything twice."""
    if not keys:
        return set()
    done = set(JobMark.objects.filter(job=job, key__in=list(keys)).values_list("key", flat=True))
    new = {k: s for k, s in keys.items() if k not in done}
    at = now or timezone.now()
    JobMark.objects.bulk_create(
        [JobMark(job=job, key=k, subject_id=s, created_at=at) for k, s in new.items()]
    )
    return set(new)
