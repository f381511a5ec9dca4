"""OPP-STAGES, OPP-V1..V12 and the stamps OPP-S1/S2, pure: facts about an opportunity and a
requested stage in; the refusals (each naming its rule and what to do) or the stamps out.
One implementation for the stage form, the admin, imports and the API; the edit form asks
`field_refusals` (OPP-V11/V12) and `editable_fields` (ROLE-3) from here too."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from .enums import Edition, OrderType, Stage

ORDER = list(Stage.values)
STAGES_1_TO_7 = frozenset(ORDER[ORDER.index(Stage.DISCOVERY) : ORDER.index(Stage.CLOSED_WON) + 1])
STAGES_2_TO_7 = STAGES_1_TO_7 - {Stage.DISCOVERY}
STAGES_4_TO_7 = frozenset(
    {Stage.PROPOSAL, Stage.NEGOTIATING, Stage.AWAITING_SIGNATURE, Stage.CLOSED_WON}
)
BEFORE_ACCEPTANCE = frozenset({Stage.PRE, Stage.PENDING})
MERGED_REASON = "Merged into another opportunity"
BIG_DEAL_IACV = Decimal("12000")
TERMS_MIN_IACV = Decimal("25000")
REOPEN_DAYS = 30


@dataclass(frozen=True)
class Facts:
    stage: str
    to: str
    order_type: str = OrderType.SALES_ASSISTED
    segment: str = "Unknown"
    iacv: Decimal = Decimal("0")
    owner_id: int | None = None
    sdr_bdr_id: int | None = None
    ever_pending: bool = False
    accepted: bool = False
    sales_qualified: bool = False
    qualification_complete: bool = False
    two_way_with_contact: bool = False
    bill_to: bool = False
    sold_to: bool = False
    po_answered: bool = False
    closed_won_details: bool = False
    closed_lost_reasons: tuple = ()
    closed_lost_detail: str = ""
    merged_opportunity: int | None = None
    merged_is_self: bool = False
    merged_same_hierarchy: bool = True
    unqualified_reason: bool = False
    closed_days_ago: float | None = None
    support_override: bool = False  # Sales Support moving back, with a reason (OPP-V4)
    terms_modification: bool = False
    edition: str = ""
    close_date: datetime.date | None = None


@dataclass
class Result:
    refusals: list = field(default_factory=list)  # (rule, message)
    stamps: dict = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return not self.refusals

    @property
    def rules(self) -> list[str]:
        return [rule for rule, _ in self.refusals]


def check(f: Facts, today: datetime.date | None = None) -> Result:
    """The stage move's refusals, each led by its rule ID (OPP-STAGES, OPP-V1..V12)."""
    out = Result()
    if f.to not in ORDER:
        out.refusals.append(_refusal("OPP-STAGES", f"“{f.to}” is not a stage."))
        return out
    if f.to == f.stage:
        out.refusals.append(_refusal("OPP-STAGES", f"the opportunity is already in {f.to}."))
        return out
    for group in (_people_and_path, _unqualified_and_back, _closing, _paperwork, _hand_over):
        out.refusals.extend(_refusal(rule, message) for rule, message in group(f))
    out.refusals.extend(
        _refusal(rule, message)
        for rule, message in field_refusals(
            terms_modification=f.terms_modification,
            iacv=f.iacv,
            edition=f.edition,
            close_date=f.close_date,
        )
    )
    if out.allowed:
        out.stamps = stamps(f)
    return out


def _refusal(rule: str, message: str) -> tuple[str, str]:
    return rule, f"{rule}: {message}"


Refusals = Iterator[tuple[str, str]]


def _people_and_path(f: Facts) -> Refusals:
    """OPP-V1 (owner ≠ SDR/BDR) and OPP-V2 (sales-assisted goes through 0 first)."""
    if f.sdr_bdr_id is not None and f.sdr_bdr_id == f.owner_id:
        yield "OPP-V1", "the owner and the SDR/BDR cannot be the same person; change one."
    sales_assisted = f.order_type == OrderType.SALES_ASSISTED
    if (
        sales_assisted
        and f.to in STAGES_1_TO_7
        and not (f.ever_pending or f.stage == Stage.PENDING)
    ):
        yield (
            "OPP-V2",
            "a sales-assisted opportunity goes through 0-Pending Acceptance first; "
            "move it there and let the AE accept it.",
        )


