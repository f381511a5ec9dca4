"""ACCT-DUP: anyone flags an account as a duplicate of another (a comment mentions
@sales-support); Sales Support merges: everything the duplicate holds moves to the survivor in
one transaction, the duplicate keeps a tombstone that redirects, the survivor's history says so.
Rows of the apps above accounts (leads, opportunities) move through the links they register
(`registry.AccountLink`)."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gtm_portal.activity.models import Activity, Task
from gtm_portal.chatter.models import Comment, Follow
from gtm_portal.chatter.services import comment_post
from gtm_portal.core import access, history
from gtm_portal.core.models import Tombstone
from gtm_portal.core.services import touch

from . import hierarchy, registry
from .claims import contacts_follow_owner, transfer_requests_follow
from .models import Account, AccountTeamMember, Contact


def _live(account: Account, what: str) -> None:
    if account.merged_into_id:
        raise ValidationError(
            f"ACCT-DUP: {what} {account.name} was already merged into "
            f"account #{account.merged_into_id}.",
            code="ACCT-DUP",
        )


@transaction.atomic
def account_flag_duplicate(
    *, account: Account, duplicate_of: Account, by, note: str = ""
) -> Account:
    """ACCT-DUP: flag `account` as a duplicate of `duplicate_of` and ask Sales Support (a
    comment on the account mentions @sales-support)."""
    access.require(by, "record.comment", account, "ROLE-3: you may not flag accounts.")
    locked = Account.objects.select_for_update().get(pk=account.pk)
    if duplicate_of is None or duplicate_of.pk == locked.pk:
        raise ValidationError(
            "ACCT-DUP: name the other account this one duplicates.", code="ACCT-DUP"
        )
    _live(locked, "this account")
    _live(duplicate_of, "the other account")
    if locked.duplicate_of_id == duplicate_of.pk:
        raise ValidationError(
            f"ACCT-DUP: already flagged as a duplicate of {duplicate_of.name}.", code="ACCT-DUP"
        )
    fields = ["duplicate_of"]
    before, shown = history.snapshot(locked, fields), history.display_snapshot(locked, fields)
    locked.duplicate_of = duplicate_of
    locked.save(update_fields=["duplicate_of", "updated_at"])
    history.record_changes(locked, before, shown, by=by, reason="ACCT-DUP: flagged")
    note = (note or "").strip()
    comment_post(
        record=locked,
        author=by,
        kind="system",
        topic="duplicate",
        body=f"@sales-support {by.label} flagged {locked.name} (#{locked.pk}) as a "
        f"duplicate of {duplicate_of.name} (#{duplicate_of.pk})" + (f": {note}" if note else "."),
    )
    return locked


# The merge confirmation's lines, in this order (UX: dangerous actions confirm with numbers);
# lines of the registered links go where their name stands, or after the contacts.
PLAN_ORDER = (
    "children",
    "contacts",
    "leads",
    "opportunities",
    "activities",
    "tasks",
    "comments",
    "team members",
)


def _counted(merged: Account) -> dict:
    """What the plan counts, by line: the rows that point at the duplicate."""
    ct = ContentType.objects.get_for_model(Account)
    rows = {
        "children": Account.objects.filter(parent=merged),
        "contacts": Contact.objects.filter(account=merged),
        **{
            link.plan: link.model._default_manager.filter(**{link.field: merged})
            for link in registry.links()
            if link.plan
        },
        "activities": Activity.objects.filter(account=merged),
        "tasks": Task.objects.filter(account=merged),
        "comments": Comment.objects.filter(content_type=ct, object_id=merged.pk),
        "team members": AccountTeamMember.objects.filter(account=merged),
    }
    rank = {name: i for i, name in enumerate(PLAN_ORDER)}
    return dict(sorted(rows.items(), key=lambda item: rank.get(item[0], 2)))


def merge_plan(merged: Account) -> dict[str, int]:
    """ACCT-DUP: how many rows of each kind the merge moves, in PLAN_ORDER."""
    return {name: qs.count() for name, qs in _counted(merged).items()}


def _lock_pair(survivor: Account, merged: Account) -> tuple[Account, Account]:
    """Both accounts under their row locks (in id order, so two merges never deadlock),
    refused unless both are live and the survivor is outside the duplicate's subtree."""
    if survivor.pk == merged.pk:
        raise ValidationError("ACCT-DUP: choose two different accounts.", code="ACCT-DUP")
    locked = {
        a.pk: a
        for a in Account.objects.select_for_update()
        .filter(pk__in=[survivor.pk, merged.pk])
        .order_by("pk")
    }
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    _live(survivor, "the surviving account")
    _live(merged, "the duplicate")
    if survivor.pk in hierarchy.subtree_ids(merged.pk):
        raise ValidationError(
            "ACCT-DUP: the surviving account sits under the duplicate in its "
            "hierarchy; move it out first or merge the other way round.",
            code="ACCT-DUP",
        )
    return survivor, merged


