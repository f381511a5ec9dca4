"""A generation token in the shared cache: per-process snapshots (leads.refcache, core.labels)
compare it to the one they were built under and rebuild when somebody replaced it."""
import uuid

from django.core.cache import cache
from django.db import transaction


def current(key: str) -> str:
    gen = cache.get(key)
    if gen is None:
        cache.add(key, uuid.uuid4().hex, None)
        gen = cache.get(key) or ""
    return gen


def bump(key: str) -> None:
    """Every process rebuilds: now, and once more after the commit (a process that rebuilt
    in between read the old rows)."""
    cache.set(key, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(key, uuid.uuid4().hex, None))
