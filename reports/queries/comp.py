"""REPORT-COMP: per SDR/BDR and fiscal quarter the attainments, factors and payout of the
rep's plan (reference data: `refdata.CompPlan`), with the formula shown. Only credited SAOs
count: an accepted opportunity (SAO-1) with a two-way activity documented on one of its
contacts. A closed quarter shows its frozen numbers; what changed since shows as dated
adjustment lines (who, when, which opportunity)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Sum

from accounts.workflow import fiscal_year_start
from gtm_portal.activity.models import Activity
from gtm_portal.core.models import FieldChange
from gtm_portal.refdata.models import CompPlan, SaoQuota
from opportunities.enums import Stage
from opportunities.models import Opportunity, StageChange

from .. import comp_rules
from ..models import FrozenCompRow, QuarterClose
from ..params import Filters, fiscal_start_month
from ..table import Table, chart, pct, rounded
from .reps import reps

HEADER = [
    "rep",
    "quarter",
    "plan",
    "individual_attainment_pct",
    "team_attainment_pct",
    "individual_factor_pct",
    "team_factor_pct",
    "variable_payout_pct",
]
STANDARD = "SDR/BDR standard"


@dataclass(frozen=True)
class Quarter:
    label: str
    start: datetime.date
    end: datetime.date  # exclusive

    def between(self, f: Filters, name: str) -> dict:
        def at(day):
            return datetime.datetime.combine(day, datetime.time(0), tzinfo=f.tz)

        return {f"{name}__gte": at(self.start), f"{name}__lt": at(self.end)}


def _add_months(day: datetime.date, n: int) -> datetime.date:
    m = day.month - 1 + n
    return datetime.date(day.year + m // 12, m % 12 + 1, 1)


def quarter_of(day: datetime.date, start_month: int | None = None) -> Quarter:
    start_month = start_month or fiscal_start_month()
    fy = fiscal_year_start(day, start_month)
    index = ((day.year - fy.year) * 12 + day.month - fy.month) // 3
    begin = _add_months(fy, 3 * index)
    year = fy.year if start_month == 1 else fy.year + 1
    return Quarter(f"FY{year}-Q{index + 1}", begin, _add_months(begin, 3))


def quarters(f: Filters) -> list[Quarter]:
    month = fiscal_start_month()
    out, q = [], quarter_of(f.start, month)
    while q.start <= f.end:
        out.append(q)
        q = quarter_of(q.end, month)
    return out


def credited(f: Filters, quarter: Quarter):
    """SAO-1 + the seed's credit rule: accepted in the quarter, with a two-way activity on a
    contact of the opportunity."""
    two_way = Activity.objects.filter(
        two_way=True, contact__opportunity_roles__opportunity=OuterRef("pk")
    )
    return Opportunity.objects.filter(
        sdr_bdr__isnull=False, **quarter.between(f, "sales_accepted_date")
    ).filter(Exists(two_way))


def plans() -> dict[str, list[comp_rules.Part]]:
    out: dict[str, list[comp_rules.Part]] = {}
    for plan in CompPlan.objects.prefetch_related("parts"):
        out[plan.name] = [
            comp_rules.Part(p.kind, p.share_pct, p.floor_pct, p.ceiling_pct, p.multiplier)
            for p in plan.parts.all()
        ]
    return out


def _quota_sums(quarter: Quarter, field: str) -> dict:
    """Quota sums in the quarter per user (field "user") or per team ("team")."""
    rows = (
        SaoQuota.objects.filter(
            month__gte=quarter.start, month__lt=quarter.end, **{f"{field}__isnull": False}
        )
        .values(field)
        .annotate(saos=Sum("sao_quota"), arr=Sum("net_arr_quota"))
        .order_by()
    )
    return {r[field]: r for r in rows}


def _rep_plans(quarter: Quarter) -> dict[int, str]:
    rows = (
        SaoQuota.objects.filter(
            month__gte=quarter.start, month__lt=quarter.end, user__isnull=False, plan__isnull=False
        )
        .order_by("user_id", "month")
        .values_list("user_id", "plan__name")
    )
    return dict(rows)  # the latest month's plan wins


def row_for(plan_name, parts, individual, team, net_arr) -> list:
    factors = {
        "individual": comp_rules.factor(individual or Decimal(0), _part(parts, "individual")),
        "team": comp_rules.factor(team or Decimal(0), _part(parts, "team")),
        "net_arr": comp_rules.factor(net_arr or Decimal(0), _part(parts, "net_arr")),
    }
    return [
        plan_name,
        "" if individual is None else rounded(individual, 1),
        "" if team is None else rounded(team, 1),
        rounded(factors["individual"], 1),
        rounded(factors["team"], 1),
        rounded(comp_rules.payout(factors, parts), 1),
    ]


def _part(parts, kind) -> comp_rules.Part:
    return next((p for p in parts if p.kind == kind), comp_rules.Part(kind, Decimal(0)))


def _per(qs, key: str, measure) -> dict:
    """{key: measure}, one GROUP BY."""
    return dict(qs.values(key).annotate(m=measure).order_by().values_list(key, "m"))


def live_rows(f: Filters, quarter: Quarter) -> list[tuple]:
    """(rep, row, credited ids) for the reps the filters select, computed now."""
    people = list(reps(f).select_related("team"))
    counts = _per(credited(f, quarter), "sdr_bdr", Count("id"))
    team_counts = _per(credited(f, quarter), "sdr_bdr__team", Count("id"))
    won = _per(
        Opportunity.objects.filter(stage=Stage.CLOSED_WON, **quarter.between(f, "closed_at")),
        "sdr_bdr",
        Sum("iacv"),
    )
    mine, teams = _quota_sums(quarter, "user"), _quota_sums(quarter, "team")
    team_quota = {
        t: teams.get(t, {}).get("saos")
        or sum(mine.get(u.pk, {}).get("saos") or 0 for u in people if u.team_id == t)
        for t in {u.team_id for u in people}
    }
    rep_plans, all_plans = _rep_plans(quarter), plans()
    ids = dict(credited(f, quarter).values_list("pk", "sdr_bdr"))
    out = []
    for u in people:
        name = rep_plans.get(u.pk, STANDARD)
        q = mine.get(u.pk, {})
        individual = pct(counts.get(u.pk, 0), q.get("saos"), 4)
        team = (
            pct(team_counts.get(u.team_id, 0), team_quota.get(u.team_id), 4) if u.team_id else None
        )
        net_arr = pct(won.get(u.pk) or 0, q.get("arr"), 4)
        row = row_for(name, all_plans.get(name, []), individual, team, net_arr)
        out.append((u, row, sorted(pk for pk, rep in ids.items() if rep == u.pk)))
    return out


def adjustments(close: QuarterClose, frozen: dict, live: dict) -> list[dict]:
    """The opportunities that entered or left a rep's credited set after the close, each with
    the last change to it since then (who, when)."""
    lines = []
    for rep_id, frozen_ids in frozen.items():
        now_ids = set(live.get(rep_id, ()))
        for pk in sorted(now_ids ^ set(frozen_ids)):
            change = (
                FieldChange.objects.filter(
                    content_type__model="opportunity", object_id=pk, changed_at__gt=close.closed_at
                )
                .select_related("changed_by")
                .order_by("-changed_at")
                .first()
            ) or StageChange.objects.filter(
                opportunity_id=pk, changed_at__gt=close.closed_at
            ).select_related("changed_by").order_by("-changed_at").first()
            lines.append(
                {
                    "rep_id": rep_id,
                    "opportunity_id": pk,
                    "delta": 1 if pk in now_ids else -1,
                    "at": getattr(change, "changed_at", None),
                    "by": getattr(getattr(change, "changed_by", None), "username", ""),
                }
            )
    return lines


def what_if(inputs: dict) -> list | None:
    if not inputs:
        return None
    name = inputs.get("plan") or STANDARD
    row = row_for(
        name,
        plans().get(name, []),
        inputs.get("individual_pct") or Decimal(0),
        inputs.get("team_pct") or Decimal(0),
        inputs.get("net_arr_pct") or Decimal(0),
    )
    return ["what-if", "", *row]


def comp(f: Filters, inputs: dict | None = None) -> Table:
    table = Table(HEADER)
    closes = {
        c.quarter: c
        for c in QuarterClose.objects.filter(quarter__in=[q.label for q in quarters(f)])
    }
    lines = []
    for quarter in quarters(f):
        live = live_rows(f, quarter)
        close = closes.get(quarter.label)
        frozen = {}
        if close:
            frozen = {r.rep_id: r for r in FrozenCompRow.objects.filter(close=close)}
            lines += adjustments(
                close,
                {k: r.credited_ids for k, r in frozen.items()},
                {u.pk: ids for u, _, ids in live},
            )
        for u, row, _ids in live:
            shown = frozen[u.pk].values if u.pk in frozen else row
            table.add(
                [u.username, quarter.label, *shown],
                {"individual_attainment_pct": {"rep": u.username, "quarter": quarter.label}},
            )
    extra = what_if(inputs or {})
    if extra:
        table.add(extra)
    all_plans = plans()
    table.extra.update(
        formulas={name: comp_rules.formula(parts) for name, parts in all_plans.items()},
        adjustments=lines,
        closed=sorted(closes),
        quarters=[q.label for q in quarters(f)],
    )
    table.chart = chart(
        "bar",
        [f"{r[0]} {r[1]}" for r in table.rows],
        [("Variable payout %", [r[7] for r in table.rows])],
    )
    return table
