"""The performance benchmark's engine (CONTRACT 5, SPEC Q-PERF): server time of each page
next to the raw SQL of the same page — one SQL statement fetching the same rows — in the same
run, on whatever data is loaded.

On PostgreSQL a page's raw SQL is its own SELECT statements, read off a run of the page,
wrapped as sub-selects of one statement (`page_sql`): the database work the page needs, in
one round trip, with no ORM, Python or template around it; page time minus raw SQL is the
framework's share that SPEC Q-PERF bounds (≤ 25 ms). Elsewhere (SQLite) each page names one
hand-written query for its main rows.

An operation set is a function that takes the Bench and yields Operation objects (pages,
intake, routing, ...); `run.OPERATION_SETS` lists them all in one place. This module knows
none of them: the sets import it, never the other way round.
"""

import json
import math
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, Contact
from gtm_portal.activity.models import Activity, Task
from gtm_portal.chatter.models import Notification
from gtm_portal.users.models import User
from leads.models import Lead
from opportunities.models import Opportunity

HOST = "127.0.0.1"
DEEP_PAGE = 1000
PAGE_SIZE = 50


@dataclass
class Operation:
    """One measured unit of work. `call(i)` runs iteration i; `raw_sql(i)` gives the SQL and
    parameters that fetch the same rows by hand (pages only). Throughput operations (import,
    routing) say how many `unit`s one call handles and get `<unit>_per_s` in the output."""

    name: str
    call: Callable[[int], object]
    raw_sql: Callable[[int], tuple[str, list]] | None = None
    count_queries: bool = True
    units_per_call: int | None = None
    unit: str = "rows"
    n: int | None = None  # iterations for this operation (default: the bench's)
    warmup: int | None = None
    details: Callable[[], dict] | None = None  # facts of the last call, printed with the row
    variants: int = 1  # distinct requests call(i) cycles through (i % variants)


@dataclass
class Result:
    name: str
    n: int
    p50_ms: float | None
    p95_ms: float | None
    queries: int | None = None
    raw_sql_p50_ms: float | None = None
    error: str | None = None
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        out = {
            "name": self.name,
            "n": self.n,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "queries": self.queries,
            "raw_sql_p50_ms": self.raw_sql_p50_ms,
            **self.extra,
        }
        if self.error:
            out["error"] = self.error
        return out


OperationSet = Callable[["Bench"], Iterable[Operation]]


class PageError(Exception):
    pass


