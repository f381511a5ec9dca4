"""CAMP-1: campaign membership. One service adds or changes a member — from the campaign
page, a record page, a view's mass action and list imports — and applies the campaign's
rule (`leads.workflow.campaign_join`): Raw → Inquiry on a responded status (not for e-mail
campaigns), hot and the BDR Assigned in a high-priority campaign."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Contact
from gtm_portal.chatter.models import Notification
from gtm_portal.chatter.services import notify
from gtm_portal.core import access, history
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.users.models import User

from .. import workflow
from ..models import Campaign, CampaignMember, CampaignMemberStatus, RoutingDecision
from .person_rows import lock_person, person_link, save_person

RULE = "CAMP-1"


def person_account(person):
    """The account a person belongs to: a contact's account, a lead's matched account."""
    return person.account if isinstance(person, Contact) else person.matched_account


def status_for(campaign: Campaign, name: str = "") -> CampaignMemberStatus:
    """The campaign's member status called `name` (any case); without a name the first
    responded status, else the first one."""
    statuses = list(campaign.statuses.order_by("id"))
    if name:
        for status in statuses:
            if status.name.lower() == name.strip().lower():
                return status
        raise ValidationError(
            {
                "status": f"{RULE}: {campaign.name} has no member status {name!r}; choose one of "
                + ", ".join(s.name for s in statuses)
                + "."
            },
            code=RULE,
        )
    for status in statuses:
        if status.responded:
            return status
    if not statuses:
        raise ValidationError(
            {"status": f"{RULE}: {campaign.name} has no member statuses yet."}, code=RULE
        )
    return statuses[0]


def join_effects(campaign: Campaign, status: CampaignMemberStatus, person, account):
    """What CAMP-1 does to `person` joining `campaign` with `status` (pure rule, read here
    from the rows)."""
    return workflow.campaign_join(
        campaign_type=campaign.type,
        high_priority=campaign.high_priority,
        responded=status.responded,
        person_status=person.status,
        account_bps=account.bdr_prospecting_status if account is not None else None,
        bdr_assigned_id=account.bdr_assigned_id if account is not None else None,
    )


@transaction.atomic
def campaign_member_set(
    *, campaign: Campaign, person, status: CampaignMemberStatus, by, check_access: bool = True
) -> tuple[CampaignMember, bool]:
    """CAMP-1: add `person` (a lead or contact) to `campaign` with `status`, or change the
    status of its membership; then apply the campaign's rule. Returns (member, created).
    Refused: the status of another campaign, a user who may not edit the person (ROLE-3)."""
    if status.campaign_id != campaign.pk:
        raise ValidationError({"status": f"{RULE}: that status belongs to another campaign."})
    person = lock_person(person)
    if check_access:
        access.require(by, "person.edit", person)
    link = person_link(person)
    member = CampaignMember.objects.select_for_update().filter(campaign=campaign, **link).first()
    created = member is None
    if member is None:
        member = CampaignMember.objects.create(campaign=campaign, status=status, **link)
        history.related_change(
            person, "campaign", f"joined {campaign.name} as {status.name}", by=by, reason=RULE
        )
    elif member.status_id != status.pk:
        old = member.status.name
        member.status = status
        member.save(update_fields=["status", "updated_at"])
        history.related_change(
            person, "campaign", f"{campaign.name}: {old} → {status.name}", by=by, reason=RULE
        )
    apply_join_rule(campaign=campaign, status=status, person=person, by=by)
    return member, created


def apply_join_rule(*, campaign: Campaign, status: CampaignMemberStatus, person, by) -> list[str]:
    """CAMP-1 on a locked person that just joined (or changed status): the status move and
    the high-priority assignment, with history, a routing-log row and the BDR told. Returns
    the fields it changed."""
    account = person_account(person)
    effect = join_effects(campaign, status, person, account)
    fields = history.tracked_fields(type(person))
    before, shown = history.snapshot(person, fields), history.display_snapshot(person, fields)
    changed, why = [], []
    if effect.to_inquiry:
        workflow.check_move(person.status, S.INQUIRY, via=workflow.Via.SYSTEM)
        person.status = S.INQUIRY
        changed.append("status")
        why.append(f"LEAD-STATUS 1: Raw → Inquiry (responded to {campaign.name})")
    owner = None
    if effect.hot_owner_id is not None:
        if not person.is_hot:
            person.is_hot = True
            changed.append("is_hot")
        if person.owner_id != effect.hot_owner_id:
            owner = User.objects.get(pk=effect.hot_owner_id)
            person.owner = owner
            changed.append("owner")
        why.append(
            f"{RULE}: high-priority campaign {campaign.name}, {account.name} is Actively Working"
        )
    if not changed:
        return []
    save_person(person, before, shown, by=by, reason="; ".join(why), fields=changed)
    if owner is not None:
        RoutingDecision.objects.create(
            **person_link(person),
            rule=RULE,
            owner=owner,
            trigger=f"high-priority campaign {campaign.name}",
            explanation=[why[-1], f"Assigned to the BDR Assigned {owner.label}"],
            decided_at=timezone.now(),
            decided_by=by if getattr(by, "pk", None) else None,
        )
        notify(
            recipients=[owner],
            reason=Notification.Reason.ROUTED,
            record=person,
            actor=by if getattr(by, "pk", None) else None,
            message=f"Hot: a member of the high-priority campaign {campaign.name}",
        )
    return changed