def _move_rows(survivor: Account, merged: Account, *, now) -> None:
    """Everything that points at the duplicate now points at the survivor."""
    ct = ContentType.objects.get_for_model(Account)
    Account.objects.filter(parent=merged).update(parent=survivor, updated_at=now)
    Contact.objects.filter(account=merged).update(account=survivor, updated_at=now)
    for link in registry.links():
        link.model._default_manager.filter(**{link.field: merged}).update(**{link.field: survivor})
    Activity.objects.filter(account=merged).update(account=survivor)
    Task.objects.filter(account=merged).update(account=survivor)
    Comment.objects.filter(content_type=ct, object_id=merged.pk).update(
        object_id=survivor.pk, record_url=survivor.get_absolute_url()
    )
    followers = set(
        Follow.objects.filter(content_type=ct, object_id=survivor.pk).values_list(
            "user_id", flat=True
        )
    )
    Follow.objects.filter(content_type=ct, object_id=merged.pk).exclude(
        user_id__in=followers
    ).update(object_id=survivor.pk)
    Follow.objects.filter(content_type=ct, object_id=merged.pk).delete()
    transfer_requests_follow(source=merged, target=survivor)
    on_team = set(
        AccountTeamMember.objects.filter(account=survivor).values_list("user_id", flat=True)
    )
    team = AccountTeamMember.objects.filter(account=merged)
    team.exclude(user_id__in=on_team).update(account=survivor)
    team.delete()  # the survivor already had these people
    Account.objects.filter(duplicate_of=merged).update(duplicate_of=survivor)


@transaction.atomic
def account_merge(*, survivor: Account, merged: Account, by, reason: str = "") -> Account:
    """ACCT-DUP: Sales Support merges `merged` into `survivor` — children, contacts, the
    registered links (leads' matched and converted account, opportunities, web orders),
    activities, tasks, comments, follows, transfer requests and team members move; the
    duplicate gets a tombstone and `merged_into` (its page redirects); both hierarchies are
    recomputed (ACCT-SEG / ACCT-CUSTOMER); contacts follow the survivor's owner
    (CONTACT-OWNER). Any refusal leaves everything as it was."""
    access.require(by, "account.merge", survivor, "ACCT-DUP: only Sales Support merges accounts.")
    survivor, merged = _lock_pair(survivor, merged)
    now = timezone.now()
    plan = merge_plan(merged)
    old_tree_root = merged.ultimate_parent_id
    _move_rows(survivor, merged, now=now)

    fields = ["merged_into", "parent", "ultimate_parent"]
    before, shown = history.snapshot(merged, fields), history.display_snapshot(merged, fields)
    merged.merged_into, merged.parent, merged.ultimate_parent = survivor, None, merged
    merged.save(update_fields=["merged_into", "parent", "ultimate_parent", *touch(merged, by)])
    note = f" — {reason.strip()}" if reason.strip() else ""
    history.record_changes(
        merged, before, shown, by=by, reason=f"ACCT-DUP: merged into {survivor.name}{note}"
    )
    ct = ContentType.objects.get_for_model(Account)
    Tombstone.objects.create(
        content_type=ct,
        object_id=merged.pk,
        reason=Tombstone.Reason.MERGED,
        redirect_content_type=ct,
        redirect_object_id=survivor.pk,
        processed_by=by,
        processed_at=now,
    )
    moved = ", ".join(f"{n} {label}" for label, n in plan.items() if n) or "nothing attached"
    history.related_change(
        survivor,
        "merged_account",
        f"{merged.name} (#{merged.pk})",
        by=by,
        at=now,
        reason=f"ACCT-DUP: merged {merged.name} into this account ({moved})"[:500] + note[:100],
    )
    survivor.save(update_fields=touch(survivor, by))
    hierarchy.recompute(
        [survivor.pk, old_tree_root if old_tree_root != merged.pk else None],
        by=by,
        reason="ACCT-DUP: hierarchy recomputed after a merge",
    )
    if survivor.contact_owner is not None:
        contacts_follow_owner(account=survivor, owner=survivor.contact_owner, by=by)
    comment_post(
        record=survivor,
        author=by,
        kind="system",
        topic="duplicate",
        body=f"{by.label} merged {merged.name} (#{merged.pk}) into this account: {moved}.",
    )
    survivor.refresh_from_db()
    return survivor
