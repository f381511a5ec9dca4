"""ROUTE-1 batches (re-score, imports) decide like routing one person at a time: people at
the same company are routed one after the other, so the second sees the first's owner
(ROUTE-2 step 10) instead of both going round the pool."""

import datetime

import pytest
from django.utils import timezone

from gtm_portal.activity.models import Activity, Task
from gtm_portal.refdata.models import Country
from gtm_portal.users import roles
from gtm_portal.users.models import User
from leads.models import Lead
from leads.services.routing import route_people

from .factories import AccountFactory, ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db


def _mql(n, domain):
    us = Country.objects.get(iso2="US")
    inquiry = User.objects.queue(roles.Q_INQUIRY)
    return [
        LeadFactory(
            email=f"p{i}@{domain}",
            email_domain=domain,
            company="Newco Widgets",
            country=us,
            region=us.region,
            status="MQL",
            mql_date=timezone.now(),
            owner=inquiry,
            person_score=120,
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("given", ["objects", "primary keys"])
def test_route_1_a_batch_keeps_one_company_with_one_rep(demo, given):
    first, second, third = _mql(3, "newco-widgets.example")
    other = _mql(1, "elsewhere-co.example")[0]
    people = [first, second, other, third]
    rows = (
        route_people(people, trigger="re-score")
        if given == "objects"
        else route_people([p.pk for p in people], model=Lead, trigger="re-score")
    )
    owners = {r.person.pk: r.owner for r in rows}
    assert owners[first.pk] is not None and not owners[first.pk].is_queue
    assert owners[second.pk] == owners[first.pk] == owners[third.pk]
    by_pk = {r.person.pk: r for r in rows}
    assert by_pk[first.pk].rule == "ROUTE-2.12"  # the pool
    assert by_pk[second.pk].rule == by_pk[third.pk].rule == "ROUTE-2.10"
    # Returned in the order given; every row stored.
    assert [r.person.pk for r in rows] == [first.pk, second.pk, other.pk, third.pk]
    assert all(
        Lead.objects.get(pk=p.pk).owner == owners[p.pk] for p in (first, second, third, other)
    )


def _worked(domain, status, owner, days_ago, **fields):
    us = Country.objects.get(iso2="US")
    return LeadFactory(
        email=f"old@{domain}",
        email_domain=domain,
        company="Oldco",
        country=us,
        region=us.region,
        status=status,
        owner=owner,
        mql_date=timezone.now() - datetime.timedelta(days=days_ago),
        **fields,
    )


def _sales_activity(lead, days_ago):
    return Activity.objects.create(
        lead=lead,
        kind="call",
        direction="outbound",
        is_sales=True,
        occurred_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


@pytest.mark.parametrize(
    "evidence, rule, works",
    [
        ("activity 5 days ago", "ROUTE-2.10", True),
        ("activity 40 days ago", "ROUTE-2.12", False),
        ("non-sales activity", "ROUTE-2.12", False),
        ("open task due tomorrow", "ROUTE-2.10", True),
        ("open task due yesterday", "ROUTE-2.12", False),
        ("done task due tomorrow", "ROUTE-2.12", False),
    ],
)
def test_route_2_10_a_worked_person_at_the_domain_takes_the_new_mql(demo, evidence, rule, works):
    """ROUTE-2 step 10: an Accepted person with sales activity in the last 30 days or an open
    future task hands the new MQL to their owner; otherwise the pool decides."""
    rep = User.objects.get(username="ae.emea1")
    old = _worked("worked-widgets.example", "Accepted", rep, 90)
    today = timezone.localdate()
    if evidence.startswith("activity"):
        _sales_activity(old, int(evidence.split()[1]))
    elif evidence == "non-sales activity":
        Activity.objects.create(
            lead=old, kind="email", direction="inbound", is_sales=False, occurred_at=timezone.now()
        )
    else:
        due = today + datetime.timedelta(days=-1 if "yesterday" in evidence else 1)
        Task.objects.create(
            lead=old,
            subject="Call back",
            due_date=due,
            owner=rep,
            status="done" if evidence.startswith("done") else "open",
        )
    new = _mql(1, "worked-widgets.example")[0]
    row = route_people([new], trigger="re-score")[0]
    assert row.rule == rule
    assert (row.owner == rep) is works
    assert any("works another person" in line for line in row.explanation) is works


def test_route_2_10_an_mql_with_activity_is_not_worked_but_the_earliest_mql_takes_it(demo):
    """Step 10: activity counts only for Accepted/Qualifying people; an MQL elsewhere at the
    company hands over as 'another MQL', the earliest MQL first."""
    early, late = (User.objects.get(username=u) for u in ("ae.emea1", "ae.amer1"))
    _sales_activity(_worked("mql-widgets.example", "MQL", late, 10), 1)
    _worked("mql-widgets.example", "MQL", early, 20)
    row = route_people(_mql(1, "mql-widgets.example"), trigger="re-score")[0]
    assert (row.rule, row.owner) == ("ROUTE-2.10", early)
    assert any("another MQL" in line for line in row.explanation)


def test_route_2_10_a_worked_contact_at_the_account_takes_the_new_mql(demo):
    """Step 10 over contacts: a Qualifying contact of the matched account with recent sales
    activity hands the lead to the contact's owner."""
    rep = User.objects.get(username="ae.amer1")
    account = AccountFactory(domain="acct-widgets.example")
    contact = ContactFactory(
        account=account,
        status="Qualifying",
        owner=rep,
        mql_date=timezone.now() - datetime.timedelta(days=60),
    )
    Activity.objects.create(
        contact=contact,
        kind="call",
        direction="outbound",
        is_sales=True,
        occurred_at=timezone.now() - datetime.timedelta(days=2),
    )
    lead = _mql(1, "acct-widgets.example")[0]
    lead.matched_account = account
    lead.save(update_fields=["matched_account"])
    row = route_people([lead], trigger="re-score")[0]
    assert (row.rule, row.owner) == ("ROUTE-2.10", rep)


def test_route_1_a_batch_sends_each_owner_one_digest_not_one_notice_a_lead(demo):
    """UX notifications (#22): a re-score routing three leads of one company to one rep gives
    that rep ONE notice — "3 leads were routed to you", linking to their lead view — while a
    rep given a single lead gets that lead's own notice, in words (the rule ID after them)."""
    from gtm_portal.chatter.models import Notification

    three = _mql(3, "newco-widgets.example")
    single = _mql(1, "elsewhere-co.example")[0]
    rows = route_people([*three, single], trigger="re-score")
    owners = {r.person.pk: r.owner for r in rows}
    rep, other = owners[three[0].pk], owners[single.pk]
    mine = Notification.objects.filter(recipient=rep, reason=Notification.Reason.ROUTED)
    if rep == other:  # the pool gave both companies to one rep: one digest of four
        assert [n.message.split(" ")[0] for n in mine] == ["4"]
        return
    assert mine.count() == 1
    digest = mine.get()
    assert digest.message.startswith("3 leads were routed to you")
    assert digest.object_id is None and digest.record_url.startswith("/leads/views/")
    theirs = Notification.objects.get(recipient=other, reason=Notification.Reason.ROUTED)
    assert theirs.object_id == single.pk and theirs.message.startswith("Routed to you: ")
