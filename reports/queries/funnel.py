"""REPORT-FUNNEL: Raw → Inquiry → MQL → Accepted → Qualifying from the people's lifecycle
stamps; Pending Acceptance (first entry into 0), SAO (sales accepted date), SQO (sales
qualified date) and Won (closed won) from the opportunities' stamps. A record counts in the
month (viewer's zone, Q-TZ) it first reached the stage; conversion = count ÷ the previous
stage's count in the month × 100."""

from django.db.models import Count, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncMonth

from accounts.models import Contact
from leads.models import Lead, LifecycleStamp
from opportunities.enums import Stage
from opportunities.models import Opportunity, StageChange

from ..params import Filters
from ..table import Table, chart, month_label, pct

PERSON_STAGES = ("Raw", "Inquiry", "MQL", "Accepted", "Qualifying")
OPPORTUNITY_STAGES = ("Pending Acceptance", "SAO", "SQO", "Won")
STAGES = PERSON_STAGES + OPPORTUNITY_STAGES
HEADER = ["month", "stage", "count", "conversion_pct"]


def person_stamps(f: Filters, stage: str | None = None):
    """The stamps behind the person stages, for both kinds of person."""
    stages = [stage] if stage else list(PERSON_STAGES)
    base = LifecycleStamp.objects.filter(f.between("reached_at"), status__in=stages)
    leads = Lead.objects.filter(f.person_q("matched_account"))
    contacts = Contact.objects.filter(f.person_q("account"))
    return base.filter(Q(lead__in=leads) | Q(contact__in=contacts))


def pending_at():
    first = (
        StageChange.objects.filter(opportunity=OuterRef("pk"), to_stage=Stage.PENDING)
        .order_by()
        .values("opportunity")
        .annotate(at=Min("changed_at"))
        .values("at")
    )
    return Subquery(first)


def won_at():
    return Coalesce("closed_at", "stage_changed_at", "created_at")


def opportunity_stage(f: Filters, stage: str):
    """The opportunities behind an opportunity stage, with `at` = the moment it was reached."""
    qs = Opportunity.objects.filter(f.opportunity_q())
    if stage == "Pending Acceptance":
        qs = qs.annotate(at=pending_at())
    elif stage == "SAO":
        qs = qs.annotate(at=F("sales_accepted_date"))
    elif stage == "SQO":
        qs = qs.filter(sales_qualified=True).annotate(at=F("sales_qualified_date"))
    else:
        qs = qs.filter(stage=Stage.CLOSED_WON).annotate(at=won_at())
    return qs.filter(f.between("at"))


def _counts(f: Filters) -> dict:
    counts = {}
    rows = (
        person_stamps(f)
        .annotate(month=TruncMonth("reached_at", tzinfo=f.tz))
        .values("month", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[(month_label(row["month"]), row["status"])] = row["n"]
    for stage in OPPORTUNITY_STAGES:
        grouped = (
            opportunity_stage(f, stage)
            .annotate(month=TruncMonth("at", tzinfo=f.tz))
            .values("month")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in grouped:
            counts[(month_label(row["month"]), stage)] = row["n"]
    return counts


def funnel(f: Filters) -> Table:
    counts = _counts(f)
    table = Table(HEADER)
    months = [month_label(m) for m in f.months()]
    for month in months:
        previous = None
        for stage in STAGES:
            n = counts.get((month, stage), 0)
            conversion = "" if previous is None else pct(n, previous)
            table.add(
                [month, stage, n, "" if conversion is None else conversion],
                {"count": {"month": month, "stage": stage}},
            )
            previous = n
    totals = [sum(counts.get((m, s), 0) for m in months) for s in STAGES]
    table.chart = chart("bar", list(STAGES), [("Records reaching the stage", totals)])
    table.extra["totals"] = list(zip(STAGES, totals, strict=True))
    return table
