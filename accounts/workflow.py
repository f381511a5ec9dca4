"""ACCT-BPS: the BDR Prospecting Status machine over plain facts (no ORM, no request).

`decide_change` answers "may this user move this account to that status now?" with every
refusal it finds (rule ID + what to do); `reversion` answers the daily AUTO-2 question for one
Actively Working account; `deadlines` gives the days left shown on the account page and in
account view B3. The service (accounts/bps.py) gathers the facts and applies the answer.
"""

import datetime
from dataclasses import dataclass, field

from gtm_portal.refdata.enums import Segment

from .enums import BDRProspectingStatus as BPS

LOOKBACK_DAYS = 30  # rule 2: MQLs, opportunities and sales activity of the past 30 days
RESEARCH_DAYS = 10  # rule 3
ENROLL_DAYS = 15  # rule 3
ENROLL_MIN = 5  # rule 3
IDLE_DAYS = 30  # rule 4

# Rule 1-7 as a table: the statuses each status may move to by hand. AUTO-2/AUTO-3 use the
# same edges (AW → Queued, AW → Worked in FY, Worked in FY → Queued).
TRANSITIONS: dict[str, frozenset[str]] = {
    BPS.NONE: frozenset({BPS.QUEUED, BPS.ACTIVELY_WORKING, BPS.RESTRICTED}),
    BPS.QUEUED: frozenset({BPS.ACTIVELY_WORKING, BPS.RESTRICTED}),
    BPS.ACTIVELY_WORKING: frozenset({BPS.QUEUED, BPS.WORKED_IN_FY, BPS.RESTRICTED}),
    BPS.WORKED_IN_FY: frozenset({BPS.ACTIVELY_WORKING, BPS.QUEUED, BPS.RESTRICTED}),
    BPS.RESTRICTED: frozenset({BPS.QUEUED}),
}
LARGE_CLASS = frozenset({Segment.STRATEGIC, Segment.LARGE})


def targets_from(current: str) -> list[str]:
    """The statuses offered in the status form, in the enum's order."""
    allowed = TRANSITIONS.get(current or BPS.NONE, frozenset())
    return [value for value in BPS.values if value in allowed]


def limit_class(segment: str) -> str:
    """REF-7: Large and Strategic share one limit; Mid-Market, SMB and Unknown the other."""
    return "large" if segment in LARGE_CLASS else "other"


@dataclass(frozen=True)
class Refusal:
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True)
class PersonFact:
    key: str  # "contact:12" / "lead:7"
    name: str
    in_low_touch: bool = False


@dataclass(frozen=True)
class Facts:
    """What rule 2 needs to know about an account, gathered by the service."""

    current: str
    segment: str
    bdr_assigned: str | None = None  # username, None when nobody is assigned
    bdr_active_in_class: int = 0  # the BDR's other AW accounts in this limit class
    limit: int = 150
    recent_mqls: tuple[PersonFact, ...] = ()
    recent_opportunities: tuple[str, ...] = ()
    engaged_qualifying: tuple[str, ...] = ()  # names: Qualifying + recent activity / open task
    owner_override: str | None = None  # "comment #12 by ae.amer1" when valid
    override_problem: str | None = None  # why a named override comment does not count
    answering: str | None = None  # rule 7: key of the person who answered
    answering_problem: str | None = None


@dataclass(frozen=True)
class Actor:
    """Who asks, as the access helper answered (ACCT-BPS 1): `changes` — may change the
    status ("account.change_bps": BDRs, BDR Managers); `fixes` — may fix data with a reason
    ("account.fix_bps": Sales Support)."""

    username: str
    changes: bool = False
    fixes: bool = False


@dataclass
class Decision:
    to: str
    refusals: list[Refusal] = field(default_factory=list)
    stamp_since: bool = False
    clear_since: bool = False
    research_note: str = ""
    data_fix: bool = False

    @property
    def allowed(self) -> bool:
        return not self.refusals


def decide_change(
    *, facts: Facts, actor: Actor, to: str, reason: str = "", today: datetime.date | None = None
) -> Decision:
    """ACCT-BPS 1, 2, 5, 7: may `actor` move the account to `to`? Every refusal is listed."""
    reason = (reason or "").strip()
    decision = Decision(to=to)
    refuse = decision.refusals.append
    if to not in BPS.values or to == BPS.NONE:
        refuse(Refusal("ACCT-BPS", f"choose one of {', '.join(BPS.values[1:])}."))
        return decision
    bdr_side = actor.changes
    data_fix = not bdr_side and actor.fixes
    if not bdr_side and not data_fix:
        refuse(
            Refusal(
                "ACCT-BPS 1",
                "only BDRs and BDR Managers change the BDR Prospecting "
                "Status (Sales Support can fix data with a reason).",
            )
        )
        return decision
    if data_fix:
        decision.data_fix = True
        if not reason:
            refuse(
                Refusal(
                    "ACCT-BPS 1",
                    "Sales Support fixes the status with a reason; say what is being corrected.",
                )
            )
    if to == (facts.current or BPS.NONE):
        refuse(Refusal("ACCT-BPS", f"the account is already {to}."))
        return decision
    if not data_fix and to not in TRANSITIONS.get(facts.current or BPS.NONE, frozenset()):
        refuse(
            Refusal(
                "ACCT-BPS",
                f"{facts.current or 'no status'} cannot move to {to}; "
                f"allowed: {', '.join(targets_from(facts.current)) or 'none'}.",
            )
        )
        return decision
    if to == BPS.RESTRICTED:
        if not reason:
            refuse(
                Refusal(
                    "ACCT-BPS 5",
                    "give the reason for restricting the account; it is "
                    "written into BDR account research.",
                )
            )
        else:
            day = (today or datetime.date.today()).isoformat()
            decision.research_note = f"Restricted {day} by {actor.username}: {reason}"
    if to == BPS.ACTIVELY_WORKING:
        decision.stamp_since = True
        if not data_fix:
            decision.refusals += actively_working_refusals(facts)
    elif facts.current == BPS.ACTIVELY_WORKING:
        decision.clear_since = to == BPS.QUEUED
    return decision


