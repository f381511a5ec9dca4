"""SPEC Q-PERF list import ≥ 20,000 rows/s end to end for 100,000 rows (IMPORT-1..3),
measured by `make bench`: one CSV and one XLSX file of `--import-rows` (default 100,000) new
people each, built before the timed call; the call is the whole path — the upload's
parse, checks and matching (the preview), then the commit task's second read, checks,
account matching, CAMP-1, scoring and set-based writes (all or nothing), run in this process.
Routing of new MQLs is counted separately (`routed` in the row). Peak memory: the process's
peak resident set before and after the call (`peak_rss_mb`, `rss_growth_mb`) — flat in the
file's size when the parse streams."""

import io
import resource
import uuid
from collections.abc import Iterable

import openpyxl

from gtm_portal.users.models import User
from leads.imports import commit, services
from leads.models import ImportRun

from .measure import Bench, Operation, PageError

HEADER = ["first_name", "last_name", "email", "company", "title", "country", "initial_source"]
TITLES = ("Director of Engineering", "Software Engineer", "VP Operations", "CTO", "Analyst")
COUNTRIES = ("Germany", "United States", "France", "Australia", "Brazil")


def _rows(run: str, n: int):
    for i in range(n):
        yield [
            f"Imp{i}",
            f"Bench {i}",
            f"imp{run}{i}@firm{i % 997}.example",
            f"Firm {i % 997}",
            TITLES[i % len(TITLES)],
            COUNTRIES[i % len(COUNTRIES)],
            "Conference",
        ]


def csv_file(run: str, n: int) -> bytes:
    lines = [",".join(HEADER)] + [",".join(row) for row in _rows(run, n)]
    return ("\n".join(lines) + "\n").encode()


def xlsx_file(run: str, n: int) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in _rows(run, n):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class ImportOnce:
    def __init__(self, kind: str, n: int):
        self.kind, self.n, self.last = kind, n, {}
        self.run_id = uuid.uuid4().hex[:8]
        build = csv_file if kind == "csv" else xlsx_file
        self.content = build(self.run_id, n)

    def __call__(self, _i) -> None:
        by = User.objects.filter(groups__name="Marketing Ops", is_active=True).first()
        if by is None:
            raise PageError("no Marketing Ops user (run seed_demo)")
        before = _rss_mb()
        run = services.import_upload(by=by, file_name=f"bench.{self.kind}", content=self.content)
        ImportRun.objects.filter(pk=run.pk).update(
            state=ImportRun.State.QUEUED, mode=ImportRun.Mode.ALL
        )
        commit.run_commit(run.pk)
        run.refresh_from_db()
        if run.state != ImportRun.State.DONE or run.created != self.n:
            raise PageError(f"import ended {run.state}: {run.created} created; {run.log[:200]}")
        after = _rss_mb()
        self.last = {
            "created": run.created,
            "routed": run.routed,
            "file_mb": round(len(self.content) / 1048576, 1),
            "peak_rss_mb": round(after, 1),
            "rss_growth_mb": round(after - before, 1),
        }

    def details(self) -> dict:
        return dict(self.last)


def list_imports(bench: Bench) -> Iterable[Operation]:
    n = bench.import_rows
    label = f"{n // 1000}k" if n % 1000 == 0 else str(n)
    for kind in ("csv", "xlsx"):
        if bench.only and bench.only not in f"import {label} ({kind.upper()})":
            continue
        once = ImportOnce(kind, n)
        yield Operation(
            name=f"import {label} ({kind.upper()})",
            call=once,
            units_per_call=n,
            unit="rows",
            n=1,
            warmup=0,
            count_queries=False,
            details=once.details,
        )
