"""REPORT-FUNNEL: Raw → Inquiry → MQL → Accepted → Qualifying from the people's lifecycle
stamps; Pending Acceptance (first entry into 0), SAO (sales accepted date), SQO (sales
qualified date) and Won (closed won) from the opportunities' stamps. A record counts in the
month (viewer's zone, Q-TZ) it first reached the stage; conversion = count ÷ the previous
stage's count in the month × 100."""

from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncMonth

from leads.models import LifecycleStamp
from opportunities.enums import Stage
from opportunities.models import Opportunity, StageChange

from ..params import Filters
from ..table import Table, chart, month_label, pct

PERSON_STAGES = ("Raw", "Inquiry", "MQL", "Accepted", "Qualifying")
OPPORTUNITY_STAGES = ("Pending Acceptance", "SAO", "SQO", "Won")
STAGES = PERSON_STAGES + OPPORTUNITY_STAGES
HEADER = ["month", "stage", "count", "conversion_pct"]


def person_stamps(f: Filters, stage: str | None = None, kind: str = "lead"):
    """The stamps behind the person stages of one kind of person (joined on the key)."""
    stages = [stage] if stage else list(PERSON_STAGES)
    account = "account" if kind == "contact" else "matched_account"
    return LifecycleStamp.objects.filter(
        f.between("reached_at"),
        f.person_q(account, prefix=f"{kind}__"),
        status__in=stages,
        **{f"{kind}__isnull": False},
    )


def first_pending(f: Filters):
    """Each opportunity's first entry into 0-Pending Acceptance in the range (no earlier
    entry), as stage-change rows: one pass over the stage history, no per-row subquery."""
    earlier = StageChange.objects.filter(
        opportunity=OuterRef("opportunity"),
        to_stage=Stage.PENDING,
        changed_at__lt=OuterRef("changed_at"),
    )
    return StageChange.objects.filter(
        f.between("changed_at"), f.opportunity_q("opportunity__"), to_stage=Stage.PENDING
    ).exclude(Exists(earlier))


def won_at():
    return Coalesce("closed_at", "stage_changed_at", "created_at")


def opportunity_stage(f: Filters, stage: str):
    """The opportunities behind an opportunity stage, with `at` = the moment it was reached."""
    qs = Opportunity.objects.filter(f.opportunity_q())
    if stage == "Pending Acceptance":
        first = first_pending(f).filter(opportunity=OuterRef("pk")).values("changed_at")[:1]
        qs = qs.filter(pk__in=first_pending(f).values("opportunity")).annotate(at=Subquery(first))
    elif stage == "SAO":
        qs = qs.annotate(at=F("sales_accepted_date"))
    elif stage == "SQO":
        qs = qs.filter(sales_qualified=True).annotate(at=F("sales_qualified_date"))
    else:
        qs = qs.filter(stage=Stage.CLOSED_WON).annotate(at=won_at())
    return qs.filter(f.between("at"))


def _counts(f: Filters) -> dict:
    counts: dict[tuple, int] = {}
    for kind in ("lead", "contact"):
        rows = (
            person_stamps(f, kind=kind)
            .annotate(month=TruncMonth("reached_at", tzinfo=f.tz))
            .values("month", "status")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            key = (month_label(row["month"]), row["status"])
            counts[key] = counts.get(key, 0) + row["n"]
    pending = (
        first_pending(f)
        .annotate(month=TruncMonth("changed_at", tzinfo=f.tz))
        .values("month")
        .annotate(n=Count("opportunity", distinct=True))
        .order_by()
    )
    for row in pending:
        counts[(month_label(row["month"]), "Pending Acceptance")] = row["n"]
    for stage in OPPORTUNITY_STAGES[1:]:
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
