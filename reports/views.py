"""The report pages (CONTRACT 6.4): the index, each report (filters, chart, table, CSV), the
drill-down behind each number, and the comp quarter close."""

import json
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from gtm_portal.core import access
from gtm_portal.core.csvexport import stream_csv
from gtm_portal.refdata.enums import Segment, SourceBucket
from gtm_portal.refdata.models import Region
from gtm_portal.users.models import Team

from . import drill_rows, services
from .catalog import INPUTS, REPORTS, drill
from .params import FILTER_FIELDS, BadFilter, parse_filters

# CONTRACT 6.4's CSV: its header rows first (no byte-order mark), "\n" line ends.
REPORT_CSV = {"bom": False, "lineterminator": "\n"}


def _refused(request, error: BadFilter, report=None) -> HttpResponse:
    if request.GET.get("format") == "csv":
        return HttpResponse(
            f"{error.field}: {error.message}\n", status=400, content_type="text/plain"
        )
    return TemplateResponse(
        request,
        "reports/refused.html",
        {"error": error, "report": report, "reports": REPORTS.values()},
        status=400,
    )


def index(request):
    access.require(request.user, "record.read")
    return TemplateResponse(request, "reports/index.html", {"reports": REPORTS.values()})


def _choices():
    return {
        "regions": Region.objects.order_by("code").values_list("code", flat=True),
        "segments": Segment.values,
        "buckets": SourceBucket.values,
        "teams": Team.objects.values_list("name", flat=True),
    }


def _report(request, slug: str):
    access.require(request.user, "record.read")
    found = REPORTS.get(slug)
    if found is None:
        raise Http404("No such report.")
    return found


def report(request, slug: str):
    found = _report(request, slug)
    try:
        f = parse_filters(request.GET, request.user)
        inputs = INPUTS[slug](request.GET) if slug in INPUTS else {}
        table = found.build(f, inputs)
    except BadFilter as error:
        return _refused(request, error, found)
    if request.GET.get("format") == "csv":
        return stream_csv(f"{slug}.csv", table.header, table.rows, **REPORT_CSV)
    drill_url = reverse("reports:drill", args=[slug])
    rows = [
        [
            (
                value,
                f"{drill_url}?{urlencode(f.query(**links[col]))}" if col in links else None,
                isinstance(value, int | Decimal),
            )
            for col, value in zip(table.header, row, strict=True)
        ]
        for row, links in zip(table.rows, table.links, strict=True)
    ]
    return TemplateResponse(
        request,
        "reports/report.html",
        {
            "report": found,
            "reports": REPORTS.values(),
            "filters": f,
            "table": table,
            "rows": rows,
            "chart_data": json.dumps(table.chart),
            "csv_url": f"?{urlencode({**request.GET.dict(), 'format': 'csv'})}",
            "inputs": {k: request.GET.get(k, "") for k in found.inputs},
            "can_close": access.can(request.user, "reports.close_quarter"),
            **_choices(),
        },
    )


def records(request, slug: str):
    """The drill-down: exactly the records behind a number, paginated and exportable."""
    found = _report(request, slug)
    try:
        f = parse_filters(request.GET, request.user)
        querysets = drill(slug, f, request.GET)
    except BadFilter as error:
        return _refused(request, error, found)
    sections = [drill_rows.section(qs) for qs in querysets]
    if request.GET.get("format") == "csv":
        return stream_csv(
            f"{slug}-records.csv",
            drill_rows.CSV_HEADER,
            (row for s in sections for row in drill_rows.csv_rows(s)),
            **REPORT_CSV,
        )
    pages = [
        (s, Paginator(s.queryset, 50).get_page(request.GET.get(f"page{i}")))
        for i, s in enumerate(sections)
    ]
    back = reverse("reports:report", args=[slug]) + "?" + urlencode(f.query())
    return TemplateResponse(
        request,
        "reports/records.html",
        {
            "report": found,
            "pages": pages,
            "back": back,
            "total": sum(p.paginator.count for _, p in pages),
            "csv_url": f"?{urlencode({**request.GET.dict(), 'format': 'csv'})}",
            "params": {
                k: v
                for k, v in request.GET.items()
                if k not in FILTER_FIELDS and not k.startswith("page")
            },
        },
    )


@require_POST
def close_quarter(request):
    """REPORT-COMP: freeze a quarter's numbers."""
    try:
        services.quarter_close(quarter=request.POST.get("quarter", ""), by=request.user)
    except PermissionDenied:
        raise
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain")
    return redirect(reverse("reports:report", args=["comp"]) + "?" + request.POST.get("query", ""))
