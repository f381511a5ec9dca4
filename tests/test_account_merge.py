"""ACCT-DUP: flag a duplicate (mentions @sales-support), Sales Support merges in one
transaction; the survivor holds everything both held; the duplicate's page redirects."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.merge import account_flag_duplicate, account_merge
from accounts.models import Account, AccountTeamMember, Contact
from accounts.services import account_create
from gtm_portal.activity.models import Activity, Task
from gtm_portal.chatter.models import Comment, Notification
from gtm_portal.chatter.services import comment_post
from gtm_portal.core.models import FieldChange, Tombstone
from leads.models import Lead
from opportunities.models import Opportunity

from .factories import ContactFactory, LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def holdings(account) -> dict:
    ct = ContentType.objects.get_for_model(Account)
    return {
        "children": Account.objects.filter(parent=account).count(),
        "contacts": Contact.objects.filter(account=account).count(),
        "leads": Lead.objects.filter(matched_account=account).count(),
        "opportunities": Opportunity.objects.filter(account=account).count(),
        "activities": Activity.objects.filter(account=account).count(),
        "tasks": Task.objects.filter(account=account).count(),
        "comments": Comment.objects.filter(content_type=ct, object_id=account.pk).count(),
        "team": AccountTeamMember.objects.filter(account=account).count(),
    }


def stuff(account, users, n=2):
    for i in range(n):
        ContactFactory(account=account)
        LeadFactory(matched_account=account)
        OpportunityFactory(account=account, owner=users["ae.amer1"])
        Activity.objects.create(account=account, kind="call", occurred_at=timezone.now())
        Task.objects.create(
            account=account, subject=f"t{i}", owner=users["ae.amer1"], due_date=timezone.localdate()
        )
        comment_post(record=account, author=users["sdr.amer1"], body=f"note {i}")
        account_create(
            by=users["salessupport"], data={"name": f"{account.name} child {i}", "parent": account}
        )


def test_acct_dup_anyone_flags_and_sales_support_is_mentioned(users):
    dup = Account.objects.get(name="Vandelay Industries")
    real = Account.objects.get(name="Globex Corporation")
    account_flag_duplicate(account=dup, duplicate_of=real, by=users["sdr.amer1"], note="same co")
    assert Account.objects.get(pk=dup.pk).duplicate_of_id == real.pk
    comment = Comment.objects.get(topic="duplicate")
    assert "@sales-support" in comment.body and "same co" in comment.body
    assert Notification.objects.filter(recipient=users["salessupport"], comment=comment).exists()
    with pytest.raises(ValidationError, match="ACCT-DUP"):
        account_flag_duplicate(account=dup, duplicate_of=dup, by=users["sdr.amer1"])


def test_acct_dup_merge_moves_everything_counts_before_equal_after(users):
    survivor = account_create(by=users["salessupport"], data={"name": "Survivor", "employees": 10})
    merged = account_create(by=users["salessupport"], data={"name": "Dup", "employees": 10})
    stuff(survivor, users, 1)
    stuff(merged, users, 2)
    account_create(
        by=users["salessupport"],
        data={"name": "Dup big child", "employees": 5000, "parent": merged},
    )
    AccountTeamMember.objects.create(account=merged, user=users["sdr.amer1"])
    AccountTeamMember.objects.create(account=merged, user=users["sdr.amer2"])
    AccountTeamMember.objects.create(account=survivor, user=users["sdr.amer1"])  # on both
    a, b = holdings(survivor), holdings(merged)
    account_merge(survivor=survivor, merged=merged, by=users["salessupport"], reason="dup")
    after = holdings(survivor)
    expected = {k: a[k] + b[k] for k in a}
    expected["team"] -= 1  # sdr.amer1 was on both teams
    expected["comments"] += 1  # the merge's own system comment
    assert after == expected
    assert holdings(merged) == dict.fromkeys(a, 0)
    survivor.refresh_from_db()
    assert survivor.segment == "Large"  # the moved child's count now counts (ACCT-SEG)
    merged.refresh_from_db()
    assert merged.merged_into_id == survivor.pk
    tomb = Tombstone.objects.get(object_id=merged.pk, reason="merged")
    assert tomb.redirect_object_id == survivor.pk
    assert FieldChange.objects.filter(
        object_id=survivor.pk, field="merged_account", reason__startswith="ACCT-DUP"
    ).exists()


def test_acct_dup_merged_account_page_redirects_to_the_survivor(client, users):
    survivor = Account.objects.get(name="Globex Corporation")
    merged = Account.objects.get(name="Vandelay Industries")
    client.force_login(users["salessupport"])
    page = client.get(f"/accounts/{merged.pk}/merge/", {"into": survivor.pk})
    assert page.status_code == 200 and "contacts" in page.content.decode()
    r = client.post(f"/accounts/{merged.pk}/merge/", {"into": survivor.pk})
    assert r.status_code == 302
    assert client.get(f"/accounts/{merged.pk}/")["Location"] == f"/accounts/{survivor.pk}/"


def test_acct_dup_only_sales_support_merges_and_refusals_change_nothing(client, users):
    survivor = Account.objects.get(name="Globex Corporation")
    merged = Account.objects.get(name="Vandelay Industries")
    before = holdings(merged), holdings(survivor)
    with pytest.raises(PermissionDenied):
        account_merge(survivor=survivor, merged=merged, by=users["bdr.mgr"])
    client.force_login(users["ae.amer1"])
    assert client.post(f"/accounts/{merged.pk}/merge/", {"into": survivor.pk}).status_code == 403
    assert (holdings(merged), holdings(survivor)) == before
    assert Account.objects.get(pk=merged.pk).merged_into_id is None


def test_acct_dup_survivor_under_the_duplicate_is_refused(users):
    top = account_create(by=users["salessupport"], data={"name": "Top"})
    mid = account_create(by=users["salessupport"], data={"name": "Mid", "parent": top})
    low = account_create(by=users["salessupport"], data={"name": "Low", "parent": mid})
    with pytest.raises(ValidationError, match="ACCT-DUP"):
        account_merge(survivor=low, merged=top, by=users["salessupport"])
    assert Account.objects.get(pk=mid.pk).parent_id == top.pk
    assert not Tombstone.objects.exists()


def test_acct_dup_merge_keeps_one_pending_transfer_per_requester(users):
    """ACCT-DUP with ACCT-CLAIM 2: the same BDR asked for both accounts — the merge goes
    through (one pending request per requester and record), the duplicate's request is
    cancelled with the reason; another requester's request moves and stays pending."""
    from accounts.claims import transfer_request
    from accounts.models import TransferRequest

    survivor = account_create(
        by=users["salessupport"], data={"name": "Keep Co", "owner": users["ae.amer1"]}
    )
    merged = account_create(
        by=users["salessupport"], data={"name": "Keep Co dup", "owner": users["ae.amer1"]}
    )
    kept = transfer_request(record=survivor, by=users["bdr.amer1"], reason="mine")
    dropped = transfer_request(record=merged, by=users["bdr.amer1"], reason="mine too")
    moved = transfer_request(record=merged, by=users["bdr.emea1"], reason="EMEA office")
    account_merge(survivor=survivor, merged=merged, by=users["salessupport"], reason="dup")
    for r in (kept, dropped, moved):
        r.refresh_from_db()
    assert (kept.state, kept.object_id) == ("pending", survivor.pk)
    assert dropped.state == "cancelled" and f"#{survivor.pk}" in dropped.decision_reason
    assert (moved.state, moved.object_id) == ("pending", survivor.pk)
    assert not TransferRequest.objects.filter(
        object_id=merged.pk, content_type=kept.content_type
    ).exists()
