"""ACCT-SEG, ACCT-CUSTOMER, ACCT-CE and CONTACT-OWNER through the one account update path;
ROLE-3 field groups; the hierarchy on the account page; VIEW-5 B1 mass BDR Assigned."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Account, Contact
from accounts.services import account_create, account_create_from_usage, account_update
from gtm_portal.core.models import FieldChange

from .factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def chain(n, by, employees=50):
    """A straight line of n accounts under one ultimate parent, made through the service."""
    top = account_create(by=by, data={"name": "Top", "employees": employees})
    accounts = [top]
    for i in range(1, n):
        accounts.append(
            account_create(
                by=by, data={"name": f"Level {i}", "employees": employees, "parent": accounts[-1]}
            )
        )
    return accounts


def segments(accounts):
    return set(
        Account.objects.filter(pk__in=[a.pk for a in accounts]).values_list("segment", flat=True)
    )


def test_acct_seg_deep_tree_recompute_in_a_fixed_number_of_queries(users):
    """The same number of queries (savepoints and full_clean included) at depth 5 and 40."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    support = users["salessupport"]
    warm = account_create(by=support, data={"name": "Warm-up"})  # content-type cache
    account_update(account=warm, by=support, data={"employees": 3})
    counts = []
    for depth in (5, 40):
        tree = chain(depth, support)
        assert segments(tree) == {"SMB"}
        assert {
            a.ultimate_parent_id for a in Account.objects.filter(pk__in=[a.pk for a in tree])
        } == {tree[0].pk}
        leaf = Account.objects.get(pk=tree[-1].pk)
        with CaptureQueriesContext(connection) as queries:
            account_update(account=leaf, by=support, data={"employees": 5000})
        counts.append(len(queries))
        assert segments(tree) == {"Large"}
        rows = FieldChange.objects.filter(
            field="segment", new_value="Large", object_id__in=[a.pk for a in tree]
        )
        assert rows.count() == depth and "ACCT-SEG" in rows.first().reason
    assert counts[0] == counts[1] and counts[1] <= 30


def test_acct_seg_strategic_flag_outranks_large_across_the_tree(users):
    tree = chain(3, users["salessupport"], employees=3000)
    account_update(account=tree[1], by=users["salessupport"], data={"is_strategic": True})
    assert segments(tree) == {"Strategic"}


def test_acct_seg_reparenting_recomputes_old_and_new_trees(users):
    support = users["salessupport"]
    big = account_create(by=support, data={"name": "Big", "employees": 5000})
    small_top = account_create(by=support, data={"name": "Small", "employees": 10})
    child = account_create(by=support, data={"name": "Child", "employees": 10, "parent": big})
    assert segments([child]) == {"Large"}
    account_update(account=child, by=support, data={"parent": small_top})
    child.refresh_from_db()
    assert child.segment == "SMB" and child.ultimate_parent_id == small_top.pk
    account_update(account=small_top, by=support, data={"parent": big})
    assert segments([small_top, child]) == {"Large"}
    assert Account.objects.get(pk=child.pk).ultimate_parent_id == big.pk


def test_acct_seg_a_cycle_is_refused_and_nothing_changes(users):
    support = users["salessupport"]
    tree = chain(3, support)
    before = list(
        Account.objects.filter(pk__in=[a.pk for a in tree]).values_list(
            "pk", "parent_id", "version"
        )
    )
    with pytest.raises(ValidationError, match="ACCT-SEG"):
        account_update(account=tree[0], by=support, data={"parent": tree[2]})
    assert (
        list(
            Account.objects.filter(pk__in=[a.pk for a in tree]).values_list(
                "pk", "parent_id", "version"
            )
        )
        == before
    )


def test_acct_customer_one_customer_with_carr_makes_the_whole_hierarchy_expand(users):
    support = users["salessupport"]
    tree = chain(3, support)
    assert set(
        Account.objects.filter(pk__in=[a.pk for a in tree]).values_list(
            "first_order_available", flat=True
        )
    ) == {True}
    account_update(
        account=tree[2], by=support, data={"type": "Customer", "total_carr": Decimal("12000")}
    )
    assert set(
        Account.objects.filter(pk__in=[a.pk for a in tree]).values_list(
            "first_order_available", flat=True
        )
    ) == {False}
    account_update(account=tree[2], by=support, data={"total_carr": Decimal("47.99")})
    assert set(
        Account.objects.filter(pk__in=[a.pk for a in tree]).values_list(
            "first_order_available", flat=True
        )
    ) == {True}


