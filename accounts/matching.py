"""Account matching (ROUTE account matching, LEAD-DUP-1, ORDER-2): e-mail domain = account
domain, or the normalised company name. One implementation for routing, duplicates and orders."""

import re
import unicodedata

from django.db import connection
from django.db.models.functions import Lower

from gtm_portal.core.sqlrows import ModelRows

from .models import Account

LEGAL_SUFFIXES = {
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "llp",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "kg",
    "co",
    "corp",
    "corporation",
    "company",
    "pty",
    "pte",
    "kk",
    "group",
    "holdings",
}


def normalize_company(name: str) -> str:
    """'Globex Corporation, Inc.' → 'globex'; accents folded, punctuation and legal suffixes
    dropped, so one company's spellings meet."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ")
    words = re.findall(r"[a-z0-9]+", text)
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    return " ".join(words)


def normalize_domain(value: str) -> str:
    value = (value or "").strip().lower()
    value = re.sub(r"^[a-z]+://", "", value)
    value = value.split("/", 1)[0].split("@")[-1]
    if value.startswith("www."):
        value = value[4:]
    return value


def _candidate_domains(email: str, website: str, free_domains) -> list[str]:
    domains = []
    email_dom = normalize_domain(email.rsplit("@", 1)[-1]) if "@" in (email or "") else ""
    if email_dom and email_dom not in free_domains:
        domains.append(email_dom)
    site = normalize_domain(website)
    if site and site not in domains and site not in free_domains:
        domains.append(site)
    return domains


def matching_accounts(
    *,
    email: str = "",
    company: str = "",
    website: str = "",
    free_domains=frozenset(),
    limit: int = 20,
) -> list:
    """Every live account a person or order matches, best first: e-mail domain, then website
    domain, then the normalised company name (LEAD-DUP-1 shows them all; routing and orders
    take the first through `match_account`)."""
    live = Account.objects.filter(merged_into__isnull=True)
    found, seen = [], set()
    for dom in _candidate_domains(email, website, free_domains):
        for account in live.annotate(d=Lower("domain")).filter(d=dom).order_by("id")[:limit]:
            if account.pk not in seen:
                seen.add(account.pk)
                found.append(account)
    key = normalize_company(company)
    if key:
        for account in live.filter(normalized_name=key).order_by("id")[:limit]:
            if account.pk not in seen:
                seen.add(account.pk)
                found.append(account)
    return found[:limit]


def match_account(
    *, email: str = "", company: str = "", website: str = "", free_domains=frozenset()
):
    """The account a person or order belongs to, or None: e-mail domain first (unless it is
    a free domain), then website domain, then the normalised company name."""
    statement = _match_account_sql(
        email=email, company=company, website=website, free_domains=free_domains
    )
    if statement is None:
        return None
    found = ModelRows.of(Account).fetch(*statement)
    return found[0] if found else None


def match_accounts_many(items, free_domains=frozenset(), chunk: int = 1000) -> list:
    """`match_account` for many people at once (list imports): `items` are (email,
    company, website) triples; one answer (an Account or None) per item, ranked as
    `match_account` ranks (e-mail domain, website domain, normalised name; oldest first),
    in a few queries per thousand candidates."""
    wanted = [
        (_candidate_domains(email, website, free_domains), normalize_company(company))
        for email, company, website in items
    ]
    domains = sorted({d for found, _ in wanted for d in found})
    keys = sorted({key for _, key in wanted if key})
    live = Account.objects.filter(merged_into__isnull=True).order_by("id")
    by_domain: dict = {}
    for start in range(0, len(domains), chunk):
        part = domains[start : start + chunk]
        for account in live.annotate(d=Lower("domain")).filter(d__in=part):
            by_domain.setdefault(account.d, account)
    by_name: dict = {}
    for start in range(0, len(keys), chunk):
        for account in live.filter(normalized_name__in=keys[start : start + chunk]):
            by_name.setdefault(account.normalized_name, account)
    return [
        next((by_domain[d] for d in found if d in by_domain), None)
        or (by_name.get(key) if key else None)
        for found, key in wanted
    ]


def _match_account_sql(
    *, email: str = "", company: str = "", website: str = "", free_domains=frozenset()
) -> tuple[str, list] | None:
    """`match_account`'s statement (its columns: every Account column, in
    `ModelRows.of(Account)`'s order), or None when there is nothing to match on. One statement for every
    candidate, ranked in SQL by the order above (e-mail domain, then website domain, then
    the name), oldest first within a rank. Written as SQL once (Q-PERF: the ORM spent
    milliseconds compiling this fixed shape on every submission); it reads the
    lower(domain) and normalized_name indexes as the ORM's statement did."""
    domains = _candidate_domains(email, website, free_domains)
    key = normalize_company(company)
    if not domains and not key:
        return None
    return _match_sql(domains, key)


def _match_sql(domains: list[str], key: str) -> tuple[str, list]:
    """`match_account`'s statement: live accounts whose lower(domain) is a candidate domain
    or whose normalised name is `key`, by rank (the candidate's position; the name last),
    then id."""
    qn = connection.ops.quote_name
    meta = Account._meta
    table = qn(meta.db_table)
    columns = ModelRows.of(Account).columns(meta.db_table)
    col = {
        f: f"{table}.{qn(meta.get_field(f).column)}"
        for f in ("domain", "normalized_name", "merged_into")
    }
    lower = f"LOWER({col['domain']})"
    where, params = [], []
    if domains:
        where.append(f"{lower} IN ({', '.join(['%s'] * len(domains))})")
        params += domains
    if key:
        where.append(f"{col['normalized_name']} = %s")
        params.append(key)
    # The ranks are written as numbers (a bare parameter in ORDER BY would be a position);
    # without candidate domains every row has the same rank and the order is by id.
    order, rank_params = "", []
    if domains:
        order = (
            "CASE "
            + " ".join(f"WHEN {lower} = %s THEN {i}" for i in range(len(domains)))
            + f" ELSE {len(domains)} END, "
        )
        rank_params = list(domains)
    sql = (
        f"SELECT {columns} FROM {table} WHERE {col['merged_into']} IS NULL"
        f" AND ({' OR '.join(where)}) ORDER BY {order}{table}.{qn(meta.pk.column)}"
        f" LIMIT 1"
    )
    return sql, params + rank_params
