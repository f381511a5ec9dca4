"""Global search (CONTRACT 6 `/search/`): leads, contacts, accounts and opportunities whose
name, e-mail, company or domain contains the text. Each group is capped, so the page costs
four small queries whatever the data size."""
from django.db.models import F, Q

from accounts.models import Account, Contact
from leads.models import Lead
from opportunities.models import Opportunity

MIN_LENGTH = 2
PER_GROUP = 20
# Newest first by an expression, not the bare key: a bare ORDER BY id DESC LIMIT 20 invites
# PostgreSQL to walk the primary key and filter every row when the term is rare; this way it
# unions the trigram indexes (bitmap OR) and sorts the few matches.
NEWEST = (F("id") * -1).asc()


def _person_filter(text: str) -> Q:
    """Every branch can use a trigram index on PostgreSQL, so the OR becomes a bitmap OR."""
    words = text.split()
    q = Q(email__icontains=text) | Q(last_name__icontains=text) | Q(first_name__icontains=text)
    if len(words) >= 2:
        q |= Q(first_name__icontains=words[0], last_name__icontains=" ".join(words[1:]))
    return q


def _account_ids(text: str) -> list[int]:
    """Read first, then passed as a list: `OR account_id IN (<list>)` keeps every branch
    indexable (a bitmap OR), where `IN (<subquery>)` made PostgreSQL read the whole table."""
    return list(Account.objects.filter(Q(name__icontains=text) | Q(domain__icontains=text))
                .values_list("pk", flat=True)[:200])


def global_search(user, text: str) -> dict:
    text = " ".join((text or "").split())[:100]
    if len(text) < MIN_LENGTH:
        return {"text": text, "too_short": bool(text), "groups": []}
    account_ids = _account_ids(text)
    leads = (Lead.objects.visible_to(user)
             .filter(_person_filter(text) | Q(company__icontains=text))
             .select_related("owner").order_by(NEWEST)[:PER_GROUP])
    contacts = (Contact.objects.visible_to(user)
                .filter(_person_filter(text) | Q(account_id__in=account_ids))
                .select_related("owner", "account").order_by(NEWEST)[:PER_GROUP])
    accounts = (Account.objects.visible_to(user)
                .filter(Q(name__icontains=text) | Q(domain__icontains=text))
                .select_related("owner").order_by("name", "id")[:PER_GROUP])
    opportunities = (Opportunity.objects.filter(Q(name__icontains=text)
                                                | Q(account_id__in=account_ids))
                     .select_related("owner", "account").order_by(NEWEST)[:PER_GROUP])
    return {"text": text, "too_short": False, "groups": [
        ("Leads", "lead", list(leads)), ("Contacts", "contact", list(contacts)),
        ("Accounts", "account", list(accounts)), ("Opportunities", "opportunity",
                                                   list(opportunities)),
    ]}
