"""SPEC Q-PERF intake ≥ 200 submissions/s end to end, measured by `make bench`.

Two operations: one submission at a time (the latency of one submission, submissions/s =
1000 / p50), and K concurrent submitters (`INTAKE_WORKERS`, default 4) — separate OS
processes, as a deployment serves intake with several worker processes — each posting
`--n` submissions (after an untimed warm-up, all starting together) through Django's test
client into the same database: submissions/s = every submission of the timed window / the
window's wall seconds, with the latency of each submission (latency_p50_ms, latency_p95_ms;
the row's p50/p95 columns are the whole run's time, n = 1 run). Every submission has its own
id and a new e-mail, every answer must be 201 with a score and a routing decision, and after
the run the committed intake log, leads and routing decisions are counted."""

import itertools
import json
import math
import multiprocessing
import os
import statistics
import time
import uuid
from collections.abc import Iterable

from django.db import connection, connections
from django.test import Client

from gtm_portal.api.models import ApiToken
from leads.models import IntakeSubmission, RoutingDecision

from .measure import HOST, Bench, Operation, PageError

FORMS = ("trial_self_managed", "contact_us", "webcast_attended_high_intent", "newsletter")
COUNTRIES = ("Germany", "United States", "France", "Australia", "Brazil")


def _body(run: str, i: int) -> dict:
    return {
        "submission_id": f"bench-{run}-{i}",
        "form": FORMS[i % len(FORMS)],
        "email": f"bench{run}{i}@firm{i % 97}.example",
        "last_name": f"Bench {i}",
        "title": "Director of Engineering",
        "country": COUNTRIES[i % len(COUNTRIES)],
        "company": f"Firm {i % 97}",
    }


def _poster(key: str):
    """A test client that posts one submission and checks its answer: 201 (every e-mail is
    new), scored and routed."""
    client = Client(SERVER_NAME=HOST, HTTP_HOST=HOST)

    def post(body: dict) -> None:
        r = client.post(
            "/api/v1/intake/",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {key}",
        )
        if r.status_code != 201:
            raise PageError(f"intake answered {r.status_code}: {r.content[:200]!r}")
        answer = r.json()
        if answer["person_score"] is None or answer["routing"] is None:
            raise PageError(f"intake answer not scored and routed: {answer!r}")

    return post


def _token() -> str:
    token = ApiToken.objects.filter(name="bench-intake", revoked_at__isnull=True).first()
    if token is not None:
        token.revoke()
    _, key = ApiToken.issue(name="bench-intake", scope="intake")
    ApiToken.objects.filter(name="bench-intake", revoked_at__isnull=True).update(
        rate_limit_per_minute=1_000_000
    )
    return key


def intake_submissions(bench: Bench) -> Iterable[Operation]:
    """SPEC Q-PERF intake ≥ 200 submissions/s end to end (score, route, commit)."""
    key = _token()
    post = _poster(key)
    run = uuid.uuid4().hex[:8]
    numbers = itertools.count()  # every call (warm-up and query count too) a new submission

    def call(_i):
        post(_body(run, next(numbers)))

    yield Operation(name="intake (per submission)", call=call, units_per_call=1, unit="submissions")

    workers = int(os.environ.get("INTAKE_WORKERS", "4"))
    if workers > 1 and _shareable():
        concurrent = ConcurrentIntake(
            key, workers=workers, per_worker=bench.n, warmup=max(bench.warmup, 1)
        )
        yield Operation(
            name=f"intake ({workers} concurrent)",
            call=concurrent.run,
            n=1,
            warmup=0,
            count_queries=False,
            details=concurrent.details,
        )


def _shareable() -> bool:
    """Other processes see what this one committed: not inside a transaction (a test's)
    and not an in-memory SQLite database."""
    memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    return not connection.in_atomic_block and not memory


_INHERITED: list = []


