"""ACCT-CLAIM 1, 4, 5: claiming an adoptable lead, contact or account; exactly one winner
under concurrent claims (row lock); every owner change in the history. CONTACT-OWNER: an
account's contacts follow its owner when it has no BDR Assigned (set-based)."""
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from gtm_portal.core import access, history
from gtm_portal.core.models import FieldChange
from gtm_portal.users import roles
from gtm_portal.users.models import User

from .models import Account, Contact


class ClaimRefused(Exception):
    pass


def is_adoptable(owner) -> bool:
    """ACCT-CLAIM 1: owned by Sales Admin, by the Inquiry Queue, or by nobody."""
    return owner is None or (owner.is_queue and owner.display_name in roles.ADOPTABLE_QUEUES)


def _refusal(owner) -> str:
    if owner.is_queue:
        return (f"ACCT-CLAIM 1: records in the {owner.display_name} queue are not adoptable; "
                "that team works them.")
    return f"already claimed by {owner.username}"


@transaction.atomic
def record_claim(*, record, by):
    access.require(by, "record.claim", record, "ROLE-3: only SDRs, BDRs and AEs claim records.")
    model = type(record)
    # No join in the locking read: after waiting for the lock PostgreSQL re-reads the row, but
    # a joined owner row would still be the one seen before the wait.
    locked = model.objects.select_for_update().get(pk=record.pk)
    owner = User.objects.filter(pk=locked.owner_id).first() if locked.owner_id else None
    if owner is not None and owner.pk == by.pk:
        raise ClaimRefused(f"already claimed by {by.username}")
    if not is_adoptable(owner):
        raise ClaimRefused(_refusal(owner))
    fields = history.tracked_fields(model)
    before, shown = history.snapshot(locked, fields), history.display_snapshot(locked, fields)
    locked.owner = by
    locked.version += 1
    locked.updated_by = by
    locked.save(update_fields=["owner", "version", "updated_by", "updated_at"])
    history.record_changes(locked, before, shown, by=by,
                           reason=f"ACCT-CLAIM 1: claimed from {owner or 'nobody'}")
    if isinstance(locked, Account):
        if locked.bdr_assigned_id is None:
            contacts_follow_owner(account=locked, owner=by, by=by)
        if owner is not None and owner.is_queue and owner.display_name == roles.Q_SALES_ADMIN:
            from gtm_portal.chatter.models import Notification
            from gtm_portal.chatter.services import notify

            notify(recipients=User.objects.filter(groups__name=roles.ACCOUNT_RESEARCH,
                                                  is_active=True),
                   reason=Notification.Reason.INFO, record=locked, actor=by,
                   message=f"{by.label} claimed {locked.name} from Sales Admin.")
    return locked


def contacts_follow_owner(*, account: Account, owner, by) -> int:
    """CONTACT-OWNER, set-based: one UPDATE for the contacts and one INSERT for their
    history rows, however many contacts the account has."""
    moving = list(Contact.objects.filter(account=account).exclude(owner=owner)
                  .values_list("pk", "owner__username", "owner__display_name", "owner__kind"))
    if not moving:
        return 0
    now = timezone.now()
    Contact.objects.filter(pk__in=[m[0] for m in moving]).update(owner=owner, updated_at=now)
    ct = ContentType.objects.get_for_model(Contact)
    FieldChange.objects.bulk_create([
        FieldChange(content_type=ct, object_id=pk, field="owner",
                    old_value=(display if kind == "queue" else username) or "",
                    new_value=owner.label, changed_by=by if getattr(by, "pk", None) else None,
                    changed_at=now, reason=f"CONTACT-OWNER: {account.name} changed hands")
        for pk, username, display, kind in moving], batch_size=5000)
    return len(moving)
