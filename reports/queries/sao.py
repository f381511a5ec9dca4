"""REPORT-SAO: SAOs (sales accepted date, OPP-S1) and SQOs (sales qualified date, OPP-S2) by
month × segment × source bucket × sales qualification source — BDR, SDR, AE
marketing-assisted (a contact on it has an initial source other than AE Generated, SAO-1),
AE cold calling. SCLAU = the SAOs in Large and up (Large, Strategic)."""

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Value, When
from django.db.models.functions import Coalesce, TruncMonth

from opportunities.enums import SalesQualificationSource as QS
from opportunities.models import Opportunity, OpportunityContactRole

from ..params import Filters
from ..table import Table, chart, month_label

HEADER = ["month", "segment", "source_bucket", "qualification_source", "sao", "sqo"]
SOURCES = ("BDR", "SDR", "AE marketing-assisted", "AE cold calling")
LARGE_AND_UP = ("Large", "Strategic")
AE_GENERATED = "AE Generated"


def qualification_source():
    marketing = Exists(
        OpportunityContactRole.objects.filter(opportunity=OuterRef("pk")).exclude(
            contact__initial_source__name=AE_GENERATED
        )
    )
    return Case(
        When(sales_qualification_source=QS.BDR, then=Value("BDR")),
        When(sales_qualification_source=QS.SDR, then=Value("SDR")),
        When(marketing, then=Value("AE marketing-assisted")),
        default=Value("AE cold calling"),
        output_field=CharField(),
    )


def measured(f: Filters, measure: str):
    """The SAOs (or SQOs) in the range, with their report keys annotated."""
    stamp = "sales_accepted_date" if measure == "sao" else "sales_qualified_date"
    qs = Opportunity.objects.filter(f.opportunity_q(), f.between(stamp))
    if measure == "sqo":
        qs = qs.filter(sales_qualified=True)
    return qs.annotate(
        at=F(stamp),
        segment_key=F("account__segment"),
        bucket_key=Coalesce("source__bucket", Value("none")),
        qsource=qualification_source(),
    )


def keyed(f: Filters, measure: str, *, month="", segment="", bucket="", qsource=""):
    """The drill-down: exactly the opportunities behind one cell."""
    qs = measured(f, measure)
    if month:
        qs = qs.filter(f.in_month("at", month))
    if segment:
        qs = qs.filter(segment_key=segment)
    if bucket:
        qs = qs.filter(bucket_key=bucket)
    if qsource:
        qs = qs.filter(qsource=qsource)
    return qs


def _grouped(f: Filters, measure: str) -> dict:
    rows = (
        measured(f, measure)
        .annotate(month=TruncMonth("at", tzinfo=f.tz))
        .values("month", "segment_key", "bucket_key", "qsource")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        (month_label(r["month"]), r["segment_key"], r["bucket_key"], r["qsource"]): r["n"]
        for r in rows
    }


def sao(f: Filters) -> Table:
    saos, sqos = _grouped(f, "sao"), _grouped(f, "sqo")
    table = Table(HEADER)
    for key in sorted(set(saos) | set(sqos)):
        month, segment, bucket, qsource = key
        cell = {"month": month, "segment": segment, "bucket": bucket, "qsource": qsource}
        table.add(
            [*key, saos.get(key, 0), sqos.get(key, 0)],
            {"sao": {**cell, "measure": "sao"}, "sqo": {**cell, "measure": "sqo"}},
        )
    sclau = sum(n for key, n in saos.items() if key[1] in LARGE_AND_UP)
    by_source = [sum(n for k, n in saos.items() if k[3] == s) for s in SOURCES]
    months = [month_label(m) for m in f.months()]
    table.chart = chart(
        "bar",
        months,
        [
            ("SAO", [sum(n for k, n in saos.items() if k[0] == m) for m in months]),
            ("SQO", [sum(n for k, n in sqos.items() if k[0] == m) for m in months]),
        ],
    )
    table.extra.update(
        sclau=sclau,
        sao_total=sum(saos.values()),
        sqo_total=sum(sqos.values()),
        by_source=list(zip(SOURCES, by_source, strict=True)),
    )
    return table
