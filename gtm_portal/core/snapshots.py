"""Per-process snapshots of rows read on every request (reference data, small tables,
routing's users): built once, kept while a generation token in the shared cache is
unchanged and for at most `ttl` seconds. Saving or deleting one of the rows replaces the
token (`bump`, from the models' signals), so every process rebuilds; with a shared cache
(`CACHE_URL`) at once, with the per-process default within `ttl`."""

import threading
import time
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")


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


class Snapshot(Generic[T]):
    """`build()`'s value, kept in this process under the token `key` for at most `ttl`
    seconds; `still_good(value)` may refuse a value sooner (the reference snapshot holds
    today's holidays only)."""

    def __init__(
        self,
        key: str,
        build: Callable[[], T],
        *,
        ttl: float = 30,
        still_good: Callable[[T], bool] | None = None,
    ):
        self.key, self.build, self.ttl, self.still_good = key, build, ttl, still_good
        self._lock = threading.Lock()
        self._gen: str | None = None
        self._at = 0.0
        self._value: T | None = None

    def get(self) -> T:
        gen, now = current(self.key), time.monotonic()
        with self._lock:
            value = self._value
            if (
                value is None
                or self._gen != gen
                or now - self._at > self.ttl
                or (self.still_good is not None and not self.still_good(value))
            ):
                value = self._value = self.build()
                self._gen, self._at = gen, now
            return value

    def bump(self, *_args, **_kwargs) -> None:
        """A signal receiver: one of the rows changed."""
        bump(self.key)

    def clear(self) -> None:
        with self._lock:
            self._value, self._gen, self._at = None, None, 0.0
