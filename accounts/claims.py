"""ACCT-CLAIM 1, 4, 5: claiming an adoptable lead, contact or account (a BDR claiming an
account without a BDR Assigned becomes that too); exactly one winner under concurrent claims
(row lock); every owner change in the history. ACCT-CLAIM 2, 3: transfer requests and their
decisions. Claims, requests and decisions refuse a record changed since the page showed it
(Q-CONC). CONTACT-OWNER: an account's contacts follow its BDR Assigned, else its owner
(set-based)."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gtm_portal.chatter.models import Notification
from gtm_portal.chatter.services import comment_post, notify
from gtm_portal.core import access, history
from gtm_portal.core.services import check_version, touch, touched
from gtm_portal.users import roles
from gtm_portal.users.models import User

from .enums import TransferState
from .models import Account, Contact, TransferRequest


class ClaimRefused(Exception):
    pass


is_adoptable = roles.is_adoptable


def _refusal(owner) -> str:
    if owner.is_queue:
        return (
            f"ACCT-CLAIM 1: records in the {owner.display_name} queue are not adoptable; "
            "that team works them."
        )
    return f"already claimed by {owner.username}"


@transaction.atomic
def record_claim(*, record, by, expected_version: int | None = None):
    """ACCT-CLAIM 1/4/5: an adoptable record becomes mine at once. Under concurrent claims the
    row lock lets one win; the others are told who has it ("already claimed by X") before any
    version check (Q-CONC), which then refuses a claim made from a stale page. A BDR (or BDR
    Manager) claiming an account without a BDR Assigned becomes its BDR Assigned too; the
    account's contacts follow (CONTACT-OWNER)."""
    access.require(by, "record.claim", record, "ROLE-3: only SDRs, BDRs and AEs claim records.")
    model = type(record)
    # No join in the locking read: after waiting for the lock PostgreSQL re-reads the row, but
    # a joined owner row would still be the one seen before the wait.
    locked = model.objects.select_for_update().get(pk=record.pk)
    owner = User.objects.filter(pk=locked.owner_id).first() if locked.owner_id else None
    if owner is not None and owner.pk == by.pk:
        raise ClaimRefused(f"already claimed by {by.username}")
    if not is_adoptable(owner) and not access.can(by, "queue.work", owner):
        raise ClaimRefused(_refusal(owner))  # ROLE-4: a queue's members take from its list
    check_version(locked, expected_version)
    fields = history.tracked_fields(model)
    before, shown = history.snapshot(locked, fields), history.display_snapshot(locked, fields)
    locked.owner = by
    changed = ["owner"]
    takes_bdr = (
        isinstance(locked, Account)
        and locked.bdr_assigned_id is None
        and by.has_role(roles.BDR, roles.BDR_MANAGER)
    )
    if takes_bdr:
        locked.bdr_assigned = by
        changed.append("bdr_assigned")
    locked.save(update_fields=[*changed, *touch(locked, by)])
    history.record_changes(
        locked, before, shown, by=by, reason=f"ACCT-CLAIM 1: claimed from {owner or 'nobody'}"
    )
    if isinstance(locked, Account):
        if before["bdr_assigned"] is None:
            contacts_follow_owner(account=locked, owner=by, by=by)
        if owner is not None and owner.is_queue and owner.display_name == roles.Q_SALES_ADMIN:
            notify(
                recipients=User.objects.filter(groups__name=roles.ACCOUNT_RESEARCH, is_active=True),
                reason=Notification.Reason.INFO,
                record=locked,
                actor=by,
                message=f"{by.label} claimed {locked.name} from Sales Admin.",
            )
    return locked


def contacts_follow_owner(*, account: Account, owner, by) -> int:
    """CONTACT-OWNER, set-based: the account's contacts owned by anyone else move to `owner`
    in one UPDATE (each a new version, Q-CONC), with a history row each written together
    (`history.bulk_changes`); the caller holds the account's row lock, so both statements
    see the same contacts."""
    others = Contact.objects.filter(account=account).filter(Q(owner__isnull=True) | ~Q(owner=owner))
    moving = list(others.values_list("pk", "owner_id"))
    if not moving:
        return 0
    now = timezone.now()
    history.bulk_changes(
        Contact,
        "owner",
        [(pk, old, owner) for pk, old in moving],
        by=by,
        reason=f"CONTACT-OWNER: {account.name} changed hands",
        at=now,
    )
    others.update(owner=owner, **touched(by, now))  # Q-CONC: forms opened before go stale
    return len(moving)


