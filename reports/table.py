"""What a report answers: the CONTRACT 6.4 CSV header and rows (the table under the chart),
per number the drill-down to its records, and the chart."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


@dataclass
class Table:
    header: list[str]
    rows: list[list] = field(default_factory=list)
    # Per row: {column name: the drill-down's query (dict)}; absent = not a drillable number.
    links: list[dict] = field(default_factory=list)
    chart: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # report-specific page context

    def add(self, row: list, links: dict | None = None) -> None:
        self.rows.append(row)
        self.links.append(links or {})


def pct(part, whole, places: int = 1) -> Decimal | None:
    """part ÷ whole × 100, rounded half up; None when the whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )


def rounded(value, places: int = 2) -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def month_label(month) -> str:
    if isinstance(month, datetime.datetime):
        month = month.date()
    return month.strftime("%Y-%m") if month else ""


def chart(kind: str, labels: list, datasets: list[tuple[str, list]]) -> dict:
    return {
        "type": kind,
        "labels": labels,
        "datasets": [
            {"label": name, "data": [float(v or 0) for v in data]} for name, data in datasets
        ],
    }


def plain(value: Decimal) -> str:
    """180 not 1.8E+2; 33.5 not 33.50."""
    return format(Decimal(value).normalize(), "f")
