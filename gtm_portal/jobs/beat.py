"""Celery beat for the jobs (SPEC §10): beat fires `jobs.tasks.tick` every minute through
`GuardedScheduler`. A Redis lease lets one beat process fire at a time (two beats never both
fire), and the slot keys of the job runs make a double fire harmless anyway. Nothing here
touches Django models: beat loads this before the apps are ready."""

import os
import uuid

from celery.beat import PersistentScheduler

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
