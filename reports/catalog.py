"""The eight reports of CONTRACT 6.4: slug, title, what they answer, the extra inputs they
take, and per drillable number the exact records behind it."""

from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.models import Contact
from leads.models import Lead
from opportunities.models import Opportunity

from .params import BadFilter, Filters, number
from .queries import capacity, comp, funnel, hygiene, pipeline, reps, sao, sla


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    spec: str
    summary: str
    build: Callable  # (filters, inputs) -> Table
    inputs: tuple = ()
    input_rules: dict = field(default_factory=dict)


def _comp_inputs(data) -> dict:
    out = {
        name: number(data, name, low=0, high=1000)
        for name in ("individual_pct", "team_pct", "net_arr_pct")
    }
    plan = (data.get("plan") or "").strip()
    if plan and plan not in comp.plans():
        raise BadFilter("plan", "Choose SDR/BDR standard or Enterprise Expand.")
    if plan:
        out["plan"] = plan
    return {k: v for k, v in out.items() if v is not None}


def _capacity_inputs(data) -> dict:
    return {
        "days_to_close": number(data, "days_to_close", low=1, high=3650),
        "win_rate_pct": number(data, "win_rate_pct", low=0, high=100),
        "capacity_goal": number(data, "capacity_goal", low=0, high=100000),
    }


INPUTS = {"comp": _comp_inputs, "capacity": _capacity_inputs}

REPORTS = {
    r.slug: r
    for r in (
        Report(
            "funnel",
            "Lifecycle funnel",
            "REPORT-FUNNEL",
            "Raw to Won by month, with stage-to-stage conversion.",
            lambda f, i: funnel.funnel(f),
        ),
        Report(
            "sao",
            "SAOs and SQOs",
            "REPORT-SAO",
            "By month, segment, source bucket and qualification source; SCLAU.",
            lambda f, i: sao.sao(f),
        ),
        Report(
            "pipeline",
            "Pipeline",
            "REPORT-PIPE",
            "IACV by stage and close month; pipe-to-spend per campaign.",
            lambda f, i: pipeline.pipeline(f),
        ),
        Report(
            "reps",
            "Rep activity and attainment",
            "REPORT-REP",
            "Per SDR/BDR per month: work, SAOs against quota.",
            lambda f, i: reps.reps_report(f),
        ),
        Report(
            "sla",
            "Speed to lead",
            "REPORT-SLA",
            "Median and p90 business minutes from MQL to first touch.",
            lambda f, i: sla.sla(f),
        ),
        Report(
            "hygiene",
            "Watch and help",
            "REPORT-HYGIENE",
            "Per rep: what needs attention, each count a link.",
            lambda f, i: hygiene.hygiene(f),
        ),
        Report(
            "comp",
            "Variable pay",
            "REPORT-COMP",
            "Per SDR/BDR and quarter: attainments, factors, payout.",
            lambda f, i: comp.comp(f, i),
            ("individual_pct", "team_pct", "net_arr_pct", "plan"),
        ),
        Report(
            "capacity",
            "Sales capacity planner",
            "REPORT-CAPACITY",
            "From days to close, win rate and goal to SCLAU per month.",
            lambda f, i: capacity.capacity(f, i),
            ("days_to_close", "win_rate_pct", "capacity_goal"),
        ),
    )
}


def _rep(data):
    return (data.get("rep") or "").strip()


def drill(slug: str, f: Filters, data) -> list:
    """The records behind one number: querysets of leads, contacts, opportunities, tasks,
    enrollments or accounts."""
    found = _drill(slug, f, data)
    return found if isinstance(found, list) else [found]


def _drill(slug: str, f: Filters, data):
    if slug == "sao" or (slug == "reps" and data.get("measure") == "sao"):
        return sao.keyed(
            f,
            "sqo" if data.get("measure") == "sqo" else "sao",
            month=data.get("month", ""),
            segment=data.get("segment", ""),
            bucket=data.get("bucket", ""),
            qsource=data.get("qsource", ""),
        )
    if slug == "reps":
        qs = Opportunity.objects.filter(f.opportunity_q(), f.between("created_at"))
        return (
            qs.filter(f.in_month("created_at", data.get("month", ""))) if data.get("month") else qs
        )
    if slug == "pipeline":
        if data.get("campaign"):
            return pipeline.influenced(f, campaign_ref=_int(data, "campaign"))
        return pipeline.keyed(
            f, close_month=data.get("close_month", ""), stage=data.get("stage", "")
        )
    if slug == "funnel":
        return _funnel(f, data)
    if slug == "hygiene":
        name = data.get("check", "")
        check, kind = hygiene.BY_NAME.get(name), hygiene.flag_kind(name)
        if (check is None and kind is None) or f.rep is None:
            raise BadFilter("check", "Choose a check and a rep.")
        return hygiene.flagged(kind, f.rep) if kind else hygiene.records(f, check, f.rep)
    if slug == "sla":
        people = [sla.mqls(f, Lead), sla.mqls(f, Contact)]
        if data.get("measure") == "breaches":
            people = [qs.filter(sla.breached()) for qs in people]
        return people
    if slug == "comp":
        quarter = next((q for q in comp.quarters(f) if q.label == data.get("quarter")), None)
        if quarter is None:
            raise BadFilter("quarter", "Choose a quarter of the range.")
        return comp.credited(f, quarter).filter(f.opportunity_q())
    raise BadFilter("slug", "This report has no drill-down.")


def _int(data, name) -> int:
    try:
        return int(data.get(name, ""))
    except ValueError:
        raise BadFilter(name, "Give a number.") from None


def _funnel(f: Filters, data):
    stage, month = data.get("stage", ""), data.get("month", "")
    if stage in funnel.PERSON_STAGES:
        month_q = f.in_month("reached_at", month) if month else f.between("reached_at")
        leads = funnel.person_stamps(f, stage, "lead").filter(month_q).values("lead")
        contacts = funnel.person_stamps(f, stage, "contact").filter(month_q).values("contact")
        return [Lead.objects.filter(pk__in=leads), Contact.objects.filter(pk__in=contacts)]
    if stage in funnel.OPPORTUNITY_STAGES:
        qs = funnel.opportunity_stage(f, stage)
        return qs.filter(f.in_month("at", month)) if month else qs
    raise BadFilter("stage", f"Choose one of: {', '.join(funnel.STAGES)}.")
