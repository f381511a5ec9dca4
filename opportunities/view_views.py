"""The AE's workspace (VIEW-4, issue #16): the opportunity list `/opportunities/` and the views
"My opportunities" and "My pipeline" at `/opportunities/views/<code>/` — filters, sortable
headers, keyset pages, capped counts, streamed CSV and manager cover (`?as=`, VIEW-1)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.template.defaultfilters import floatformat
from django.template.response import TemplateResponse

from gtm_portal.core import access
from gtm_portal.core.csvexport import stream_csv
from gtm_portal.core.html import local_date
from gtm_portal.core.labels import select_labels
from gtm_portal.core.list_rows import header_html, table_rows_html
from gtm_portal.core.lists import capped_count, keyset_sorted, without_position

from .filters import OpportunityFilter
from .querysets import STAGE_RANK
from .rows import OPPORTUNITY_COLUMNS
from .views_catalog import OPPORTUNITY_LIST, OPPORTUNITY_SORTS, OPPORTUNITY_VIEWS, ViewDef

# What a row and the CSV read of an opportunity's ~60 columns (SPEC Q-PERF).
ROW_FIELDS = (
    "name",
    "account",
    "stage",
    "close_date",
    "iacv",
    "owner",
    "sdr_bdr",
    "type",
    "order_type",
    "source",
)
CSV_HEADER = [
    "id",
    "name",
    "account",
    "stage",
    "close date",
    "IACV",
    "owner",
    "SDR/BDR",
    "type",
    "order type",
    "source",
]


def _csv_row(o) -> list:
    return [
        o.pk,
        o.name,
        o.account.name,
        o.stage,
        o.close_date.isoformat(),
        o.iacv,
        o.owner.label,
        o.sdr_bdr.label if o.sdr_bdr else "",
        o.type,
        o.order_type,
        o.source.name if o.source else "",
    ]


def _sort(request, default: str) -> tuple[str, str, bool]:
    """The `?sort=` key in effect (an unknown one is ignored), its column and direction;
    without a key, newest first."""
    key = request.GET.get("sort", "")
    if key.lstrip("-") not in OPPORTUNITY_SORTS:
        key = default
    if not key:
        return "", "id", True
    return key, OPPORTUNITY_SORTS[key.lstrip("-")], key.startswith("-")


@dataclass
class Summary:
    """ "My pipeline": what is listed, in IACV, by stage and by close month."""

    count: int = 0
    iacv: Decimal = Decimal(0)
    by_stage: dict[str, tuple[int, Decimal]] = field(default_factory=dict)
    by_month: dict[datetime.date, tuple[int, Decimal]] = field(default_factory=dict)


def pipeline_summary(qs) -> Summary:
    """One aggregate query (GROUP BY stage, close month); the total adds up its groups."""
    summary = Summary()
    groups = (
        qs.order_by()
        .values("stage", month=TruncMonth("close_date"))
        .annotate(n=Count("pk"), iacv=Sum("iacv"))
    )
    for g in groups:
        n, iacv = g["n"], g["iacv"] or Decimal(0)
        summary.count += n
        summary.iacv += iacv
        for table, key in ((summary.by_stage, g["stage"]), (summary.by_month, g["month"])):
            had_n, had_iacv = table.get(key, (0, Decimal(0)))
            table[key] = (had_n + n, had_iacv + iacv)
    summary.by_stage = dict(sorted(summary.by_stage.items(), key=lambda kv: STAGE_RANK[kv[0]]))
    summary.by_month = dict(sorted(summary.by_month.items()))
    return summary


def _heading(label: str, n: int, iacv: Decimal) -> str:
    return f"{label} · {n:,} · IACV {floatformat(iacv, '0g')}"


def _group_of(summary: Summary | None, sort_field: str):
    """Pipeline rows sorted by stage or close date read as groups with their subtotals."""
    if summary is None:
        return None
    if sort_field == "stage__rank":
        return lambda r: _heading(r.stage, *summary.by_stage.get(r.stage, (0, 0)))
    if sort_field == "close_date":

        def month(r):
            first = r.close_date.replace(day=1)
            return _heading(local_date(first, "M Y"), *summary.by_month.get(first, (0, 0)))

        return month
    return None


def _ordered(qs, field_name: str, descending: bool):
    """The page's order (nulls last, ties by id), for the CSV."""
    if descending:
        return qs.order_by(F(field_name).desc(nulls_last=True), "-pk")
    return qs.order_by(F(field_name).asc(nulls_last=True), "pk")


def _list(request, view: ViewDef, owner=None):
    base = view.rows(owner) if owner is not None else view.rows()
    filters = OpportunityFilter(request.GET, queryset=base, owner_fixed=owner is not None)
    qs = filters.qs if filters.is_valid() else base.none()  # a bad filter lists nothing
    sort_key, sort_field, descending = _sort(request, view.sort)
    rows_qs = select_labels(qs, "account", "owner", "sdr_bdr", "source", fields=ROW_FIELDS)
    name = "-".join(filter(None, ("opportunities", view.code, owner and owner.username)))
    if request.GET.get("format") == "csv":
        rows = (
            _csv_row(o) for o in _ordered(rows_qs, sort_field, descending).iterator(chunk_size=2000)
        )
        return stream_csv(f"{name}.csv", CSV_HEADER, rows)
    page = keyset_sorted(rows_qs, request, sort_field, descending)
    summary = pipeline_summary(qs) if view.summary else None
    params = without_position(request.GET)
    params.pop("format", None)
    unsorted = params.copy()
    unsorted.pop("sort", None)
    chosen = [f for f in filters.form if f.name in request.GET]
    return TemplateResponse(
        request,
        "opportunities/view.html",
        {
            "view": view,
            "title": view.title,
            "page": page,
            "filters": filters,
            "filters_open": bool(chosen) or bool(filters.errors),
            "owner": owner,
            "covering": owner is not None and owner != request.user,
            "summary": summary,
            "query": params.urlencode(),
            "params": list(params.lists()),
            "header_html": header_html(
                OPPORTUNITY_COLUMNS, sort=sort_key, query=unsorted.urlencode()
            ),
            "rows_html": table_rows_html(
                OPPORTUNITY_COLUMNS,
                page.rows,
                group_of=_group_of(summary, sort_field),
                empty="No opportunities." if owner is None else "Nothing in this view.",
            ),
        },
    )


def opportunity_list(request):
    """`/opportunities/`: every opportunity, newest first unless sorted (VIEW-4)."""
    return _list(request, OPPORTUNITY_LIST)


def opportunity_view(request, code: str):
    """`/opportunities/views/<code>/`: an AE's view, or a report's for their manager."""
    view = OPPORTUNITY_VIEWS.get(code)
    if view is None:
        raise Http404("No such view.")
    return _list(request, view, owner=access.view_owner(request))


def opportunity_view_counts(request):
    """The side menu's live counts of my opportunity views (loaded by HTMX after the page so
    pages keep their query budget), capped like the views' own (10,000+)."""
    counts = []
    for view in OPPORTUNITY_VIEWS.values():
        n, capped = capped_count(view.rows(request.user))
        counts.append((view, f"{n:,}+" if capped else f"{n:,}"))
    return TemplateResponse(request, "opportunities/_view_counts.html", {"counts": counts})
