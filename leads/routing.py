"""ROUTE-2 rules of engagement, pure: facts in, a decision out (owner, deciding step, the
explanation of every check in order, notifications). No ORM here; `routing_service` gathers
the facts and persists the decision."""

import re
from dataclasses import dataclass, field

from accounts.segments import DEFAULT_THRESHOLDS, Thresholds, segment_for_employees
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.refdata.enums import Segment
from gtm_portal.users import roles

from .enums import FormKind
from .scoring import ROUTING_HAND_RAISE, TRIAL_FORMS

ACTIVITY_DAYS = 30
NCSA = frozenset({"AMER", "LATAM"})
PROGRAM_FORMS = frozenset(
    {FormKind.EDUCATION_PROGRAM, FormKind.OSS_PROGRAM, FormKind.STARTUP_PROGRAM}
)
CONTACT_US_OR_PS = frozenset({FormKind.CONTACT_US, FormKind.PROFESSIONAL_SERVICES})
SMB_POOLS = {
    "EMEA": "SMB Advocates EMEA",
    "NCSA": "SMB Advocates NCSA",
    "APAC": "SMB Advocates APAC",
}
CHAT_POOL = "Chat (Drift) Expert SDR"
PUBSEC_POOL = "US PubSec SDR"


@dataclass(frozen=True)
class Who:
    """An owner: a person (username) or a queue (name)."""

    username: str | None = None
    queue: str | None = None
    id: int | None = None

    def __str__(self):
        return self.username or self.queue or "nobody"


@dataclass(frozen=True)
class PersonFacts:
    kind: str = "lead"
    status: str = S.MQL
    title: str = ""
    form: str | None = None
    country: str = ""
    region: str = ""  # top-level region code of the country (AMER, EMEA, …)
    company: str = ""
    description: str = ""
    employees: int | None = None
    email_domain: str = ""
    partner_prospecting_status: str = ""
    is_hot: bool = False
    blocked_domain: bool = False


@dataclass(frozen=True)
class AccountFacts:
    name: str
    id: int | None = None
    segment: str = Segment.UNKNOWN
    customer: bool = False
    paid_tier: str = "none"  # none / ci_storage / premium / ultimate
    owner: Who | None = None
    bdr_assigned: Who | None = None
    bdr_manager: Who | None = None
    csm: Who | None = None
    bps: str = ""
    public_sector: bool = False
    bdr_sales_activity_days_ago: float | None = None
    people_sales_activity_days_ago: float | None = None


@dataclass(frozen=True)
class Related:
    """Another person at the same account (or e-mail domain)."""

    owner: Who
    status: str
    sales_activity_days_ago: float | None = None
    open_future_task: bool = False
    mql_days_ago: float | None = None


@dataclass(frozen=True)
class Rules:
    pubsec_words: tuple = ()
    free_domains: frozenset = frozenset()
    segment_thresholds: Thresholds = DEFAULT_THRESHOLDS  # REF-2, as Marketing Ops set them


@dataclass
class Decision:
    rule: str
    owner: Who | None = None
    pool: str | None = None
    explanation: list = field(default_factory=list)
    notify: list = field(default_factory=list)  # [(Who, message)]
    convert_to_contact: bool = False
    end_sequences: bool = False
    comment_on_account: str = ""

    @property
    def routed(self) -> bool:
        return self.owner is not None or self.pool is not None


def contact_owner(account: AccountFacts) -> Who | None:
    """CONTACT-OWNER: the account's BDR Assigned if set, else the account owner."""
    return account.bdr_assigned or account.owner


def has_pubsec_word(text: str, words) -> str | None:
    for word in words:
        if re.search(r"(?<![A-Za-z])" + re.escape(word) + r"(?![A-Za-z])", text or "", re.I):
            return word
    return None


