"""Reads of reference data the lead rules need, cached per call site by the caller."""

from django.core.cache import cache

from gtm_portal.refdata.enums import Setting, WordList
from gtm_portal.refdata.models import PortalSetting, WordListEntry

from . import scoring
from .enums import DemographicTest
from .models import ScoringRule

DEFAULTS = {
    Setting.MQL_THRESHOLD: 100,
    Setting.INQUIRY_THRESHOLD: 10,
    Setting.FISCAL_YEAR_START_MONTH: 2,
    Setting.AW_LIMIT_LARGE: 100,
    Setting.AW_LIMIT_OTHER: 150,
}


def setting(key: str) -> int:
    row = PortalSetting.objects.filter(key=key).values_list("value", flat=True).first()
    return DEFAULTS[key] if row is None else row


def words(list_name: str) -> frozenset[str]:
    return frozenset(
        v.lower()
        for v in WordListEntry.objects.filter(list=list_name).values_list("value", flat=True)
    )


def free_domains() -> frozenset[str]:
    return words(WordList.FREE_DOMAIN)


def blocked_domains() -> frozenset[str]:
    return words(WordList.BLOCKED_DOMAIN)


def to_rule(row: ScoringRule) -> scoring.Rule:
    return scoring.Rule(
        id=row.pk,
        code=row.code,
        name=row.name,
        kind=row.kind,
        points=row.points,
        triggers=frozenset(row.triggers or ()),
        test=row.test,
        words=frozenset(w.lower() for w in row.words or ()),
    )


def active_rules() -> list[scoring.Rule]:
    return [to_rule(r) for r in ScoringRule.objects.filter(active=True).order_by("id")]


class Context:
    """Everything scoring and the status machine read, loaded once per request or batch."""

    def __init__(self, rules=None):
        self.rules = rules if rules is not None else active_rules()
        self.mql_threshold = setting(Setting.MQL_THRESHOLD)
        self.inquiry_threshold = setting(Setting.INQUIRY_THRESHOLD)
        self.free_domains = free_domains()

    @property
    def rule_names(self) -> dict:
        """{rule id: name}, worked out once per set of rules."""
        if getattr(self, "_names_of", None) is not self.rules:
            self._names_of, self._names = self.rules, {r.id: r.name for r in self.rules}
        return self._names

    def facts(self, person) -> scoring.Facts:
        return scoring.Facts(title=person.title, email=person.email, free_domains=self.free_domains)


def cached(key: str, loader, ttl: int = 60):
    """Reference lists read on every page, kept in the cache for a minute (edits show within
    a minute; pages stay within their query budget)."""

    value = cache.get(f"refs:{key}")
    if value is None:
        value = loader()
        cache.set(f"refs:{key}", value, ttl)
    return value


def persona_words() -> frozenset[str]:

    words: set[str] = set()
    for row in ScoringRule.objects.filter(test=DemographicTest.TITLE_HAS_WORD, active=True):
        words |= {w.lower() for w in row.words or ()}
    return frozenset(words)


def high_touch_context() -> tuple[frozenset, frozenset]:
    return cached("free_domains", free_domains), cached("persona_words", persona_words)


def high_touch(person, context: tuple[frozenset, frozenset] | None = None) -> bool:
    """LEAD-HT-1 for a lead (a record or a view row): the one predicate behind the record
    page's badge and the view rows' (S2/B4 among them). `context`: `high_touch_context()`,
    read once per page by a caller with many rows."""
    free, persona = context or high_touch_context()
    account = person.matched_account
    return scoring.is_high_touch(
        email=person.email,
        company=person.company,
        phone=person.phone or person.mobile,
        title=person.title,
        setup_for_team=person.setup_for_team,
        linkedin_url=person.linkedin_url,
        account_developers=account.lam_dev_count if account else None,
        free_domains=free,
        persona_words=persona,
    )