def _unqualified_and_back(f: Facts) -> Refusals:
    """OPP-V3 (9-Unqualified), OPP-V4 (never back before acceptance), OPP-V5 (duplicate)."""
    if f.to == Stage.UNQUALIFIED:
        if f.stage not in BEFORE_ACCEPTANCE:
            yield (
                "OPP-V3",
                "9-Unqualified is only for opportunities in 00 or 0; use "
                "8-Closed Lost with a reason.",
            )
        if not f.unqualified_reason:
            yield "OPP-V3", "choose an unqualified reason."
    if f.accepted and f.to in (BEFORE_ACCEPTANCE | {Stage.UNQUALIFIED}) and not f.support_override:
        yield (
            "OPP-V4",
            "an accepted opportunity never goes back to 00, 0 or 9; ask Sales "
            "Support if this is a data fix.",
        )
    if f.to == Stage.DUPLICATE and f.accepted:
        yield (
            "OPP-V5",
            "an accepted opportunity cannot be a duplicate; use 8-Closed Lost with "
            "a reason such as “Merged into another opportunity”.",
        )


def _closing(f: Facts) -> Refusals:
    """OPP-V6 (closed-lost reasons and merge target) and OPP-V7 (reopen within 30 days)."""
    if f.to == Stage.CLOSED_LOST:
        if not f.closed_lost_reasons:
            yield "OPP-V6", "choose at least one closed-lost reason."
        if not f.closed_lost_detail.strip():
            yield "OPP-V6", "write the closed-lost detail."
        if MERGED_REASON in f.closed_lost_reasons:
            if f.merged_opportunity is None:
                yield "OPP-V6", "“Merged into another opportunity” needs the merged opportunity."
            elif f.merged_is_self:
                yield "OPP-V6", "an opportunity cannot be merged into itself."
            elif not f.merged_same_hierarchy:
                yield "OPP-V6", "the merged opportunity must be in the same account hierarchy."
    if (
        f.stage == Stage.CLOSED_LOST
        and f.closed_days_ago is not None
        and f.closed_days_ago > REOPEN_DAYS
    ):
        yield (
            "OPP-V7",
            "a closed-lost opportunity reopens only within 30 days; create a new opportunity.",
        )


def _paperwork(f: Facts) -> Refusals:
    """OPP-V8 (closed won details for big deals) and OPP-V9 (4-Proposal and later)."""
    big = f.segment in ("Large", "Strategic") or f.iacv >= BIG_DEAL_IACV
    if f.to in (Stage.AWAITING_SIGNATURE, Stage.CLOSED_WON) and big and not f.closed_won_details:
        yield "OPP-V8", "Large/Strategic accounts and IACV ≥ $12,000 need the closed won details."
    if f.to in STAGES_4_TO_7:
        missing = [
            name
            for name, ok in (
                ("a bill-to contact role", f.bill_to),
                ("a sold-to contact role", f.sold_to),
                ("the PO-expected answer", f.po_answered),
            )
            if not ok
        ]
        if missing:
            yield "OPP-V9", "4-Proposal and later need " + ", ".join(missing) + "."


def _hand_over(f: Facts) -> Refusals:
    """OPP-V10: an SDR/BDR sends it to the AE qualified and after a two-way activity."""
    if f.to == Stage.PENDING and f.sdr_bdr_id is not None:
        if not f.qualification_complete:
            yield (
                "OPP-V10",
                "fill the qualification fields (right person/profile confirmed, "
                "business problem) before sending it to the AE.",
            )
        if not f.two_way_with_contact:
            yield "OPP-V10", "log a two-way activity with a contact on the opportunity first."


def terms_request_refusal(*, iacv: Decimal, edition: str) -> str | None:
    """OPP-V11: why a standard-terms modification request is refused, or None."""
    if iacv < TERMS_MIN_IACV:
        return (
            f"standard-terms modifications need IACV ≥ ${TERMS_MIN_IACV:,.0f}; "
            f"this one has ${iacv:,.0f}."
        )
    if edition == Edition.STARTER:
        return "standard-terms modifications are not offered for Starter."
    return None


