"""SPEC Q-PERF routing ≥ 1,000 leads/s on one worker and a full re-score of 1M leads
≤ 120 s in the task queue, measured by `make bench`."""

import atexit
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from gtm_portal.celery import app
from gtm_portal.core.models import JobRun
from leads.models import Lead, ScoringRule
from leads.seed_data import SCORING_RULES
from leads.services.rescore import open_leads
from leads.services.routing import RoutingContext, route_people, route_person
from leads.tasks import rescore_all

from .measure import Bench, Operation, PageError


def routing_per_lead(bench: Bench) -> Iterable[Operation]:
    """SPEC Q-PERF routing ≥ 1,000 leads/s on one worker: one lead at a time (intake, a
    re-route) and a batch of 500 (a re-score or import making many MQLs at once)."""
    batch = 500
    ids = list(
        Lead.objects.filter(status="MQL")
        .order_by("-pk")
        .values_list("pk", flat=True)[: max(bench.n + bench.warmup + 1, batch * 3)]
    )
    if not ids:
        return
    ctx = RoutingContext()
    yield Operation(
        name="routing (per lead)",
        units_per_call=1,
        unit="leads",
        call=lambda i: route_person(person=Lead(pk=ids[i % len(ids)]), trigger="bench", ctx=ctx),
    )

    def call(i):
        start = (i * batch) % max(len(ids) - batch + 1, 1)
        route_people(ids[start : start + batch], model=Lead, trigger="bench", ctx=ctx)

    yield Operation(
        name="routing (batch of 500)",
        units_per_call=batch,
        unit="leads",
        call=call,
        n=min(bench.n, 5),
        warmup=min(bench.warmup, 1),
        count_queries=False,
    )


# Marketing Ops raises one rule (the booth / in-person event / gated asset row of REF-4, that
# about a third of the open leads have fired) and later puts the default back.
RESCORE_RULE, RESCORE_RAISED = "booth-event-gated", 40
RESCORE_QUEUE = "bench-rescore"


def full_rescore(bench: Bench) -> Iterable[Operation]:
    """SPEC Q-PERF a full re-score of every open lead in the task queue (target 1M ≤ 120 s).
    A points-table change as Marketing Ops makes it: one rule's points raised, then the whole
    `rescore_all` task until its job row says done — every open lead re-scored, differences
    written as score events, new MQLs routed; the second operation restores the default
    points and re-scores again. The row says how many people changed, crossed the threshold
    and were routed (only the first run on a data set routes: a lead past MQL does not
    re-MQL). With a broker (CELERY_BROKER_URL) the parts go to RESCORE_WORKERS worker
    processes (default 2, the cores), started in the untimed warm-up; without one the task
    runs in this process."""
    rule = ScoringRule.objects.filter(code=RESCORE_RULE).first()
    if rule is None:
        return
    default = next(points for code, *_rest, points in SCORING_RULES if code == RESCORE_RULE)
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    n_workers = 1 if eager else int(os.environ.get("RESCORE_WORKERS", "2"))
    workers = _Workers(n_workers)
    last: dict = {}

    def run(points):
        warmed = []

        def call(i):
            if not eager and not warmed:  # the untimed warm-up: workers ready
                warmed.append(True)
                if not workers.running:
                    workers.start()
                return
            ScoringRule.objects.filter(pk=rule.pk).update(points=points)
            last.clear()
            last.update(
                _rescore_run(eager=eager), rule=f"{RESCORE_RULE}={points}", workers=n_workers
            )

        return call

    def details():
        return dict(last)

    def details_then_stop():
        workers.stop()  # after the timed call
        return dict(last)

    yield Operation(
        name="full re-score (open leads)",
        call=run(RESCORE_RAISED),
        n=1,
        warmup=0 if eager else 1,
        count_queries=False,
        details=details,
    )
    yield Operation(
        name="full re-score (points restored)",
        call=run(default),
        n=1,
        warmup=0 if eager else 1,
        count_queries=False,
        details=details_then_stop,
    )


def _rescore_run(*, eager: bool) -> dict:
    """One `rescore_all` job from start to done: its counts and the task's own time."""
    start = time.perf_counter()
    job = JobRun.objects.create(
        name="rescore", started_at=timezone.now(), total=open_leads().count()
    )
    rescore_all(job.pk, queue=None if eager else RESCORE_QUEUE)
    while (job := JobRun.objects.get(pk=job.pk)).state == JobRun.State.RUNNING:
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    if job.state != JobRun.State.DONE:
        raise PageError(f"re-score job {job.pk} {job.state}: {job.log[:300]}")
    counts = job.counts
    return {
        "people": counts["people"],
        "changed": counts["changed"],
        "crossed_up": counts["crossed_up"],
        "crossed_down": counts["crossed_down"],
        "routed": counts["routed"],
        "task_s": round(seconds, 1),
        "leads_per_s": round(counts["people"] / seconds) if seconds else None,
    }


class _Workers:
    """Celery worker processes on a queue of their own, for the re-score measurement."""

    def __init__(self, n: int):
        self.n = n
        self.pool = None

    @property
    def running(self) -> bool:
        return self.pool is not None

    def start(self):
        self.pool = _start_workers(self.n)
        atexit.register(self.stop)

    def stop(self):
        if self.pool is not None:
            pool, self.pool = self.pool, None
            _stop_workers(pool)


def _start_workers(n: int):
    """`n` Celery worker processes on a queue of their own, ready to take tasks."""
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(RESCORE_QUEUE)  # parts of an interrupted run
    log = tempfile.NamedTemporaryFile("w+", prefix="bench-rescore-", suffix=".log")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "gtm_portal",
            "worker",
            "-Q",
            RESCORE_QUEUE,
            "-c",
            str(n),
            "-P",
            "prefork",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"bench-rescore-{os.getpid()}@%h",
            "-l",
            "INFO",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        log.seek(0)
        if " ready." in log.read():
            return proc, log
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    _stop_workers((proc, log))
    raise PageError("the re-score workers did not start")


def _stop_workers(pool) -> None:
    proc, log = pool
    proc.terminate()  # warm shutdown: finish the task at hand, take no more
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()
