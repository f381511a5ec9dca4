from celery import shared_task
from django.db import transaction
from django.utils import timezone

from gtm_portal.core.background import run_soon
from gtm_portal.core.models import JobRun
from gtm_portal.jobs import runner

from .imports.commit import run_commit
from .models import Lead
from .rule_context import Context
from .services.rescore import Scorer, batches, open_lead_ids, open_leads, rescore_batch
from .services.routing import RoutingContext
from .services.scoring import route_new_mqls

RESCORE_JOB = "rescore"


RESCORE_PART = 50_000  # open leads per subtask
RESCORE_COUNTS = ("people", "changed", "crossed_up", "crossed_down", "routed")


def rescore_parts(size: int = RESCORE_PART) -> list[tuple[int, int]]:
    """The open leads cut into id ranges of `size` leads (the last one shorter)."""
    parts, first, n, pk = [], None, 0, None
    for pk in open_lead_ids():
        if first is None:
            first = pk
        n += 1
        if n == size:
            parts.append((first, pk))
            first, n = None, 0
    if first is not None:
        parts.append((first, pk))
    return parts


@shared_task(acks_late=True)
def rescore_all(job_id: int, *, part_size: int = RESCORE_PART, queue: str | None = None) -> dict:
    """LEAD-SCORE-1: re-score every open lead. The open leads are cut into id ranges, one
    `rescore_part` subtask each, so every worker process of the task queue takes a share;
    the job row counts the progress and the last part to finish closes it. Without a broker
    (tasks run in-process) the parts run here, one after the other. Running it twice changes
    nothing more."""
    job = JobRun.objects.get(pk=job_id)
    if job.state != JobRun.State.RUNNING:
        return job.counts
    try:
        parts = rescore_parts(part_size)
    except Exception as exc:
        _fail(job_id, exc)
        raise
    JobRun.objects.filter(pk=job_id).update(
        counts={**dict.fromkeys(RESCORE_COUNTS, 0), "parts": len(parts), "parts_done": 0}
    )
    if not parts:
        JobRun.objects.filter(pk=job_id).update(state=JobRun.State.DONE, finished_at=timezone.now())
    for first, last in parts:
        rescore_part.apply_async((job_id, first, last), queue=queue)
    return JobRun.objects.get(pk=job_id).counts


@shared_task(acks_late=True)
def rescore_part(job_id: int, first: int, last: int) -> dict:
    """Re-score the open leads with ids first..last in batches; each batch commits with the
    routing of the people it made MQL (ROUTE-1), then adds to the job's counts."""
    if not JobRun.objects.filter(pk=job_id, state=JobRun.State.RUNNING).exists():
        return {}
    ctx = Context()
    scorer = Scorer(ctx)
    routing_ctx = RoutingContext()
    totals = dict.fromkeys(RESCORE_COUNTS, 0)
    try:
        ids = list(
            open_leads()
            .filter(pk__gte=first, pk__lte=last)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for chunk in batches(ids):
            with transaction.atomic():
                tally = rescore_batch(chunk, ctx, apply=True, scorer=scorer)
                if tally.became_mql:  # read with routing's columns only
                    route_new_mqls(tally.became_mql, model=Lead, path="re-score", ctx=routing_ctx)
            step = {
                "people": tally.people,
                "changed": tally.changed,
                "crossed_up": tally.crossed_up,
                "crossed_down": tally.crossed_down,
                "routed": len(tally.became_mql),
            }
            for key, n in step.items():
                totals[key] += n
            _add_progress(job_id, step, part_done=False)
        _add_progress(job_id, {}, part_done=True)
    except Exception as exc:
        _fail(job_id, exc)
        raise
    return totals


def _add_progress(job_id: int, step: dict, *, part_done: bool) -> None:
    with transaction.atomic():
        job = JobRun.objects.select_for_update().get(pk=job_id)
        counts = dict(job.counts)
        for key, n in step.items():
            counts[key] = counts.get(key, 0) + n
        job.done += step.get("people", 0)
        fields = ["done", "counts"]
        if part_done:
            counts["parts_done"] = counts.get("parts_done", 0) + 1
            if counts["parts_done"] >= counts.get("parts", 0) and job.state == JobRun.State.RUNNING:
                job.state, job.finished_at = JobRun.State.DONE, timezone.now()
                fields += ["state", "finished_at"]
        job.counts = counts
        job.save(update_fields=fields)


def _fail(job_id: int, exc: Exception) -> None:
    JobRun.objects.filter(pk=job_id).update(
        state=JobRun.State.FAILED, finished_at=timezone.now(), log=str(exc)[:2000]
    )


def start_rescore(*, by) -> JobRun:
    """Queue a full re-score after commit; the page follows the job's progress."""
    total = open_leads().count()
    job = JobRun.objects.create(
        name=RESCORE_JOB,
        started_at=timezone.now(),
        total=total,
        started_by=by if getattr(by, "pk", None) else None,
    )
    transaction.on_commit(lambda: run_soon(rescore_all, job.pk))
    return job


# The scheduled jobs of SPEC §10 run through `gtm_portal.jobs` (one thin task, a job-run row
# each); these names stay for callers that queue them directly.


@shared_task(acks_late=True)
def purge_intake_log() -> int:
    """The intake log keeps 90 days (idempotent: a second run deletes nothing)."""
    return _run("intake_log_purge")


@shared_task(acks_late=True)
def purge_spam() -> int:
    """AUTO-5 (LEAD-SPAM-1): leads in SPAM DELETION are deleted for good."""
    return _run("spam_purge")


@shared_task(acks_late=True)
def end_opt_outs() -> int:
    """AUTO-4 (LEAD-OPTOUT-1): 30-day opt-outs end by themselves (with the rest of AUTO-4)."""
    return _run("daily_expiries")


def _run(name: str) -> int:
    jobrun = runner.run(name)
    return jobrun.counts.get("changed", 0) if jobrun else 0


@shared_task(acks_late=True)
def import_commit_task(run_id: int) -> None:
    """IMPORT-2: commit (or resume) a list import; safe to run twice (Q-IDEM)."""
    run_commit(run_id)