class Bench:
    def __init__(
        self,
        *,
        n: int = 50,
        warmup: int = 5,
        only: str | None = None,
        import_rows: int = 100_000,
        mass_update_rows: int = 100_000,
    ):
        self.n = n
        self.warmup = warmup
        self.only = only
        self.import_rows = import_rows
        self.mass_update_rows = mass_update_rows
        self._clients: dict[str, Client] = {}

    # -- helpers for operation sets ----------------------------------------------------------

    def client(self, username: str) -> Client:
        if username not in self._clients:
            user = (
                User.objects.filter(username=username).first()
                or User.objects.people().filter(is_active=True).order_by("id").first()
            )
            client = Client(SERVER_NAME=HOST, HTTP_HOST=HOST)
            if user is not None:
                client.force_login(user)
            self._clients[username] = client
        return self._clients[username]

    def page(
        self,
        name: str,
        urls: list[str],
        username: str,
        raw_sql: Callable[[int], tuple[str, list]] | None = None,
    ) -> Operation:
        client = self.client(username)

        def call(i):
            url = urls[i % len(urls)]
            response = client.get(url)
            if response.status_code != 200:
                raise PageError(f"GET {url} answered {response.status_code}")
            return response

        return Operation(name=name, call=call, raw_sql=raw_sql, variants=len(urls))

    @staticmethod
    def spread_ids(model, k: int = 10) -> list[int]:
        """`k` ids spread evenly over the table (first, last and between)."""
        qs = model._default_manager.order_by("pk").values_list("pk", flat=True)
        total = qs.count()
        if not total:
            return []
        offsets = sorted({round(j * (total - 1) / max(k - 1, 1)) for j in range(k)})
        return [qs[offset] for offset in offsets]

    @staticmethod
    def deep_after(qs, page: int = DEEP_PAGE, size: int = PAGE_SIZE) -> int | None:
        """The `after` cursor of list page `page` (newest first), or of the middle page when
        the table holds fewer pages."""
        ids = qs.order_by("-pk").values_list("pk", flat=True)
        total = ids[: page * size + 1].count()
        if total < 2:
            return None
        offset = min((page - 1) * size, total // 2)
        return ids[max(offset, 1) - 1]

    # -- running ---------------------------------------------------------------------------

    def operations(self, operation_sets: Iterable[OperationSet]) -> list[Operation]:
        ops = []
        for make in operation_sets:
            ops += list(make(self))
        if self.only:
            ops = [op for op in ops if self.only in op.name]
        return ops

    def measure(self, op: Operation) -> Result:
        try:
            for i in range(self.warmup if op.warmup is None else op.warmup):
                op.call(i)
            times = []
            for i in range(self.n if op.n is None else op.n):
                start = time.perf_counter()
                op.call(i)
                times.append((time.perf_counter() - start) * 1000)
            queries = None
            if op.count_queries:
                with CaptureQueriesContext(connection) as captured:
                    op.call(0)
                queries = len(captured.captured_queries)
            raw = self._raw_sql_times(op) if op.raw_sql else None
        except Exception as exc:  # one broken page must not hide the others
            return Result(op.name, 0, None, None, error=f"{type(exc).__name__}: {exc}")
        p50 = statistics.median(times)
        extra = {}
        if op.units_per_call:
            extra[f"{op.unit}_per_s"] = round(op.units_per_call * 1000 / p50, 1) if p50 else None
        if op.details:
            extra.update(op.details())
        raw_p50 = None
        if raw:
            raw_p50 = _round(statistics.median(raw))
            extra["raw_sql_p95_ms"] = _round(_percentile(raw, 95))
        return Result(
            op.name,
            len(times),
            _round(p50),
            _round(_percentile(times, 95)),
            queries,
            raw_p50,
            extra=extra,
        )

    def _raw_sql_times(self, op: Operation) -> list[float]:
        statements = None
        if connection.vendor == "postgresql":
            statements = [page_sql(self._selects_of(op, v)) for v in range(op.variants)]
        times = []
        with connection.cursor() as cursor:
            for i in range(self.warmup + self.n):
                if statements:
                    sql, params = statements[i % op.variants], None
                else:
                    sql, params = op.raw_sql(i)
                start = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                if i >= self.warmup:
                    times.append((time.perf_counter() - start) * 1000)
        return times

    @staticmethod
    def _selects_of(op: Operation, i: int) -> list[str]:
        """The SELECT statements call(i) sends, as sent (parameters bound)."""
        with CaptureQueriesContext(connection) as captured:
            op.call(i)
        return [
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].lstrip("( ").upper().startswith("SELECT")
        ]

    def run(
        self, operation_sets: Iterable[OperationSet], progress: Callable[[str], None] | None = None
    ) -> dict:
        results = []
        for op in self.operations(operation_sets):
            result = self.measure(op)
            results.append(result)
            if progress:
                progress(format_row(result))
        return {
            "operations": [r.as_dict() for r in results],
            "database": connection.vendor,
            "counts": counts(),
        }


def page_sql(selects: list[str]) -> str:
    """One PostgreSQL statement fetching the rows of every statement in `selects`, each as a
    JSON array in its own column (in the statement's order)."""
    if not selects:
        return "SELECT 1"
    columns = ",\n".join(
        f"(SELECT coalesce(json_agg(q), '[]') FROM ({sql}) q) AS q{n}"
        for n, sql in enumerate(selects)
    )
    return f"SELECT {columns}"


def _percentile(values, pct) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _round(ms: float) -> float:
    return round(ms, 2)


COUNTED = {
    "leads": Lead,
    "contacts": Contact,
    "accounts": Account,
    "opportunities": Opportunity,
    "activities": Activity,
    "tasks": Task,
    "notifications": Notification,
    "users": User,
}


def counts() -> dict[str, int]:
    return {name: model._default_manager.count() for name, model in COUNTED.items()}


# -- output ------------------------------------------------------------------------------

COLUMNS = (
    ("name", 34, "s"),
    ("n", 5, "d"),
    ("p50_ms", 9, ".1f"),
    ("p95_ms", 9, ".1f"),
    ("queries", 8, "d"),
    ("raw_sql_p50_ms", 15, ".2f"),
)


def format_header() -> str:
    return "  ".join(f"{name:<{w}}" if fmt == "s" else f"{name:>{w}}" for name, w, fmt in COLUMNS)


def format_row(result: Result | dict) -> str:
    row = result.as_dict() if isinstance(result, Result) else result
    cells = []
    for name, width, fmt in COLUMNS:
        value = row.get(name)
        if value is None:
            cells.append(f"{'-':>{width}}")
        elif fmt == "s":
            cells.append(f"{value:<{width}}")
        else:
            cells.append(f"{value:>{width}{fmt}}")
    line = "  ".join(cells)
    shown = {name for name, _w, _f in COLUMNS} | {"error"}
    more = [f"{k}={v}" for k, v in row.items() if k not in shown and v is not None]
    if more:
        line += "  " + " ".join(more)
    if row.get("error"):
        line += f"  ERROR {row['error']}"
    return line


def write_json(report: dict, path: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=2)
        fh.write("\n")
