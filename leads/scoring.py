"""REF-4 / REF-5 scoring, pure: rules and facts in, points out. No ORM here (STYLE 1)."""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .enums import DemographicTest, FormKind, ScoringKind

# A person's own marketing actions that are forms (LEAD-STATUS 1: "fills any form");
# page visits and unsubscribes are not.
NOT_FORMS = frozenset(
    {
        FormKind.PAGE_VISIT_PRICING,
        FormKind.PAGE_VISIT_FEATURES,
        FormKind.PAGE_VISIT_INSTALLATION,
        FormKind.PAGE_VISIT_ENTERPRISE_TRIAL,
        FormKind.PAGE_VISIT_CAREERS,
        FormKind.UNSUBSCRIBE,
    }
)
CAREERS_REPEAT = "careers_repeat"
CAREERS_WINDOW_DAYS = 7

# LEAD-ACTIVE hand-raising activities (enterprise and SaaS trials, a high-intent *live*
# webcast or demo, web chat; on-demand webcasts are not), and ROUTE-1 hand-raise forms.
HAND_RAISE_ACTIVE = frozenset(
    {
        FormKind.TRIAL_SELF_MANAGED,
        FormKind.TRIAL_SAAS,
        FormKind.WEBCAST_ATTENDED_HIGH,
        FormKind.WEB_CHAT,
    }
)
TRIAL_FORMS = frozenset({FormKind.TRIAL_SELF_MANAGED, FormKind.TRIAL_SAAS})
# LEAD-ACTIVE on the other paths: an imported person whose initial source is a hand-raise
# (the form kind it stands for), and a logged inbound chat (a web chat a rep took).
HAND_RAISE_SOURCES = {
    "Trial - Enterprise": FormKind.TRIAL_SELF_MANAGED,
    "Trial - GitLab.com": FormKind.TRIAL_SAAS,
    "Drift": FormKind.WEB_CHAT,
}
LOGGED_HAND_RAISE_KIND = "chat"
ACTIVE_DAYS = 60
TRIAL_DAYS = 30  # a trial's length when no trial end is known
TRIAL_GRACE_DAYS = 30


def trial_end_from(signed_up: datetime.date) -> datetime.date:
    """A trial's end when no trial expiry is known: the sign-up day plus the trial's length
    (LEAD-ACTIVE, OPP-V12)."""
    return signed_up + datetime.timedelta(days=TRIAL_DAYS)


def active_window_end(
    form_kind: str, on: datetime.date, *, trial_end: datetime.date | None = None
) -> datetime.date | None:
    """LEAD-ACTIVE: the day the active window a hand-raise on `on` opens ends — 60 days,
    or for a trial its end + 30 days when that is later (`trial_end`, else the trial's
    length from `on`). None: not a hand-raise."""
    if form_kind not in HAND_RAISE_ACTIVE:
        return None
    until = on + datetime.timedelta(days=ACTIVE_DAYS)
    if form_kind in TRIAL_FORMS:
        end = trial_end or trial_end_from(on)
        until = max(until, end + datetime.timedelta(days=TRIAL_GRACE_DAYS))
    return until


def widened_active_until(
    current: datetime.date | None, form_kind: str, on: datetime.date, **trial
) -> datetime.date | None:
    """LEAD-ACTIVE: the person's new active-until after a hand-raise, or None when it does
    not move (not a hand-raise, or the window already reaches further)."""
    until = active_window_end(form_kind, on, **trial)
    if until is None or (current is not None and current >= until):
        return None
    return until


ROUTING_HAND_RAISE = frozenset(
    {
        FormKind.TRIAL_SELF_MANAGED,
        FormKind.TRIAL_SAAS,
        FormKind.CONTACT_US,
        FormKind.PROFESSIONAL_SERVICES,
        FormKind.WEB_CHAT,
    }
)

EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
    r"[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
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


def traits(facts: Facts) -> tuple[frozenset, bool, bool]:
    """What the demographic tests read: title words, valid e-mail, free-domain e-mail."""
    valid = is_valid_email(facts.email)
    return (
        frozenset(title_words(facts.title)),
        valid,
        valid and email_domain(facts.email) in facts.free_domains,
    )


