from celery import shared_task
from django.db.models import F
from django.utils import timezone

from gtm_portal.core.models import JobRun

from .models import Lead
from .refs import Context
from .rescore import batches, open_lead_ids, rescore_batch
from .routing_service import RoutingContext, route_people

RESCORE_JOB = "rescore"


@shared_task(acks_late=True)
def rescore_all(job_id: int) -> dict:
    """LEAD-SCORE-1: re-score every open lead in batches, progress on the job row; people who
    become MQL are routed (ROUTE-1). Running it twice changes nothing more."""
    job = JobRun.objects.get(pk=job_id)
    if job.state != JobRun.State.RUNNING:
        return job.counts
    ctx = Context()
    routing_ctx = RoutingContext()
    totals = {"people": 0, "changed": 0, "crossed_up": 0, "crossed_down": 0, "routed": 0}
    try:
        for chunk in batches(open_lead_ids()):
            tally = rescore_batch(chunk, ctx, apply=True)
            if tally.became_mql:
                route_people([Lead(pk=pk) for pk in tally.became_mql],
                             trigger="became MQL (re-score)", ctx=routing_ctx)
            totals["people"] += tally.people
            totals["changed"] += tally.changed
            totals["crossed_up"] += tally.crossed_up
            totals["crossed_down"] += tally.crossed_down
            totals["routed"] += len(tally.became_mql)
            JobRun.objects.filter(pk=job.pk).update(done=F("done") + tally.people,
                                                    counts=totals)
    except Exception as exc:
        JobRun.objects.filter(pk=job.pk).update(state=JobRun.State.FAILED,
                                                finished_at=timezone.now(), log=str(exc)[:2000])
        raise
    JobRun.objects.filter(pk=job.pk).update(state=JobRun.State.DONE, finished_at=timezone.now(),
                                            counts=totals)
    return totals


def start_rescore(*, by) -> JobRun:
    """Queue a full re-score after commit; the page follows the job's progress."""
    from django.db import transaction

    from gtm_portal.core.enums import OPEN_PERSON_STATUSES

    total = Lead.objects.filter(status__in=OPEN_PERSON_STATUSES).count()
    job = JobRun.objects.create(name=RESCORE_JOB, started_at=timezone.now(), total=total,
                                started_by=by if getattr(by, "pk", None) else None)
    transaction.on_commit(lambda: rescore_all.delay(job.pk))
    return job


INTAKE_LOG_DAYS = 90


@shared_task(acks_late=True)
def purge_intake_log() -> int:
    """The intake log keeps 90 days; older rows go (idempotent: a second run deletes nothing)."""
    import datetime

    from .models import IntakeSubmission

    cutoff = timezone.now() - datetime.timedelta(days=INTAKE_LOG_DAYS)
    deleted, _ = IntakeSubmission.objects.filter(received_at__lt=cutoff).delete()
    JobRun.objects.create(name="purge_intake_log", started_at=timezone.now(),
                          finished_at=timezone.now(), state=JobRun.State.DONE, total=deleted,
                          done=deleted, counts={"deleted": deleted})
    return deleted


@shared_task(acks_late=True)
def purge_spam() -> int:
    """AUTO-5 (LEAD-SPAM-1): nightly, leads in SPAM DELETION are deleted for good."""
    from .compliance import purge_spam as run

    return run()


@shared_task(acks_late=True)
def end_opt_outs() -> int:
    """AUTO-4 (LEAD-OPTOUT-1): 30-day opt-outs end by themselves."""
    from .compliance import end_opt_outs as run

    return run()
