"""The reports of CONTRACT 6.4 (SPEC Q-PERF: every report ≤ 1 s at scale; CSV export ≥ 50,000
rows/s, streamed): each report page as a manager opens it (default range: the fiscal year to
date), and the drill-down CSV of the whole range's pipeline (one row per opportunity)."""

from collections.abc import Iterable

from .measure import Bench, Operation, PageError

SLUGS = ("funnel", "sao", "pipeline", "reps", "sla", "hygiene", "comp", "capacity")
MANAGER = "sdr.mgr"


def report_pages(bench: Bench) -> Iterable[Operation]:
    for slug in SLUGS:
        yield bench.page(f"report {slug}", [f"/reports/{slug}/"], MANAGER)
        yield bench.page(f"report {slug} csv", [f"/reports/{slug}/?format=csv"], MANAGER)


def _drain(client, url: str) -> int:
    response = client.get(url)
    if response.status_code != 200:
        raise PageError(f"GET {url} answered {response.status_code}")
    return sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1


def report_csv_export(bench: Bench) -> Iterable[Operation]:
    client = bench.client(MANAGER)
    url = "/reports/pipeline/records/?from=2015-01-01&to=2034-12-31&format=csv"
    rows = max(_drain(client, url), 1)
    yield Operation(
        name="report CSV export (rows per second)",
        call=lambda i: _drain(client, url),
        units_per_call=rows,
        unit="rows",
        n=min(bench.n, 5),
        warmup=min(bench.warmup, 1),
        count_queries=False,
    )
