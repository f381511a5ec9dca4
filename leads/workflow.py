"""LEAD-STATUS: the lead (and contact) status machine, pure. One table, used by forms, admin,
API, imports and jobs through `leads.services.person_change_status`."""

from dataclasses import dataclass

from gtm_portal.core.enums import OPEN_PERSON_STATUSES
from gtm_portal.core.enums import PersonStatus as S


class Via:
    """What asks for the move. Some moves only happen through one path (LEAD-STATUS 2, 6, 9)."""

    HAND = "hand"  # a person chooses it in a form, admin or mass action
    SYSTEM = "system"  # intake, campaign response, scoring (Raw → Inquiry)
    SCORING = "scoring"  # the score reached the MQL threshold
    SEQUENCE = "sequence"  # enrolled in a sequence (SEQ-2)
    TWO_WAY = "two_way"  # a two-way activity was logged (LEAD-STATUS 5)
    CONVERSION = "conversion"  # converted with an opportunity (LEAD-CONVERT-1)
    ORDER = "order"  # a web-direct order matched (ORDER-2)
    NURTURE = "nurture"  # a finished sequence without a reply (SEQ-2, AUTO-1)


@dataclass(frozen=True)
class Move:
    rule: str
    sources: frozenset
    vias: frozenset


OPEN = frozenset(OPEN_PERSON_STATUSES)
MOVES: dict[str, Move] = {
    S.INQUIRY: Move("LEAD-STATUS 1", frozenset({S.RAW}), frozenset({Via.SYSTEM})),
    S.MQL: Move(
        "LEAD-STATUS 2", frozenset({S.RAW, S.INQUIRY, S.RECYCLE}), frozenset({Via.SCORING})
    ),
    S.ACCEPTED: Move(
        "LEAD-STATUS 4",
        frozenset({S.MQL, S.INQUIRY, S.RAW, S.RECYCLE}),
        frozenset({Via.HAND, Via.SEQUENCE}),
    ),
    S.QUALIFYING: Move("LEAD-STATUS 5", frozenset({S.ACCEPTED}), frozenset({Via.TWO_WAY})),
    S.QUALIFIED: Move("LEAD-STATUS 6", OPEN, frozenset({Via.CONVERSION})),
    S.DISQUALIFIED: Move("LEAD-STATUS 7", OPEN, frozenset({Via.HAND})),
    S.RECYCLE: Move("LEAD-STATUS 7", OPEN - {S.RECYCLE}, frozenset({Via.HAND, Via.NURTURE})),
    S.INELIGIBLE: Move("LEAD-STATUS 7", OPEN, frozenset({Via.HAND})),
    S.BAD_DATA: Move("LEAD-STATUS 8", OPEN, frozenset({Via.HAND})),
    S.WEB_PORTAL_PURCHASE: Move("LEAD-STATUS 9", OPEN, frozenset({Via.ORDER})),
}

HAND_TARGETS = tuple(s for s, m in MOVES.items() if Via.HAND in m.vias)

WHY_ONLY = {
    Via.SCORING: "a lead becomes MQL only when its person score reaches the MQL threshold",
    Via.CONVERSION: "a lead becomes Qualified only by converting it with an opportunity",
    Via.ORDER: "Web Portal Purchase is set only when a web-direct order matches the lead",
    Via.TWO_WAY: "a lead becomes Qualifying when a two-way activity (reply, answered call, "
    "meeting) is logged",
    Via.SYSTEM: "a lead becomes Inquiry when it fills a form, responds to a campaign or its "
    "behaviour score passes the inquiry threshold",
}


class TransitionRefused(Exception):
    def __init__(self, rule: str, message: str):
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = f"{rule}: {message}"


READ_ONLY_MESSAGE = "qualified, converted and merged records are read-only except comments."


def is_read_only(*, status: str, converted: bool = False, merged: bool = False) -> bool:
    """LEAD-STATUS 10, the one predicate: qualified and converted leads are read-only except
    comments; a merged record lives on in its survivor (LEAD-MERGE-1)."""
    return bool(converted or merged or status == S.QUALIFIED)


def automatic_move_allowed(current: str, target: str, *, via: str) -> bool:
    """LEAD-STATUS 1-3: whether an automatic move (intake, campaign response, scoring) may
    happen, asked of the one transition table."""
    try:
        check_move(current, target, via=via)
    except TransitionRefused:
        return False
    return True


def check_move(
    current: str,
    target: str,
    *,
    via: str,
    is_contact: bool = False,
    has_usable_channel: bool = True,
    has_valid_email: bool = False,
    disqualify_reason: bool = False,
    converted: bool = False,
) -> str:
    """Return the rule that allows `current` → `target` through `via`, or raise."""
    if is_read_only(status=current, converted=converted):
        raise TransitionRefused("LEAD-STATUS 10", READ_ONLY_MESSAGE)
    if target == current:
        raise TransitionRefused("LEAD-STATUS", f"the status is already {current}.")
    if is_contact and target == S.RAW:
        raise TransitionRefused("CONTACT-1", "contacts have no Raw status.")
    move = MOVES.get(target)
    if move is None:
        raise TransitionRefused("LEAD-STATUS", f"nothing moves to {target}.")
    if via not in move.vias:
        only = next(iter(move.vias))
        raise TransitionRefused(
            move.rule, WHY_ONLY.get(only, f"{target} cannot be set that way") + "."
        )
    if current not in move.sources:
        allowed = ", ".join(sorted(move.sources)) or "no status"
        raise TransitionRefused(
            move.rule, f"{current} cannot move to {target} (only from {allowed})."
        )
    if target == S.DISQUALIFIED and not disqualify_reason:
        raise TransitionRefused(move.rule, "choose a disqualify reason.")
    if target == S.BAD_DATA and (has_valid_email or has_usable_channel):
        raise TransitionRefused(
            move.rule,
            "Bad Data is only for a lead with no usable channel "
            "(no valid e-mail and no phone); a lead with a valid e-mail or "
            "a phone number can be reached.",
        )
    return move.rule


def allowed_hand_targets(current: str, **context) -> list[str]:
    """The statuses a person may pick by hand now (forms take their choices from here)."""
    out = []
    for target in HAND_TARGETS:
        try:
            check_move(current, target, via=Via.HAND, disqualify_reason=True, **context)
        except TransitionRefused:
            continue
        out.append(target)
    return out


@dataclass(frozen=True)
class CampaignJoin:
    """What joining a campaign does to a person (CAMP-1)."""

    to_inquiry: bool
    hot_owner_id: int | None  # the account's BDR Assigned, for a high-priority campaign


EMAIL_CAMPAIGN = "e-mail"
ACTIVELY_WORKING = "Actively Working"


def campaign_join(
    *,
    campaign_type: str,
    high_priority: bool,
    responded: bool,
    person_status: str,
    account_bps: str | None,
    bdr_assigned_id: int | None,
) -> CampaignJoin:
    """CAMP-1: a responded status moves Raw → Inquiry, except in e-mail campaigns; in a
    high-priority campaign a member at an Actively Working account becomes hot and goes to
    the account's BDR Assigned (so it shows in that BDR's B1 view)."""
    to_inquiry = responded and campaign_type != EMAIL_CAMPAIGN and person_status == S.RAW
    hot = high_priority and account_bps == ACTIVELY_WORKING and bdr_assigned_id is not None
    return CampaignJoin(to_inquiry=to_inquiry, hot_owner_id=bdr_assigned_id if hot else None)
