"""CONTRACT 6.7: `GET /jobs/` lists each job with its schedule in the viewer's zone and its
last runs; `POST /jobs/<name>/run/` queues it now. Marketing Ops only (ROLE-3)."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from gtm_portal.core import access
from gtm_portal.core.models import JobRun

from . import registry, runner
from .tasks import run_job

RUNS_SHOWN = 5


@dataclass
class JobRow:
    job: registry.Job
    schedule: str
    next_at: object
    runs: list


def _rows(now) -> list[JobRow]:
    rows = []
    for job in registry.all_jobs():
        runs = list(JobRun.objects.filter(name=job.name).select_related("started_by")[:RUNS_SHOWN])
        for run in runs:
            run.details = " · ".join(
                f"{k.replace('_', ' ')} {v}"
                for k, v in run.counts.items()
                if k not in ("changed", "errors")
            )
        rows.append(
            JobRow(
                job=job,
                schedule=job.schedule.describe(timezone.get_current_timezone_name(), now),
                next_at=job.schedule.following(job.schedule.slot(now)),
                runs=runs,
            )
        )
    return rows


@require_GET
def jobs_page(request):
    access.require(request.user, "jobs.manage")
    now = timezone.now()
    return render(
        request,
        "jobs/jobs.html",
        {"rows": _rows(now), "zone": timezone.get_current_timezone_name(), "now": now},
    )


@require_POST
def job_run_now(request, name: str):
    access.require(request.user, "jobs.manage")
    try:
        job = runner.job_or_error(name)
    except runner.UnknownJob:
        raise Http404(f"no job {name!r}") from None
    queue = getattr(settings, "JOBS_QUEUE", None)
    try:  # without a broker the task runs here and now
        run_job.apply_async((job.name, "", request.user.pk), queue=queue)
    except Exception as exc:
        messages.error(request, f"{job.name} failed: {exc}")
    else:
        messages.success(request, f"{job.name} queued; its run appears below when it finishes.")
    return HttpResponseRedirect(reverse("jobs:list") + f"#job-{job.name}")