def default_close_date(
    close_date: datetime.date | None, trial_expiry: datetime.date | None
) -> datetime.date | None:
    """OPP-V12: the close date given, else — for an opportunity from a free trial — the
    trial's expiry."""
    return close_date or trial_expiry


def field_refusals(
    *, terms_modification: bool, iacv: Decimal, edition: str, close_date: datetime.date | None
) -> list[tuple[str, str]]:
    """OPP-V11, OPP-V12: what the opportunity's own fields must hold at any stage — asked on
    every stage change and on every edit. (rule, what to do) pairs."""
    out = []
    if terms_modification and terms_request_refusal(iacv=iacv, edition=edition):
        out.append(("OPP-V11", "standard-terms modifications need IACV ≥ $25,000 and not Starter."))
    if close_date is None:
        out.append(("OPP-V12", "set a close date."))
    return out


# ROLE-3: what the edit form changes. Stage, the stamps, owner, SDR/BDR, account, order type and
# the closing fields move only through the stage form and their own workflows.
QUALIFICATION_FIELDS = (
    "right_person_confirmed",
    "business_problem",
    "seats",
    "deployment_preference",
    "technology_stack",
    "solutions_to_replace",
    "competition",
)
EDIT_FIELDS = (
    "name",
    "close_date",
    "amount",
    "iacv",
    "type",
    "source",
    "edition",
    "resale_partner",
    *QUALIFICATION_FIELDS,
    "meddpic_notes",
    "poc_notes",
    "success_criteria",
    "purchasing_plan",
    "po_expected",
    "next_step",
    "next_step_date",
    "standard_terms_modification",
    "referenceable",
    "trial_expiry",
    "description",
)


def editable_fields(scope: str | None) -> tuple[str, ...]:
    """ROLE-3: the fields an edit scope (`access.opportunity_edit_scope`) changes — all of them
    for the owner, the owner's manager and Sales Support, the qualification fields for the
    SDR/BDR before 1-Discovery, none otherwise."""
    return {"all": EDIT_FIELDS, "qualification": QUALIFICATION_FIELDS}.get(scope or "", ())


def stamps(f: Facts) -> dict:
    """OPP-S1: the first move from 0 to any of 1–7 sets the sales accepted date (the SAO).
    OPP-S2: the first entry into any of 2–7 from 0 or 1 sets sales qualified, its date and
    the initial IACV, which never changes afterwards."""
    out: dict = {}
    if f.stage == Stage.PENDING and f.to in STAGES_1_TO_7 and not f.accepted:
        out["sales_accepted_date"] = True
    if (
        f.stage in (Stage.PENDING, Stage.DISCOVERY)
        and f.to in STAGES_2_TO_7
        and not f.sales_qualified
    ):
        out["sales_qualified"] = True
        out["sales_qualified_date"] = True
        out["initial_iacv"] = f.iacv
    return out


def notable_loss(*, to: str, opportunity_type: str, segment: str, iacv: Decimal) -> bool:
    """OPP-NOTIFY: 8-Closed Lost on New Business where the account is Large/Strategic or
    IACV ≥ $12,000 goes to the lost-deals feed."""
    return (
        to == Stage.CLOSED_LOST
        and opportunity_type == "New Business"
        and (segment in ("Large", "Strategic") or iacv >= BIG_DEAL_IACV)
    )


STALE_AFTER = datetime.timedelta(hours=48)


def is_stale(*, stage: str, next_step_date: datetime.date | None, now: datetime.datetime) -> bool:
    """OPP-STALE: in 0-Pending Acceptance and the next step date passed more than 48 hours
    ago. A date has passed once it is over (midnight after it, in `now`'s zone)."""
    if stage != Stage.PENDING or next_step_date is None:
        return False
    passed = datetime.datetime.combine(
        next_step_date + datetime.timedelta(days=1), datetime.time(), tzinfo=now.tzinfo
    )
    return now - passed > STALE_AFTER


def stale_cutoff(today: datetime.date) -> datetime.date:
    """For the set-based query: `is_stale` holds all day `today` (after its first instant)
    exactly for next step dates before this one."""
    return today - datetime.timedelta(days=2)
