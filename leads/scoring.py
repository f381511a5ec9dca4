"""REF-4 / REF-5 scoring, pure: rules and facts in, points out. No ORM here (STYLE 1)."""
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .enums import DemographicTest, FormKind, ScoringKind

# A person's own marketing actions that are forms (LEAD-STATUS 1: "fills any form");
# page visits and unsubscribes are not.
NOT_FORMS = frozenset({
    FormKind.PAGE_VISIT_PRICING, FormKind.PAGE_VISIT_FEATURES, FormKind.PAGE_VISIT_INSTALLATION,
    FormKind.PAGE_VISIT_ENTERPRISE_TRIAL, FormKind.PAGE_VISIT_CAREERS, FormKind.UNSUBSCRIBE,
})
CAREERS_REPEAT = "careers_repeat"
CAREERS_WINDOW_DAYS = 7

# LEAD-ACTIVE hand-raising activities, and ROUTE-1 hand-raise forms.
HAND_RAISE_ACTIVE = frozenset({
    FormKind.TRIAL_SELF_MANAGED, FormKind.TRIAL_SAAS, FormKind.WEBCAST_ATTENDED_HIGH,
    FormKind.ONDEMAND_HIGH, FormKind.WEB_CHAT,
})
TRIAL_FORMS = frozenset({FormKind.TRIAL_SELF_MANAGED, FormKind.TRIAL_SAAS})
ROUTING_HAND_RAISE = frozenset({
    FormKind.TRIAL_SELF_MANAGED, FormKind.TRIAL_SAAS, FormKind.CONTACT_US,
    FormKind.PROFESSIONAL_SERVICES, FormKind.WEB_CHAT,
})

EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
                      r"[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
WORD_RE = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Rule:
    id: int | None
    code: str
    name: str
    kind: str
    points: int
    triggers: frozenset = frozenset()
    test: str = ""
    words: frozenset = frozenset()


@dataclass(frozen=True)
class Facts:
    """What the demographic rules look at."""

    title: str = ""
    email: str = ""
    free_domains: frozenset = field(default_factory=frozenset)


def title_words(title: str) -> set[str]:
    """REF-4: the title split on every non-letter, compared case-insensitively."""
    return {w.lower() for w in WORD_RE.findall(title or "")}


def is_valid_email(email: str) -> bool:
    return bool(email) and len(email) <= 254 and bool(EMAIL_RE.match(email))


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower() if "@" in (email or "") else ""


def demographic_matches(rule: Rule, facts: Facts) -> bool:
    words = title_words(facts.title)
    if rule.test == DemographicTest.TITLE_HAS_WORD:
        return bool(words & rule.words)
    if rule.test == DemographicTest.TITLE_TECHNICAL_OR_BLANK:
        return not words or bool(words & rule.words)
    valid = is_valid_email(facts.email)
    free = email_domain(facts.email) in facts.free_domains
    if rule.test == DemographicTest.COMPANY_EMAIL:
        return valid and not free
    if rule.test == DemographicTest.FREE_EMAIL:
        return valid and free
    return False


def demographic_rules_matching(rules: Iterable[Rule], facts: Facts) -> list[Rule]:
    """Each demographic rule counts once per person (never stacked)."""
    return [r for r in rules if r.kind == ScoringKind.DEMOGRAPHIC and demographic_matches(r, facts)]


def demographic_score(rules: Iterable[Rule], facts: Facts) -> int:
    return sum(r.points for r in demographic_rules_matching(rules, facts))


def behaviour_rules_for(rules: Iterable[Rule], trigger: str) -> list[Rule]:
    return [r for r in rules if r.kind == ScoringKind.BEHAVIOUR and trigger in r.triggers]


def careers_penalty_due(previous_visit_days_ago: Iterable[float],
                        penalty_days_ago: Iterable[float]) -> bool:
    """REF-4 "multiple careers-page visits within 7 days": the visit that makes it multiple
    costs the points, once per 7-day window."""
    recent = any(d <= CAREERS_WINDOW_DAYS for d in previous_visit_days_ago)
    already = any(d <= CAREERS_WINDOW_DAYS for d in penalty_days_ago)
    return recent and not already


def is_form(form_kind: str) -> bool:
    return form_kind not in NOT_FORMS


HIGH_TOUCH_DEVELOPERS = 250


def is_high_touch(*, email: str, company: str, phone: str, title: str, setup_for_team: bool,
                  linkedin_url: str, account_developers: int | None,
                  free_domains: frozenset, persona_words: frozenset) -> bool:
    """LEAD-HT-1: high-touch quality when at least two hold: company e-mail or company name,
    phone, persona title (REF-4 title rule), set up for a team, LinkedIn URL, an account with
    at least 250 developers."""
    company_signal = bool(company) or (is_valid_email(email)
                                       and email_domain(email) not in free_domains)
    signals = [company_signal, bool(phone), bool(title_words(title) & persona_words),
               setup_for_team, bool(linkedin_url),
               (account_developers or 0) >= HIGH_TOUCH_DEVELOPERS]
    return sum(signals) >= 2
