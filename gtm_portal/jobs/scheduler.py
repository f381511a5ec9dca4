"""Who fires the jobs (SPEC §10) without a broker: with the embedded default (`make run`), a
daemon thread of the web process ticks, so a newcomer sees the jobs work. With a broker,
Celery beat fires `jobs.tasks.tick` through `beat.GuardedScheduler` instead."""

import logging
import os
import sys
import threading
import time

from django.conf import settings
from django.db import close_old_connections

from . import runner

log = logging.getLogger(__name__)


def tick_once(now=None) -> list[str]:
    """Run every due job here, one after the other (the in-process scheduler's tick)."""
    ran = []
    for name, key in runner.due(now):
        try:
            if runner.run(name, key=key, now=now) is not None:
                ran.append(name)
        except Exception:  # the run is recorded as failed; the next tick goes on
            log.exception("in-process job %s failed", name)
    return ran


def _loop(every: float) -> None:
    while True:
        time.sleep(every)
        close_old_connections()
        try:
            tick_once()
        except Exception:
            log.exception("in-process scheduler tick failed")
        finally:
            close_old_connections()


_started = False


def start_in_process_if_wanted() -> bool:
    """Start the scheduler thread in the process that serves `make run` (runserver's child
    process), only when no broker is configured; JOBS_IN_PROCESS=1/0 forces it."""
    global _started
    forced = os.environ.get("JOBS_IN_PROCESS")
    wanted = (
        forced == "1"
        if forced is not None
        else (
            settings.CELERY_TASK_ALWAYS_EAGER
            and "runserver" in sys.argv
            and os.environ.get("RUN_MAIN") == "true"
        )
    )
    if not wanted or _started:
        return False
    _started = True
    every = float(getattr(settings, "JOBS_TICK_SECONDS", 60))
    threading.Thread(target=_loop, args=(every,), name="jobs-scheduler", daemon=True).start()
    log.info("jobs: in-process scheduler started (every %ss)", every)
    return True
