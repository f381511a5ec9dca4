"""The opportunity list and the AE's views (VIEW-4): code → title, rows, default sort."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from . import querysets


@dataclass(frozen=True)
class ViewDef:
    code: str
    title: str
    rows: Callable[..., QuerySet]  # the view's rows for its owner (the list takes no owner)
    sort: str  # default sort: a key of OPPORTUNITY_SORTS, "-" descending;
    # "" for newest first
    note: str = ""
    summary: bool = False  # IACV total and subtotals by stage and close month


OPPORTUNITY_LIST = ViewDef("", "Opportunities", querysets.all_opportunities, "")

OPPORTUNITY_VIEWS = {
    "mine": ViewDef(
        "mine",
        "My opportunities",
        querysets.open_owned_by,
        "close",
        "Open opportunities (stages 00 to 6) I own, by close date.",
    ),
    "pipeline": ViewDef(
        "pipeline",
        "My pipeline",
        querysets.pipeline_of,
        "stage",
        "My open opportunities in stages 1 to 6.",
        summary=True,
    ),
}

# ?sort=<key> (or -<key>) → the column it orders by; each key is a column header
# (opportunities.rows.OPPORTUNITY_COLUMNS).
OPPORTUNITY_SORTS = {
    "name": "name",
    "account": "account__name",
    "stage": "stage__rank",
    "close": "close_date",
    "iacv": "iacv",
    "owner": "owner__first_name",
}
