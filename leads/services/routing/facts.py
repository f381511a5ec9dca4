"""ROUTE-2 facts about a person and its account, as `routing.decide` reads them."""

import datetime
from typing import overload

from django.db.models import F, Max, Q

from accounts.models import Account, Contact
from gtm_portal.activity.models import Activity

from ... import routing
from .context import RoutingContext


def _who(user) -> routing.Who | None:
    if user is None:
        return None
    if user.is_queue:
        return routing.Who(queue=user.display_name, id=user.pk)
    return routing.Who(username=user.username, id=user.pk)


def days_ago(moment, now) -> float | None:
    return None if moment is None else (now - moment).total_seconds() / 86400


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)


@overload
def micros(moment: datetime.datetime) -> int: ...
@overload
def micros(moment: None) -> None: ...
def micros(moment: datetime.datetime | None) -> int | None:
    """A moment as whole microseconds since the epoch (what the related-people query
    returns: thousands of rows need no timestamp parsing)."""
    return None if moment is None else (moment - EPOCH) // MICROSECOND


def days_ago_micros(moment: int | None, now_micros: int) -> float | None:
    """`_days_ago` from microseconds: the same float, bit for bit."""
    return None if moment is None else (now_micros - moment) / 10**6 / 86400


def person_facts(person, form_kind, ctx: RoutingContext) -> routing.PersonFacts:
    region = person.region.top.code if person.region_id else ""
    return routing.PersonFacts(
        kind="contact" if isinstance(person, Contact) else "lead",
        status=person.status,
        title=person.title,
        form=form_kind,
        country=person.country.name if person.country_id else "",
        region=region,
        company=getattr(person, "company", "")
        or (person.account.name if isinstance(person, Contact) else ""),
        description=person.description,
        employees=person.employees,
        email_domain=person.email_domain,
        partner_prospecting_status=person.partner_prospecting_status,
        is_hot=person.is_hot,
        blocked_domain=bool(person.email_domain) and person.email_domain in ctx.blocked,
    )


def account_for(person) -> Account | None:
    account_id = account_id_of(person)
    if not account_id:
        return None
    return accounts_by_id([account_id]).get(account_id)


def account_id_of(person) -> int | None:
    return person.account_id if isinstance(person, Contact) else person.matched_account_id


def accounts_by_id(ids) -> dict[int, Account]:
    return (
        (
            Account.objects.select_related(
                "owner", "bdr_assigned", "bdr_assigned__manager", "csm"
            ).in_bulk(list(ids))
        )
        if ids
        else {}
    )


def account_facts(account: Account, now) -> routing.AccountFacts:
    return account_facts_many([account], now)[account.pk]


def account_facts_many(accounts, now) -> dict[int, routing.AccountFacts]:
    """ROUTE-2 account facts for many accounts, with (in three grouped queries, for the
    accounts step 8 reads it of) the latest sales activity by the account's BDR and by
    anybody on a person there (linked to the account, one of its contacts, or a lead matched
    to it) in the last 30 days."""
    accounts = {a.pk: a for a in accounts}
    if not accounts:
        return {}
    since = now - datetime.timedelta(days=routing.ACTIVITY_DAYS)
    recent = Activity.objects.filter(is_sales=True, occurred_at__gte=since).order_by()
    person_linked = Q(contact__isnull=False) | Q(lead__isnull=False)
    worked = [
        pk
        for pk, a in accounts.items()
        if routing.reads_sales_activity(a.bdr_prospecting_status, a.bdr_assigned_id)
    ]
    bdr: dict[int, datetime.datetime | None] = {}
    people: dict[int, datetime.datetime | None] = {}
    for path in ("account", "contact__account", "lead__matched_account") if worked else ():
        rows = (
            recent.filter(**{f"{path}_id__in": worked})
            .values(f"{path}_id")
            .annotate(
                bdr=Max("occurred_at", filter=Q(logged_by_id=F(f"{path}__bdr_assigned_id"))),
                people=Max("occurred_at", filter=person_linked),
            )
            .values_list(f"{path}_id", "bdr", "people")
        )
        for account_id, last_bdr, last_people in rows:
            bdr[account_id] = _latest(bdr.get(account_id), last_bdr)
            people[account_id] = _latest(people.get(account_id), last_people)
    out = {}
    for pk, account in accounts.items():
        customer = not account.first_order_available or account.type == "Customer"
        out[pk] = routing.AccountFacts(
            name=account.name,
            id=account.pk,
            segment=account.segment,
            customer=customer,
            paid_tier=account.paid_tier,
            owner=_who(account.owner),
            bdr_assigned=_who(account.bdr_assigned),
            bdr_manager=_who(account.bdr_assigned.manager) if account.bdr_assigned_id else None,
            csm=_who(account.csm),
            bps=account.bdr_prospecting_status,
            public_sector=account.is_public_sector,
            bdr_sales_activity_days_ago=days_ago(bdr.get(pk), now),
            people_sales_activity_days_ago=days_ago(people.get(pk), now),
        )
    return out


def _latest(a, b):
    return b if a is None else a if b is None else max(a, b)