def actively_working_refusals(facts: Facts) -> list[Refusal]:
    """ACCT-BPS 2 (and 7): the preconditions for → Actively Working."""
    out = []
    if not facts.bdr_assigned:
        out.append(
            Refusal("ACCT-BPS 2", "set BDR Assigned before moving the account to Actively Working.")
        )
    elif facts.bdr_active_in_class >= facts.limit:
        kind = (
            "Large/Strategic" if limit_class(facts.segment) == "large" else "Mid-Market/SMB/Unknown"
        )
        out.append(
            Refusal(
                "ACCT-BPS 2",
                f"{facts.bdr_assigned} already works "
                f"{facts.bdr_active_in_class} {kind} accounts, the "
                f"limit is {facts.limit} (REF-7); move one to Queued "
                "or Worked in FY first.",
            )
        )
    if facts.answering_problem:
        out.append(Refusal("ACCT-BPS 7", facts.answering_problem))
    if facts.override_problem:
        out.append(Refusal("ACCT-BPS 2", facts.override_problem))
    if facts.owner_override:
        return out
    mqls = [p for p in facts.recent_mqls if p.key != facts.answering]
    low_touch_only = len(facts.recent_mqls) == 1 and facts.recent_mqls[0].in_low_touch
    if mqls and not low_touch_only:
        names = ", ".join(p.name for p in mqls[:5])
        out.append(
            Refusal(
                "ACCT-BPS 2",
                f"an MQL at the account in the past {LOOKBACK_DAYS} "
                f"days ({names}) is being worked inbound; ask the "
                "account owner to request it in a comment.",
            )
        )
    if facts.recent_opportunities:
        names = ", ".join(facts.recent_opportunities[:5])
        out.append(
            Refusal(
                "ACCT-BPS 2",
                f"an opportunity was created at the account in the "
                f"past {LOOKBACK_DAYS} days ({names}).",
            )
        )
    if facts.engaged_qualifying:
        names = ", ".join(facts.engaged_qualifying[:5])
        out.append(
            Refusal(
                "ACCT-BPS 2",
                f"someone at the account is Qualifying with sales "
                f"activity in the past {LOOKBACK_DAYS} days or an "
                f"open future task ({names}).",
            )
        )
    return out


# -- deadlines and the daily reversions (rules 3, 4, 6; AUTO-2, AUTO-3) ------------------------


def _days(delta: datetime.timedelta) -> float:
    return delta / datetime.timedelta(days=1)


def deadlines(
    *,
    since: datetime.datetime | None,
    now: datetime.datetime,
    research_done: bool,
    enrolled: int,
    last_activity_at: datetime.datetime | None,
) -> dict:
    """Days left (negative when past) on rule 3 (research + comments in 10 days, 5 people
    enrolled in 15) and rule 4 (30 days without sequence activity → Worked in FY)."""
    if since is None:
        return {}
    elapsed = _days(now - since)
    idle_from = max(since, last_activity_at) if last_activity_at else since
    return {
        "research_done": research_done,
        "research_days_left": None if research_done else int(RESEARCH_DAYS - elapsed),
        "enrolled": enrolled,
        "enrolled_days_left": (None if enrolled >= ENROLL_MIN else int(ENROLL_DAYS - elapsed)),
        "idle_days_left": int(IDLE_DAYS - _days(now - idle_from)),
    }


@dataclass(frozen=True)
class Reversion:
    to: str
    rule: str
    why: str


def reversion(
    *,
    since: datetime.datetime | None,
    now: datetime.datetime,
    research_done: bool,
    enrolled_in_window: int,
    last_activity_at: datetime.datetime | None,
) -> Reversion | None:
    """AUTO-2 for one Actively Working account: rule 3 (→ Queued) is checked before rule 4
    (→ Worked in FY); None when it stays Actively Working."""
    if since is None:
        return None
    elapsed = _days(now - since)
    if elapsed > RESEARCH_DAYS and not research_done:
        return Reversion(
            BPS.QUEUED,
            "ACCT-BPS 3",
            f"BDR account research and BDR comments were not filled within {RESEARCH_DAYS} days",
        )
    if elapsed > ENROLL_DAYS and enrolled_in_window < ENROLL_MIN:
        return Reversion(
            BPS.QUEUED,
            "ACCT-BPS 3",
            f"{enrolled_in_window} of {ENROLL_MIN} people "
            f"enrolled in sequences within {ENROLL_DAYS} "
            "days",
        )
    idle_from = max(since, last_activity_at) if last_activity_at else since
    if _days(now - idle_from) >= IDLE_DAYS:
        return Reversion(
            BPS.WORKED_IN_FY,
            "ACCT-BPS 4",
            f"no sequence activity at the account for {IDLE_DAYS} days",
        )
    return None


def fiscal_year_start(day: datetime.date, start_month: int) -> datetime.date:
    """REF-7: the first day of the fiscal year `day` falls in."""
    year = day.year if day.month >= start_month else day.year - 1
    return datetime.date(year, start_month, 1)
