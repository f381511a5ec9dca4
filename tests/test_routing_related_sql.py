"""ROUTE-2 step 10 / Q-PERF: the related people of a scope (account or e-mail domain) are
read for leads and contacts in one statement on PostgreSQL; it must give exactly the rows of
the per-kind statements, in their order."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Contact
from leads.models import Lead
from leads.services.routing import context, related

from .factories import AccountFactory, ContactFactory, LeadFactory, UserFactory

pytestmark = pytest.mark.django_db

STATUSES = ("MQL", "Accepted", "Qualifying", "Qualified", "Inquiry")


@pytest.fixture
def people():
    owners = [UserFactory() for _ in range(3)]
    accounts = [AccountFactory() for _ in range(3)]
    base = timezone.now() - datetime.timedelta(days=40)
    n = 0
    for a_i, account in enumerate(accounts):
        for j in range(7):
            n += 1
            mql = None if j == 5 else base + datetime.timedelta(days=(j * 3) % 11, hours=a_i)
            LeadFactory(
                email=f"l{n}@dom{j % 3}.example",
                matched_account=account,
                status=STATUSES[j % 5],
                owner=owners[j % 3],
                mql_date=mql,
            )
            ContactFactory(
                email=f"c{n}@dom{j % 2}.example",
                account=account,
                status=STATUSES[(j + 1) % 5],
                owner=owners[(j + 1) % 3],
                mql_date=mql,
            )
    Lead.objects.filter(email_domain="dom1.example").update(mql_date=base)  # ties → by id
    return accounts


def test_one_statement_gives_the_per_kind_rows(people):
    now = timezone.now()
    since, today = now - datetime.timedelta(days=30), timezone.localdate(now)
    scopes = [
        ([a.pk for a in people], "matched_account_id", "account_id"),
        ([people[1].pk], "matched_account_id", "account_id"),
        (["dom0.example", "dom1.example", "dom2.example"], "email_domain", "email_domain"),
        (["nobody.example"], "email_domain", "email_domain"),
    ]
    seen = 0
    for values, lead_field, contact_field in scopes:
        parts = [(Lead, "lead", lead_field), (Contact, "contact", contact_field)]
        expected = [
            ("lead", *row)
            for row in related.related_rows(Lead, "lead", lead_field, values, since, today)
        ] + [
            ("contact", *row)
            for row in related.related_rows(Contact, "contact", contact_field, values, since, today)
        ]
        with CaptureQueriesContext(connection) as q:
            got = related.related_rows_of_kinds(parts, values, since, today)
        assert [tuple(r) for r in got] == [tuple(r) for r in expected]
        assert len(q.captured_queries) == (1 if connection.vendor == "postgresql" else 2)
        seen += len(got)
    assert seen > 20


def test_users_with_regions_is_the_select_related_query():
    """Routing's users (owners and notified people) read in SQL are the ORM's: every column
    converted alike (JSON, times, moments), region and its parent attached (or None)."""
    from django.db.models import Q

    from gtm_portal.refdata.models import Region
    from gtm_portal.users.models import User

    amer = Region.objects.get_or_create(code="T-AMER", defaults={"name": "T Amer"})[0]
    east = Region.objects.get_or_create(code="T-EAST", defaults={"name": "T East", "parent": amer})[
        0
    ]
    users = [UserFactory(), UserFactory(), UserFactory(), UserFactory()]
    User.objects.filter(pk=users[0].pk).update(region=east, time_zone="Europe/Berlin")
    User.objects.filter(pk=users[1].pk).update(region=amer, last_login=timezone.now())
    ids = {users[0].pk, users[1].pk, 999_999}
    names = {users[2].username, users[0].username, "nobody"}

    def row(obj):
        return (
            None
            if obj is None
            else {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}
        )

    expected = {
        u.pk: u
        for u in User.objects.select_related("region", "region__parent").filter(
            Q(pk__in=ids) | Q(username__in=names)
        )
    }
    with CaptureQueriesContext(connection) as q:
        got = {u.pk: u for u in context.users_with_regions(ids, names)}
    assert len(q.captured_queries) == 1
    assert set(got) == set(expected) == {users[0].pk, users[1].pk, users[2].pk}
    with CaptureQueriesContext(connection) as q:
        for pk, user in got.items():
            want = expected[pk]
            assert row(user) == row(want)
            assert row(user.region) == row(want.region)
            if want.region is not None:
                assert row(user.region.parent) == row(want.region.parent)
                assert user.region.top.code == want.region.top.code
    assert len(q.captured_queries) == 0  # everything attached, nothing read later
    assert context.users_with_regions(set(), {users[3].username})[0].pk == users[3].pk
    assert context.users_with_regions(set(), set()) == []


def test_routing_reads_its_users_once_until_one_is_saved():
    """Q-PERF: routing's users come from a per-process store — read once, then no query —
    and a saved user (or region) is read again at once; each call gets its own copies."""
    from gtm_portal.refdata.models import Region
    from gtm_portal.users.models import User

    region = Region.objects.get_or_create(code="T-KNOWN", defaults={"name": "T Known"})[0]
    a, b = UserFactory(), UserFactory()
    User.objects.filter(pk=a.pk).update(region=region)
    first = {u.pk: u for u in context.known_users({a.pk}, {b.username})}
    assert set(first) == {a.pk, b.pk} and first[a.pk].region.code == "T-KNOWN"
    with CaptureQueriesContext(connection) as q:
        again = {u.pk: u for u in context.known_users({a.pk, b.pk}, {a.username})}
    assert q.captured_queries == []
    assert again[a.pk] is not first[a.pk]  # a copy per call
    again[a.pk].first_name = "changed in memory only"
    assert context.known_users({a.pk}, set())[0].first_name == a.first_name
    user = User.objects.get(pk=b.pk)
    user.first_name = "Renamed"
    user.save()  # a saved user is read again
    with CaptureQueriesContext(connection) as q:
        fresh = context.known_users({b.pk}, set())
    assert len(q.captured_queries) == 1 and fresh[0].first_name == "Renamed"
    assert context.known_users(set(), {"nobody-here"}) == []