def traits_match(rule: Rule, words: frozenset, valid: bool, free: bool) -> bool:
    if rule.test == DemographicTest.TITLE_HAS_WORD:
        return bool(words & rule.words)
    if rule.test == DemographicTest.TITLE_TECHNICAL_OR_BLANK:
        return not words or bool(words & rule.words)
    if rule.test == DemographicTest.COMPANY_EMAIL:
        return valid and not free
    if rule.test == DemographicTest.FREE_EMAIL:
        return valid and free
    return False


def demographic_matches(rule: Rule, facts: Facts) -> bool:
    return traits_match(rule, *traits(facts))


def demographic_rules_matching(rules: Iterable[Rule], facts: Facts) -> list[Rule]:
    """Each demographic rule counts once per person (never stacked)."""
    found = traits(facts)
    return [r for r in rules if r.kind == ScoringKind.DEMOGRAPHIC and traits_match(r, *found)]


def demographic_score(rules: Iterable[Rule], facts: Facts) -> int:
    return sum(r.points for r in demographic_rules_matching(rules, facts))


def behaviour_rules_for(rules: Iterable[Rule], trigger: str) -> list[Rule]:
    return [r for r in rules if r.kind == ScoringKind.BEHAVIOUR and trigger in r.triggers]


class BehaviourTable:
    """The behaviour rules as plain numbers, for scoring many people at once: points per
    trigger (every rule a trigger fires, summed) and the careers-repeat penalty."""

    def __init__(self, rules: Iterable[Rule]):
        self.points: dict[str, int] = {}
        penalty_rules = []
        for rule in rules:
            if rule.kind != ScoringKind.BEHAVIOUR:
                continue
            for trigger in rule.triggers:
                if trigger == CAREERS_REPEAT:
                    penalty_rules.append(rule)
                else:
                    self.points[trigger] = self.points.get(trigger, 0) + rule.points
        self.has_penalty = bool(penalty_rules)
        self.penalty = sum(r.points for r in penalty_rules)

    def penalised(self, visits) -> list[int]:
        """Which of `visits` (times, in order) the repeated-careers-visit rule fires on: the
        same replay as scoring the visits one by one."""
        if not self.has_penalty:
            return []
        seen: list[datetime.datetime] = []
        penalties: list[datetime.datetime] = []
        fired = []
        for i, at in enumerate(visits):
            if careers_penalty_due(
                [(at - v).total_seconds() / 86400 for v in seen],
                [(at - p).total_seconds() / 86400 for p in penalties],
            ):
                penalties.append(at)
                fired.append(i)
            seen.append(at)
        return fired

    def careers_penalties(self, visits) -> int:
        return len(self.penalised(visits))

    def score(self, activities) -> int:
        """Behaviour score of (form kind, time) pairs in time order."""
        points = self.points
        total = sum(points.get(kind, 0) for kind, _at in activities)
        visits = [at for kind, at in activities if kind == FormKind.PAGE_VISIT_CAREERS]
        if len(visits) > 1:
            total += self.penalty * self.careers_penalties(visits)
        return total


def careers_penalty_due(
    previous_visit_days_ago: Iterable[float], penalty_days_ago: Iterable[float]
) -> bool:
    """REF-4 "multiple careers-page visits within 7 days": the visit that makes it multiple
    costs the points, once per 7-day window."""
    recent = any(d <= CAREERS_WINDOW_DAYS for d in previous_visit_days_ago)
    already = any(d <= CAREERS_WINDOW_DAYS for d in penalty_days_ago)
    return recent and not already


def is_form(form_kind: str) -> bool:
    return form_kind not in NOT_FORMS


HIGH_TOUCH_DEVELOPERS = 250


def is_high_touch(
    *,
    email: str,
    company: str,
    phone: str,
    title: str,
    setup_for_team: bool,
    linkedin_url: str,
    account_developers: int | None,
    free_domains: frozenset,
    persona_words: frozenset,
) -> bool:
    """LEAD-HT-1: high-touch quality when at least two hold: company e-mail or company name,
    phone, persona title (REF-4 title rule), set up for a team, LinkedIn URL, an account with
    at least 250 developers."""
    company_signal = bool(company) or (
        is_valid_email(email) and email_domain(email) not in free_domains
    )
    signals = [
        company_signal,
        bool(phone),
        bool(title_words(title) & persona_words),
        setup_for_team,
        bool(linkedin_url),
        (account_developers or 0) >= HIGH_TOUCH_DEVELOPERS,
    ]
    return sum(signals) >= 2
