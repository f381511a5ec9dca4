"""REPORT-PIPE: pipeline IACV by stage and close month (close dates in the range); and
pipe-to-spend per campaign: the IACV of the opportunities a campaign member is a contact of
(influenced pipeline) ÷ the campaign's cost."""

import datetime

from django.db.models import Count, DecimalField, Exists, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from leads.models import Campaign, CampaignMember
from opportunities.enums import Stage
from opportunities.models import Opportunity, OpportunityContactRole

from ..params import Filters
from ..table import Table, chart, month_label, rounded

HEADER = ["close_month", "stage", "opportunities", "iacv"]


def in_range(f: Filters):
    return Opportunity.objects.filter(
        f.opportunity_q(), close_date__gte=f.start, close_date__lte=f.end
    )


def keyed(f: Filters, *, close_month: str = "", stage: str = ""):
    qs = in_range(f)
    if close_month:
        first = datetime.date(int(close_month[:4]), int(close_month[5:7]), 1)
        after = (first + datetime.timedelta(days=32)).replace(day=1)
        qs = qs.filter(close_date__gte=first, close_date__lt=after)
    if stage:
        qs = qs.filter(stage=stage)
    return qs


def influenced(f: Filters, campaign_ref=None):
    """The opportunities a campaign's members are contacts of (pipe-to-spend)."""
    members = CampaignMember.objects.filter(
        campaign=campaign_ref if campaign_ref is not None else OuterRef(OuterRef(OuterRef("pk"))),
        contact=OuterRef("contact"),
    )
    roles = OpportunityContactRole.objects.filter(opportunity=OuterRef("pk")).filter(
        Exists(members)
    )
    return in_range(f).filter(Exists(roles))


def _pipe_to_spend(f: Filters) -> list[dict]:
    money = DecimalField(max_digits=16, decimal_places=2)
    total = (
        influenced(f)
        .order_by()
        .annotate(g=Value(1))
        .values("g")
        .annotate(s=Sum("iacv"))
        .values("s")
    )
    rows = (
        Campaign.objects.annotate(
            influenced=Coalesce(Subquery(total, output_field=money), Value(0), output_field=money)
        )
        .order_by("-influenced", "name")
        .values("pk", "name", "cost", "influenced")[:50]
    )
    return [
        {**r, "ratio": rounded(r["influenced"] / r["cost"]) if r["cost"] else None} for r in rows
    ]


def pipeline(f: Filters) -> Table:
    rows = (
        in_range(f)
        .annotate(month=TruncMonth("close_date"))
        .values("month", "stage")
        .annotate(n=Count("id"), iacv=Coalesce(Sum("iacv"), Value(0), output_field=DecimalField()))
        .order_by("month", "stage")
    )
    order = {s: i for i, s in enumerate(Stage.values)}
    table = Table(HEADER)
    by_stage: dict[str, float] = {}
    for r in sorted(rows, key=lambda r: (r["month"], order.get(r["stage"], 99))):
        month = month_label(r["month"])
        iacv = rounded(r["iacv"])
        table.add(
            [month, r["stage"], r["n"], iacv],
            {"opportunities": {"close_month": month, "stage": r["stage"]}},
        )
        by_stage[r["stage"]] = by_stage.get(r["stage"], 0) + float(iacv)
    stages = [s for s in Stage.values if s in by_stage]
    table.chart = chart("bar", stages, [("IACV", [by_stage[s] for s in stages])])
    table.extra["campaigns"] = _pipe_to_spend(f)
    table.extra["open_iacv"] = sum(
        v for s, v in by_stage.items() if s not in ("7-Closed Won", "8-Closed Lost")
    )
    return table