def _forget_inherited_connections() -> None:
    """In a forked child: forget any connection the parent still held, without closing it
    (closing would end the parent's session on the shared socket; a reference is kept so
    garbage collection does not close it either) — this process opens its own. The parent
    closes the connections it sees before the fork, but while an event loop runs in its thread
    (Playwright's, after a browser test) asgiref shows it per-context ones; the child, where no
    loop runs, sees the thread's plain ones, which may be open. Pools need nothing here: the
    parent closed them, and the pool registry is per process, not per context."""
    for conn in connections.all():
        if conn.connection is not None:
            _INHERITED.append(conn.connection)
            conn.connection = None


class ConcurrentIntake:
    """K forked processes, each with its own database connection, post `per_worker`
    submissions each, all starting together after an untimed warm-up."""

    def __init__(self, key: str, *, workers: int, per_worker: int, warmup: int):
        self.key, self.workers, self.per_worker, self.warmup = key, workers, per_worker, warmup
        self.last: dict = {}

    def run(self, _i) -> None:
        ctx = multiprocessing.get_context("fork")
        run = uuid.uuid4().hex[:8]
        # No connection (nor connection pool) crosses the fork: each child opens its own.
        for conn in connections.all():
            conn.close()
            if conn.vendor == "postgresql":
                conn.close_pool()
            if conn.connection is not None:
                raise PageError("a database connection is still open (inside a transaction?)")
        ready = ctx.Barrier(self.workers)
        results = ctx.Queue()
        children = [
            ctx.Process(target=self._child, args=(w, run, ready, results))
            for w in range(self.workers)
        ]
        for child in children:
            child.start()
        reports = [results.get(timeout=600) for _ in children]
        for child in children:
            child.join(timeout=60)
        errors = [r["error"] for r in reports if r.get("error")]
        if errors:
            raise PageError(f"{len(errors)} submitter(s) failed: {errors[0]}")
        latencies = sorted(ms for r in reports for ms in r["ms"])
        start, end = min(r["start"] for r in reports), max(r["end"] for r in reports)
        total = len(latencies)
        self._check_committed(run, total + self.workers * self.warmup)
        wall = end - start
        self.last = {
            "submissions_per_s": round(total / wall, 1),
            "workers": self.workers,
            "submissions": total,
            "wall_s": round(wall, 2),
            "latency_p50_ms": round(statistics.median(latencies), 1),
            "latency_p95_ms": round(latencies[max(0, math.ceil(0.95 * total) - 1)], 1),
        }

    def details(self) -> dict:
        return dict(self.last)

    def _child(self, worker: int, run: str, ready, results) -> None:
        _forget_inherited_connections()
        report: dict = {"ms": []}
        try:
            post = _poster(self.key)
            numbers = (worker + self.workers * j for j in itertools.count())
            for _ in range(self.warmup):
                post(_body(run, next(numbers)))
            ready.wait(timeout=300)
            report["start"] = time.perf_counter()
            for _ in range(self.per_worker):
                t = time.perf_counter()
                post(_body(run, next(numbers)))
                report["ms"].append((time.perf_counter() - t) * 1000)
            report["end"] = time.perf_counter()
        except Exception as exc:  # reported to the parent, which fails the operation
            report["error"] = f"{type(exc).__name__}: {exc}"
            ready.abort()
        finally:
            connections.close_all()
        results.put(report)

    @staticmethod
    def _check_committed(run: str, expected: int) -> None:
        """Every submission committed: one intake log row, one new lead and at least one
        routing decision for that lead each."""
        logged = IntakeSubmission.objects.filter(
            submission_id__startswith=f"bench-{run}-", status_code=201, lead__isnull=False
        )
        lead_ids = list(logged.values_list("lead_id", flat=True))
        routed = (
            RoutingDecision.objects.filter(lead_id__in=lead_ids)
            .values("lead_id")
            .distinct()
            .count()
        )
        if len(lead_ids) != expected or len(set(lead_ids)) != expected or routed != expected:
            raise PageError(
                f"expected {expected} committed, scored and routed submissions; "
                f"found {len(lead_ids)} logged, {routed} routed"
            )
