"""LEAD-DUP-1 Find duplicates: the leads, contacts, accounts and open opportunities a person
matches. Account matching is `accounts.matching` (shared with routing and orders); merge,
conversion and contact creation read their suggestions from here."""

from dataclasses import dataclass, field

from django.db.models.functions import Lower

from accounts.matching import matching_accounts, normalize_company
from accounts.models import Account
from accounts.selectors import matching_contacts
from opportunities.enums import OPEN_STAGES
from opportunities.models import Opportunity

from .models import Lead
from .rule_context import free_domains

LIMIT = 50


@dataclass
class Duplicates:
    leads: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    accounts: list = field(default_factory=list)
    opportunities: list = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.leads or self.contacts or self.accounts or self.opportunities)


def _norm(text: str) -> str:
    return " ".join((text or "").lower().split())


def matching_leads(
    *,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    company: str = "",
    exclude_pk=None,
) -> list[Lead]:
    """Same e-mail (any case), or same first + last name (any case, spaces folded) and the
    same normalised company name."""
    live = Lead.objects.filter(merged_into__isnull=True, converted_at__isnull=True).select_related(
        "owner", "initial_source"
    )
    if exclude_pk:
        live = live.exclude(pk=exclude_pk)
    found = {}
    if email.strip():
        for lead in live.annotate(e=Lower("email")).filter(e=email.strip().lower())[:LIMIT]:
            found[lead.pk] = lead
    key = normalize_company(company)
    if last_name.strip() and key:
        rows = live.annotate(ln=Lower("last_name"), fn=Lower("first_name")).filter(
            ln=last_name.strip().lower(), fn=first_name.strip().lower()
        )[: LIMIT * 4]
        for lead in rows:
            if (
                _norm(lead.first_name) == _norm(first_name)
                and normalize_company(lead.company) == key
            ):
                found.setdefault(lead.pk, lead)
    return sorted(found.values(), key=lambda x: (x.created_at, x.pk))[:LIMIT]


def open_opportunities_at(accounts) -> list[Opportunity]:
    ids = [a.pk for a in accounts]
    if not ids:
        return []
    return list(
        Opportunity.objects.filter(account_id__in=ids, stage__in=OPEN_STAGES)
        .select_related("owner", "account", "resale_partner")
        .order_by("account_id", "-created_at")[:LIMIT]
    )


def accounts_for(*, email: str = "", company: str = "", website: str = "") -> list[Account]:
    found = matching_accounts(
        email=email, company=company, website=website, free_domains=free_domains()
    )
    if not found:
        return []
    # One query for the columns the page shows (owner, BDR, BDR Prospecting Status).
    by_pk = Account.objects.select_related("owner", "bdr_assigned").in_bulk([a.pk for a in found])
    return [by_pk[a.pk] for a in found if a.pk in by_pk]


def find_duplicates(person) -> Duplicates:
    """LEAD-DUP-1 for a lead or contact (or an unsaved person: CONTACT-CREATE)."""
    is_lead = isinstance(person, Lead)
    company = (
        getattr(person, "company", "")
        if is_lead
        else (person.account.name if getattr(person, "account_id", None) else "")
    )
    leads = matching_leads(
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        company=company,
        exclude_pk=person.pk if is_lead else None,
    )
    contacts = matching_contacts(email=person.email, exclude_pk=None if is_lead else person.pk)
    accounts = accounts_for(
        email=person.email, company=company, website=getattr(person, "website", "")
    )
    return Duplicates(
        leads=leads,
        contacts=contacts,
        accounts=accounts,
        opportunities=open_opportunities_at(accounts),
    )