def segment_of(
    person: PersonFacts, account: AccountFacts | None, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> str:
    if account is not None:
        return account.segment

    return segment_for_employees(person.employees, thresholds=thresholds)


def sdr_pool_for_region(region: str) -> str | None:
    return {
        "EMEA": "EMEA SDR",
        "LATAM": "LATAM SDR",
        "AMER": "US/APAC SDR",
        "APAC": "US/APAC SDR",
    }.get(region)


def reads_sales_activity(bps: str, bdr_assigned) -> bool:
    """Step 8 applies to an Actively Working account with a BDR Assigned: the only accounts
    whose recent sales activity the decision reads."""
    return bps == "Actively Working" and bool(bdr_assigned)


def _recent(days: float | None) -> bool:
    return days is not None and days <= ACTIVITY_DAYS


def decide(
    person: PersonFacts, account: AccountFacts | None, related: list[Related], rules: Rules
) -> Decision:
    why: list[str] = []
    notify: list = []

    def done(rule, **kw) -> Decision:
        return Decision(rule=rule, explanation=why, notify=notify + kw.pop("notify", []), **kw)

    # 1
    if person.title == "Test" or person.blocked_domain:
        why.append("Step 1: test lead (title “Test”) or blocked e-mail domain → not routed.")
        return done("ROUTE-2.1")
    why.append("Step 1: not a test lead, domain not blocked.")
    # 2
    if person.partner_prospecting_status:
        why.append(
            f"Step 2: partner prospecting status “{person.partner_prospecting_status}” "
            "→ Marketing Integration; active sequences end."
        )
        return done("ROUTE-2.2", owner=Who(queue=roles.Q_MARKETING_INTEGRATION), end_sequences=True)
    why.append("Step 2: no partner prospecting status.")
    # 3
    if person.form in PROGRAM_FORMS:
        why.append(
            "Step 3: education / OSS / startup program form → Community Advocate Queue; "
            "active sequences end."
        )
        return done("ROUTE-2.3", owner=Who(queue=roles.Q_COMMUNITY), end_sequences=True)
    why.append("Step 3: not a community program form.")
    # 4
    hand_raise = person.form in ROUTING_HAND_RAISE
    if person.status != S.MQL and not hand_raise:
        why.append(
            f"Step 4: status {person.status}, not MQL, and no hand-raise form → "
            "Inquiry Queue (SDRs do not work inquiries)."
        )
        return done("ROUTE-2.4", owner=Who(queue=roles.Q_INQUIRY))
    why.append("Step 4: MQL or hand-raise" + (f" ({person.form})" if hand_raise else "") + ".")
    # 5
    if person.kind == "contact" and account is not None:
        owner = contact_owner(account)
        why.append(f"Step 5: a contact of {account.name} → CONTACT-OWNER {owner}.")
        return done(
            "ROUTE-2.5",
            owner=owner,
            notify=[(owner, "A contact of yours raised a hand")] if owner else [],
        )
    why.append("Step 5: not a contact.")
    # 6
    if person.country == "United States":
        word = has_pubsec_word(f"{person.company} {person.description}", rules.pubsec_words)
        if (account is not None and account.public_sector) or word:
            reason = (
                f"{account.name} is public sector"
                if account is not None and account.public_sector
                else f"PubSec indicator word “{word}”"
            )
            why.append(f"Step 6: United States and {reason} → {PUBSEC_POOL} pool.")
            return done("ROUTE-2.6", pool=PUBSEC_POOL)
        why.append("Step 6: United States, but no public-sector account or indicator word.")
    else:
        why.append(
            f"Step 6: country {person.country or 'unknown'} is not the United States "
            "(only US public sector goes to PubSec)."
        )
    # 7
    if account is not None:
        paid = account.paid_tier in ("premium", "ultimate")
        if account.customer and account.segment in (Segment.SMB, Segment.MID_MARKET) and paid:
            owner = contact_owner(account)
            why.append(
                f"Step 7a: {account.name} is an {account.segment} customer on a paid tier "
                f"→ convert to a contact; owner {owner} (CONTACT-OWNER)."
            )
            comment = ""
            extra = [(owner, "A customer's person raised a hand")] if owner else []
            if person.form == FormKind.CONTACT_US and account.owner:
                comment = (
                    f"@{account.owner.username or ''} a person at {account.name} "
                    "filled the contact-us form and was converted to a contact."
                ).strip()
            return done(
                "ROUTE-2.7",
                owner=owner,
                convert_to_contact=True,
                comment_on_account=comment,
                notify=extra,
            )
        if person.form == FormKind.PROFESSIONAL_SERVICES and account.owner:
            extra = [
                (w, "Professional-services request at your account")
                for w in (account.bdr_assigned, account.csm)
                if w
            ]
            why.append(
                f"Step 7b: professional-services request at {account.name} → the "
                f"account owner {account.owner} (global account ownership)."
            )
            return done("ROUTE-2.7", owner=account.owner, notify=extra)
        why.append(
            f"Step 7: {account.name} is not an SMB/Mid-Market paying customer and this is "
            "not a professional-services request."
        )
    else:
        why.append("Step 7: no matched account.")
    # 8
    if account is not None and reads_sales_activity(account.bps, account.bdr_assigned):
        if _recent(account.bdr_sales_activity_days_ago) or _recent(
            account.people_sales_activity_days_ago
        ):
            which = (
                "the BDR Assigned logged sales activity"
                if _recent(account.bdr_sales_activity_days_ago)
                else "a person at the account has sales activity"
            )
            why.append(
                f"Step 8: {account.name} is Actively Working and {which} in the last "
                f"{ACTIVITY_DAYS} days → BDR Assigned {account.bdr_assigned}."
            )
            return done("ROUTE-2.8", owner=account.bdr_assigned)
        why.append(
            f"Step 8: {account.name} is Actively Working but no sales activity in the last "
            f"{ACTIVITY_DAYS} days → notify {account.bdr_assigned}"
            + (f" and {account.bdr_manager}" if account.bdr_manager else "")
            + "; the SDR side decides (step 10)."
        )
        message = (
            f"No sales activity at {account.name} in {ACTIVITY_DAYS} days; an MQL was routed on"
        )
        notify.extend((w, message) for w in (account.bdr_assigned, account.bdr_manager) if w)
    else:
        why.append("Step 8: account not Actively Working.")
        # 9
        if account is not None and account.bps == "Restricted" and account.bdr_assigned:
            why.append(
                f"Step 9: {account.name} is Restricted → BDR Assigned "
                f"{account.bdr_assigned} (who asks the account owner)."
            )
            return done("ROUTE-2.9", owner=account.bdr_assigned)
        why.append("Step 9: account not Restricted.")
    # 10
    scope = (
        f"at {account.name}"
        if account is not None
        else f"with e-mail domain {person.email_domain}"
        if person.email_domain and person.email_domain not in rules.free_domains
        else None
    )
    if scope is None:
        why.append("Step 10: no account and no company e-mail domain: nobody is related.")
    else:
        working = [
            r
            for r in related
            if r.owner.username
            and r.status in (S.ACCEPTED, S.QUALIFYING)
            and (_recent(r.sales_activity_days_ago) or r.open_future_task)
        ]
        if working:
            owner = working[0].owner
            why.append(
                f"Step 10: {owner} works another person {scope} ({working[0].status} with "
                "recent sales activity or an open task) → that owner."
            )
            return done("ROUTE-2.10", owner=owner)
        mqls = sorted(
            (
                r
                for r in related
                if r.owner.username and r.status == S.MQL and r.mql_days_ago is not None
            ),
            key=lambda r: -(r.mql_days_ago or 0),
        )
        if mqls:
            owner = mqls[0].owner
            why.append(
                f"Step 10: another MQL {scope}; the earliest MQL is owned by {owner} → that owner."
            )
            return done("ROUTE-2.10", owner=owner)
        why.append(f"Step 10: nobody else {scope} is being worked.")
    # 11
    region = person.region
    if person.form in CONTACT_US_OR_PS:
        segment = segment_of(person, account, rules.segment_thresholds)
        if segment == Segment.SMB:
            key = "NCSA" if region in NCSA else region
            pool = SMB_POOLS.get(key)
            why.append(
                f"Step 11: {person.form} from an SMB ({region or 'unknown region'}) → "
                f"{pool or 'no SMB pool for this region'}."
            )
            if pool:
                return done("ROUTE-2.11", pool=pool)
        else:
            pool = sdr_pool_for_region(region)
            extra = []
            if segment == Segment.STRATEGIC and account is not None and account.owner:
                extra = [(account.owner, "A person at your strategic account raised a hand")]
            why.append(
                f"Step 11: {person.form}, segment {segment} → SDR pool of {region}: "
                f"{pool}." + (" The account owner is told." if extra else "")
            )
            if pool:
                return done("ROUTE-2.11", pool=pool, notify=extra)
    else:
        why.append("Step 11: not contact-us or professional services.")
    # 12
    if person.form == FormKind.WEB_CHAT:
        why.append(f"Step 12: web chat → {CHAT_POOL}.")
        return done("ROUTE-2.12", pool=CHAT_POOL)
    if person.form in TRIAL_FORMS:
        pool = (
            "EMEA SDR"
            if region == "EMEA"
            else ("US/APAC SDR" if region in NCSA | {"APAC"} else None)
        )
        why.append(
            f"Step 12: trial from {region or 'an unknown region'} (trial table: EMEA → "
            f"EMEA SDR; NCSA and APAC → US/APAC SDR) → {pool or 'Inquiry Queue'}."
        )
    else:
        pool = sdr_pool_for_region(region)
        why.append(
            f"Step 12: SDR pool by region {region or 'unknown'} → {pool or 'Inquiry Queue'}."
        )
    if pool:
        return done("ROUTE-2.12", pool=pool)
    why.append(
        "No country, so no regional pool: the Inquiry Queue holds it for a person to assign."
    )
    return done("ROUTE-2.12", owner=Who(queue=roles.Q_INQUIRY))
