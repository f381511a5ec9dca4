"""REPORT-CAPACITY: months to close = days ÷ 30; months to lose = months to close ÷ 2;
months on average = win rate × months to close + (1 − win rate) × months to lose; SCLAU per
month = capacity goal ÷ months on average (180 days, 33%, 40 → 3.99 months, 10.03 SCLAU).
Beside it, each AE's active opportunities in stages 1–6 against the goal."""

from decimal import Decimal

from django.db.models import Count, Q

from gtm_portal.users import roles
from gtm_portal.users.models import User
from opportunities.enums import Stage

from ..params import Filters
from ..table import Table, chart, plain, rounded

HEADER = ["name", "value"]
DEFAULTS = {
    "days_to_close": Decimal(180),
    "win_rate_pct": Decimal(33),
    "capacity_goal": Decimal(40),
}
ACTIVE = (
    Stage.DISCOVERY,
    Stage.SCOPING,
    Stage.TECH_EVAL,
    Stage.PROPOSAL,
    Stage.NEGOTIATING,
    Stage.AWAITING_SIGNATURE,
)


def plan(days_to_close: Decimal, win_rate_pct: Decimal, capacity_goal: Decimal) -> dict:
    months_to_close = days_to_close / 30
    months_to_lose = months_to_close / 2
    win = win_rate_pct / 100
    average = win * months_to_close + (1 - win) * months_to_lose
    return {
        "days_to_close": days_to_close,
        "win_rate_pct": win_rate_pct,
        "capacity_goal": capacity_goal,
        "months_to_close": rounded(months_to_close),
        "months_to_lose": rounded(months_to_lose),
        "months_on_average": rounded(average),
        "sclau_per_month": rounded(capacity_goal / average) if average else Decimal(0),
    }


def active_by_ae(f: Filters):
    return (
        User.objects.people()
        .filter(groups__name=roles.AE, is_active=True)
        .filter(f.user_q())
        .annotate(
            active=Count(
                "owned_opportunities",
                filter=Q(owned_opportunities__stage__in=ACTIVE),
                distinct=True,
            )
        )
        .order_by("username")
        .values_list("username", "active")
    )


def capacity(f: Filters, inputs: dict) -> Table:
    values = plan(**{k: inputs.get(k) or v for k, v in DEFAULTS.items()})
    table = Table(HEADER)
    for name, value in values.items():
        table.add([name, plain(value) if name in DEFAULTS else value])
    aes = list(active_by_ae(f))
    goal = values["capacity_goal"]
    table.extra.update(aes=aes, goal=goal, values=values)
    table.chart = chart(
        "bar",
        [u for u, _ in aes],
        [("Active opportunities (1–6)", [n for _, n in aes]), ("Goal", [goal] * len(aes))],
    )
    return table
