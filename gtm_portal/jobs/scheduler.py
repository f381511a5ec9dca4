"""Who fires the jobs (SPEC §10). With a broker, Celery beat runs `jobs.tasks.tick` every
minute through `GuardedScheduler`: a Redis lease lets one beat process fire at a time, and
the slot keys of the job runs make a double fire harmless anyway. Without a broker (the
embedded default, `make run`), a daemon thread of the web process ticks instead, so a
newcomer sees the jobs work."""

import logging
import os
import sys
import threading
import time
import uuid

from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import close_old_connections

from . import runner

log = logging.getLogger(__name__)

LOCK_KEY = "gtm_portal:beat-lock"
LOCK_SECONDS = 60


class BeatLock:
    """A lease in Redis: taken with SET NX, renewed by its holder, lost when it expires."""

    def __init__(self, url: str, ttl: int = LOCK_SECONDS):
        import redis  # noqa: PLC0415 - only a beat process against Redis needs the client

        self.client = redis.Redis.from_url(url)
        self.ttl = ttl
        self.token = f"{os.uname().nodename}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def hold(self) -> bool:
        if self.client.set(LOCK_KEY, self.token, nx=True, ex=self.ttl):
            return True
        if (self.client.get(LOCK_KEY) or b"").decode() == self.token:
            self.client.expire(LOCK_KEY, self.ttl)
            return True
        return False

    def release(self) -> None:
        if (self.client.get(LOCK_KEY) or b"").decode() == self.token:
            self.client.delete(LOCK_KEY)


class GuardedScheduler(PersistentScheduler):
    """Celery beat's scheduler that fires only while it holds the beat lease."""

    def setup_schedule(self):
        super().setup_schedule()
        url = self.app.conf.broker_url or ""
        self.lock = BeatLock(url) if url.startswith(("redis://", "rediss://")) else None

    def tick(self, *args, **kwargs):
        if self.lock is not None and not self.lock.hold():
            return 5.0  # another beat fires; look again soon
        return super().tick(*args, **kwargs)

    def close(self):
        if getattr(self, "lock", None) is not None:
            self.lock.release()
        super().close()


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
