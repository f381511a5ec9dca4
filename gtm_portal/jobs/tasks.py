"""The task queue's side of the jobs (SPEC §10): one thin task runs a registered job; beat
fires `tick` every minute, which queues each job whose schedule slot is due (the slot key
makes a repeated tick, or a second beat, harmless)."""

from celery import shared_task
from django.conf import settings

from gtm_portal.users.models import User

from . import runner


@shared_task(acks_late=True)
def run_job(name: str, key: str = "", by_id: int | None = None) -> dict:
    by = User.objects.filter(pk=by_id).first() if by_id else None
    jobrun = runner.run(name, key=key, by=by)
    return jobrun.counts if jobrun else {}


@shared_task(acks_late=True)
def tick() -> list[str]:
    """Queue the due jobs on the jobs queue."""
    queue = getattr(settings, "JOBS_QUEUE", None)
    due = runner.due()
    for name, key in due:
        run_job.apply_async((name, key), queue=queue)
    return [name for name, _ in due]
