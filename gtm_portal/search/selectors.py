"""Global search (CONTRACT 6 `/search/`): leads, contacts, accounts and opportunities whose
name, e-mail, company or domain contains the text. Each group is capped, so the page costs
a few small queries whatever the data size."""

from django.core.cache import cache
from django.db.models import F, Q, Subquery

from accounts.models import Account, Contact
from gtm_portal.core.labels import select_labels
from leads.models import Lead
from opportunities.models import Opportunity

MIN_LENGTH = 2
PER_GROUP = 20
# Newest first by an expression, not the bare key: a bare ORDER BY id DESC LIMIT 20 invites
# PostgreSQL to walk the primary key and filter every row when the term is rare; this way it
# unions the trigram indexes (bitmap OR) and sorts the few matches.
NEWEST = (F("id") * -1).asc()
# SPEC Q-PERF search p95 ≤ 150 ms. The newest matches of a common term ("smith": 1.2% of
# leads) are found at once by walking the newest rows; through the trigram indexes PostgreSQL
# would fetch and sort all 12,000 of them (~500 ms). A rare term is the opposite. So the
# newest RECENT rows are searched first; only when they hold fewer than a page of matches —
# the term is then rarer than PER_GROUP / RECENT (0.4%), so the indexes find few rows — is
# the rest searched through the indexes. Either way about RECENT rows are read at most
# (sqrt(PER_GROUP × table size) is the balance point: 4,500 at 1M rows).
RECENT = 5000
TOP_IDS_SECONDS = 60
ACCOUNT_IDS = 200
PERSON = ("first_name", "last_name", "email", "status", "owner")


def _top_ids() -> dict:
    """The highest lead, contact and opportunity ids (one query), cached for a minute: a
    stale (lower) value only widens the window."""
    tops = cache.get("search:top-ids")
    if tops is None:

        def top(model):
            return Subquery(model._default_manager.order_by("-pk").values("pk")[:1])

        row = (
            Lead.objects.order_by("-pk")
            .values("pk", contact=top(Contact), opportunity=top(Opportunity))
            .first()
            or {}
        )
        tops = {
            "lead": row.get("pk") or 0,
            "contact": row.get("contact") or 0,
            "opportunity": row.get("opportunity") or 0,
        }
        cache.set("search:top-ids", tops, TOP_IDS_SECONDS)
    return tops


def newest_matches(qs, tops: dict, limit: int | None = None) -> list:
    """The `limit` (PER_GROUP) newest rows of `qs`: the newest RECENT rows first, the rest
    when needed."""
    limit = limit or PER_GROUP
    floor = tops[qs.model._meta.model_name] - RECENT
    if floor <= 0:
        return list(qs.order_by("-pk")[:limit])
    rows = list(qs.filter(pk__gt=floor).order_by("-pk")[:limit])
    if len(rows) < limit:
        rows += list(qs.filter(pk__lte=floor).order_by(NEWEST)[: limit - len(rows)])
    return rows


def _person_filter(text: str) -> Q:
    """Every branch can use a trigram index on PostgreSQL, so the OR becomes a bitmap OR."""
    words = text.split()
    q = Q(email__icontains=text) | Q(last_name__icontains=text) | Q(first_name__icontains=text)
    if len(words) >= 2:
        q |= Q(first_name__icontains=words[0], last_name__icontains=" ".join(words[1:]))
    return q


def _accounts(user, text: str) -> list:
    """Matching accounts by name, read first: the first page is the accounts group, and all
    their ids go to the contact and opportunity queries as a list (`OR account_id IN
    (<list>)` keeps every branch indexable, a bitmap OR; `IN (<subquery>)` made PostgreSQL
    read the whole table)."""
    return list(
        select_labels(
            Account.objects.visible_to(user), "owner", fields=("name", "domain", "segment", "owner")
        )
        .filter(Q(name__icontains=text) | Q(domain__icontains=text))
        .order_by("name", "id")[:ACCOUNT_IDS]
    )


def global_search(user, text: str) -> dict:
    text = " ".join((text or "").split())[:100]
    if len(text) < MIN_LENGTH:
        return {"text": text, "too_short": bool(text), "groups": []}
    accounts = _accounts(user, text)
    account_ids = [a.pk for a in accounts]
    tops = _top_ids()
    # Each group reads what its result line shows (search.html).
    leads = newest_matches(
        select_labels(Lead.objects.visible_to(user), "owner", fields=PERSON + ("company",)).filter(
            _person_filter(text) | Q(company__icontains=text)
        ),
        tops,
    )
    contacts = newest_matches(
        select_labels(
            Contact.objects.visible_to(user), "owner", "account", fields=PERSON + ("account",)
        ).filter(_person_filter(text) | Q(account_id__in=account_ids)),
        tops,
    )
    opportunities = newest_matches(
        select_labels(
            Opportunity.objects.all(),
            "owner",
            "account",
            fields=("name", "stage", "account", "owner"),
        ).filter(Q(name__icontains=text) | Q(account_id__in=account_ids)),
        tops,
    )
    return {
        "text": text,
        "too_short": False,
        "groups": [
            ("Leads", "lead", leads),
            ("Contacts", "contact", contacts),
            ("Accounts", "account", accounts[:PER_GROUP]),
            ("Opportunities", "opportunity", opportunities),
        ],
    }