def test_role3_hierarchy_is_sales_support_or_sales_admin_and_refusal_changes_nothing(users):
    tree = chain(2, users["salessupport"])
    other = AccountFactory()
    with pytest.raises(PermissionDenied):
        account_update(account=tree[1], by=users["ae.amer1"], data={"parent": other})
    assert Account.objects.get(pk=tree[1].pk).parent_id == tree[0].pk
    with pytest.raises(ValidationError, match="ACCT-BPS 1"):  # Sales Support: say why
        account_update(
            account=tree[1], by=users["salessupport"], data={"bdr_assigned": users["bdr.amer1"]}
        )
    with pytest.raises(ValidationError, match="ROLE-3"):
        account_update(account=tree[1], by=users["salessupport"], data={"segment": "Large"})
    assert Account.objects.get(pk=tree[1].pk).bdr_assigned_id is None


def test_acct_ce_usage_ping_creates_once_with_the_defaults(users):
    account, created = account_create_from_usage(
        name="Kramerica", domain="www.Kramerica.example", employees=120, active_ce_users=7
    )
    assert created and account.type == "Prospect - CE User" and account.using_ce
    assert account.account_source.name == "CE Download"
    assert account.owner.is_queue and account.owner.display_name == "Sales Admin"
    assert account.segment == "Mid-Market" and account.ultimate_parent_id == account.pk
    again, created = account_create_from_usage(
        name="Kramerica Industries", domain="kramerica.example", active_ce_users=9
    )
    assert not created and again.pk == account.pk and again.active_ce_users == 9
    assert Account.objects.filter(domain="kramerica.example").count() == 1


def test_contact_owner_follows_bdr_assigned_then_account_owner(users):
    account = Account.objects.get(name="Vandelay Industries")
    people = [ContactFactory(account=account, owner=None) for _ in range(3)]
    account_update(account=account, by=users["bdr.mgr"], data={"bdr_assigned": users["bdr.emea1"]})
    assert set(
        Contact.objects.filter(pk__in=[p.pk for p in people]).values_list(
            "owner__username", flat=True
        )
    ) == {"bdr.emea1"}
    account_update(account=account, by=users["bdr.mgr"], data={"bdr_assigned": None})
    assert set(
        Contact.objects.filter(account=account).values_list("owner__display_name", flat=True)
    ) == {"Sales Admin"}
    assert (
        FieldChange.objects.filter(
            object_id=people[0].pk, field="owner", reason__startswith="CONTACT-OWNER"
        ).count()
        == 2
    )


def test_account_page_shows_the_hierarchy_with_segments(client, users):
    support = users["salessupport"]
    tree = chain(3, support, employees=150)
    client.force_login(users["bdr.amer1"])
    r = client.get(f"/accounts/{tree[1].pk}/")
    assert [(d, a.name) for d, a in r.context["tree"]] == [
        (0, "Top"),
        (1, "Level 1"),
        (2, "Level 2"),
    ]
    body = r.content.decode()
    assert "Hierarchy" in body and "Mid-Market" in body


def test_view5_b1_mass_bdr_assigned_per_row_and_refusals(client, users):
    me = users["bdr.amer1"]
    accounts = list(Account.objects.filter(name__in=["Umbrella Labs", "Springfield County"]))
    client.force_login(me)
    r = client.post(
        "/accounts/views/B1/mass/",
        {"action": "bdr", "bdr": "bdr.amer1", "ids": [a.pk for a in accounts]},
        follow=True,
    )
    assert "2 done" in " ".join(str(m) for m in r.context["messages"])
    assert set(
        Account.objects.filter(pk__in=[a.pk for a in accounts]).values_list(
            "bdr_assigned__username", flat=True
        )
    ) == {"bdr.amer1"}
    assert set(
        Contact.objects.filter(account__in=accounts).values_list("owner__username", flat=True)
    ) == {"bdr.amer1"}
    client.force_login(users["ae.amer1"])  # not a BDR: refused rows
    before = list(
        Account.objects.filter(pk__in=[a.pk for a in accounts]).values_list(
            "bdr_assigned_id", "version"
        )
    )
    r = client.post(
        "/accounts/views/B1/mass/",
        {"action": "bdr", "bdr": "bdr.emea1", "ids": [a.pk for a in accounts]},
        follow=True,
    )
    assert "0 done, 2 refused" in " ".join(str(m) for m in r.context["messages"])
    assert (
        list(
            Account.objects.filter(pk__in=[a.pk for a in accounts]).values_list(
                "bdr_assigned_id", "version"
            )
        )
        == before
    )