@transaction.atomic
def transfer_request(*, record, by, reason: str, expected_version: int | None = None):
    """ACCT-CLAIM 2: ask the owner for a record they own; a comment mentions them (and
    @sales-support for an AE's record, ACCT-CLAIM 3). The request is about the record as the
    requester saw it: a record changed since is refused (Q-CONC) and nothing is written."""
    access.require(by, "record.claim", record, "ROLE-3: only SDRs, BDRs and AEs ask for records.")
    locked = type(record).objects.select_for_update().get(pk=record.pk)
    check_version(locked, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("ACCT-CLAIM 2: say why you should own it.")
    owner = User.objects.filter(pk=locked.owner_id).first() if locked.owner_id else None
    if owner is None or owner.is_queue or owner.pk == by.pk:
        raise ValidationError(
            "ACCT-CLAIM 2: transfers are for records another person owns; "
            "claim adoptable records instead."
        )
    ct = ContentType.objects.get_for_model(type(locked))
    if TransferRequest.objects.filter(
        content_type=ct, object_id=locked.pk, requester=by, state=TransferState.PENDING
    ).exists():
        raise ValidationError("ACCT-CLAIM 2: your request is already waiting for a decision.")
    request = TransferRequest.objects.create(
        content_type=ct, object_id=locked.pk, requester=by, owner_at_request=owner, reason=reason
    )
    handles = f"@{owner.username}" + (" @sales-support" if owner.has_role(roles.AE) else "")
    comment_post(
        record=locked,
        author=None,
        kind="system",
        topic="transfer",
        body=f"{handles} {by.label} asks to take over: {reason}",
        notify_users=[owner],
        notify_reason=Notification.Reason.DECIDE,
    )
    return request


@transaction.atomic
def transfer_decide(
    *, request, by, approve: bool, reason: str = "", expected_version: int | None = None
):
    """ACCT-CLAIM 2: approve (the owner changes, with history) or decline with a reason; the
    requester is told either way. The decision is about the record as the decider saw it: a
    record changed since is refused (Q-CONC). A refusal changes nothing."""
    request = TransferRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != TransferState.PENDING:
        raise ValidationError("ACCT-CLAIM 2: this request was already decided.")
    model = request.content_type.model_class()
    record = model.objects.select_for_update().get(pk=request.object_id)
    access.require(
        by,
        "transfer.decide",
        request,
        "ACCT-CLAIM 2: only the owner or a manager above the owner decides "
        "(Sales Support too for an AE's record), never the requester.",
    )
    check_version(record, expected_version)
    if record.owner_id != request.owner_at_request_id:
        raise ValidationError(
            "ACCT-CLAIM 2: the record changed hands since the request; ask its new owner."
        )
    if not approve and not (reason or "").strip():
        raise ValidationError("ACCT-CLAIM 2: give the reason for declining.")
    now = timezone.now()
    request.state = TransferState.APPROVED if approve else TransferState.DECLINED
    request.decided_by, request.decided_at, request.decision_reason = by, now, reason or ""
    request.save(
        update_fields=["state", "decided_by", "decided_at", "decision_reason", "updated_at"]
    )
    if approve:
        fields = history.tracked_fields(model)
        before, shown = history.snapshot(record, fields), history.display_snapshot(record, fields)
        record.owner = request.requester
        record.save(update_fields=["owner", *touch(record, by)])
        history.record_changes(
            record,
            before,
            shown,
            by=by,
            reason=f"ACCT-CLAIM 2: transfer approved — {request.reason}",
        )
        if isinstance(record, Account) and record.bdr_assigned_id is None:
            contacts_follow_owner(account=record, owner=request.requester, by=by)
    verdict = "approved" if approve else f"declined: {reason}"
    comment_post(
        record=record,
        author=None,
        kind="system",
        topic="transfer",
        body=f"Transfer to {request.requester.label} {verdict} by {by.label}.",
    )
    notify(
        recipients=[request.requester],
        reason=Notification.Reason.DECIDED,
        record=record,
        actor=by,
        message=f"Your transfer request was {verdict}",
    )
    return request


def transfer_requests_follow(*, source, target) -> int:
    """ACCT-CLAIM 2 through a merge or conversion (ACCT-DUP, LEAD-MERGE-1, LEAD-CONVERT-1):
    the requests on `source` move to `target`, so a pending one can still be decided. A
    requester with a request already pending on `target` keeps that one; their pending
    request on `source` is cancelled, saying why (one pending request per requester and
    record). Set-based; returns how many moved."""
    src_ct = ContentType.objects.get_for_model(type(source))
    dst_ct = ContentType.objects.get_for_model(type(target))
    on_source = TransferRequest.objects.filter(content_type=src_ct, object_id=source.pk)
    waiting = TransferRequest.objects.filter(
        content_type=dst_ct, object_id=target.pk, state=TransferState.PENDING
    ).values("requester")
    on_source.filter(state=TransferState.PENDING, requester__in=waiting).update(
        state=TransferState.CANCELLED,
        decided_at=timezone.now(),
        updated_at=timezone.now(),
        decision_reason=f"Merged into #{target.pk}, where this person's request is pending.",
    )
    return on_source.update(content_type=dst_ct, object_id=target.pk, updated_at=timezone.now())
