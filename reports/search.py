"""Global search (CONTRACT 6 `/search/`): leads, contacts, accounts and opportunities whose
name, e-mail, company or domain contains the text. Each group is capped, so the page costs
four small queries whatever the data size."""
from django.db.models import Q

from accounts.models import Account, Contact
from leads.models import Lead
from opportunities.models import Opportunity

MIN_LENGTH = 2
PER_GROUP = 20


def _person_filter(text: str) -> Q:
    words = text.split()
    q = Q(email__icontains=text) | Q(last_name__icontains=text)
    if len(words) >= 2:
        q |= Q(first_name__icontains=words[0], last_name__icontains=" ".join(words[1:]))
    else:
        q |= Q(first_name__icontains=text)
    return q


def global_search(user, text: str) -> dict:
    text = " ".join((text or "").split())[:100]
    if len(text) < MIN_LENGTH:
        return {"text": text, "too_short": bool(text), "groups": []}
    leads = (Lead.objects.visible_to(user)
             .filter(_person_filter(text) | Q(company__icontains=text))
             .select_related("owner").order_by("-id")[:PER_GROUP])
    contacts = (Contact.objects.visible_to(user)
                .filter(_person_filter(text) | Q(account__name__icontains=text))
                .select_related("owner", "account").order_by("-id")[:PER_GROUP])
    accounts = (Account.objects.visible_to(user)
                .filter(Q(name__icontains=text) | Q(domain__icontains=text))
                .select_related("owner").order_by("name", "id")[:PER_GROUP])
    opportunities = (Opportunity.objects.filter(Q(name__icontains=text)
                                                | Q(account__name__icontains=text))
                     .select_related("owner", "account").order_by("-id")[:PER_GROUP])
    return {"text": text, "too_short": False, "groups": [
        ("Leads", "lead", list(leads)), ("Contacts", "contact", list(contacts)),
        ("Accounts", "account", list(accounts)), ("Opportunities", "opportunity",
                                                   list(opportunities)),
    ]}
