"""Issue #19 / SPEC §10: AUTO-1 (`sla_breaches`) and AUTO-2 (`bps_daily`) over the data set
loaded (the 1M set with `make bench`), each one run through the jobs runner as beat would
start it: wall time and rows per second. The untimed warm-up forgets what an earlier bench
run did (the breach marks, the open hygiene flags), so every bench run measures the full
first pass; the accounts AUTO-2 moved stay moved (an account reverts once)."""

import time
from collections.abc import Iterable

from gtm_portal.jobs import runner
from gtm_portal.jobs.models import HygieneFlag, JobMark

from .measure import Bench, Operation

# The rows each job looked at, from its counts: AUTO-1 tells breaches and recycles
# enrollments; AUTO-2 checks Actively Working accounts and raises or clears hygiene flags.
ROWS = {
    "sla_breaches": ("breaches", "recycled", "refused"),
    "bps_daily": ("checked", "flags_raised", "flags_cleared"),
}


def _forget(name: str) -> None:
    if name == "sla_breaches":
        JobMark.objects.filter(job__startswith="sla_breach:").delete()
        JobMark.objects.filter(job="seq_recycle").delete()
    else:
        HygieneFlag.objects.filter(cleared_at__isnull=True).delete()


def _operation(name: str, title: str) -> Operation:
    last: dict = {}
    warmed: list = []

    def call(i):
        if not warmed:  # the untimed warm-up
            warmed.append(True)
            _forget(name)
            return
        start = time.perf_counter()
        counts = runner.run(name).counts
        seconds = time.perf_counter() - start
        rows = sum(counts.get(k, 0) for k in ROWS[name])
        last.clear()
        last.update(
            {k: v for k, v in counts.items() if k not in ("problems",)},
            wall_s=round(seconds, 2),
            rows=rows,
            rows_per_s=round(rows / seconds) if seconds else None,
        )

    return Operation(
        name=title,
        call=call,
        n=1,
        warmup=1,
        count_queries=False,
        units_per_call=None,
        details=lambda: dict(last),
    )


def scheduled_jobs(bench: Bench) -> Iterable[Operation]:
    yield _operation("sla_breaches", "AUTO-1 sla_breaches (one run)")
    yield _operation("bps_daily", "AUTO-2 bps_daily (one run)")
