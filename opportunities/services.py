"""Opportunity writes. `opportunity_change_stage` is the one path for stage changes (the stage
form, the admin, imports and the API): it reads the facts under a row lock, asks
`workflow.check`, applies the stamps (OPP-S1/S2), keeps the stage history (OPP-S3) and the
field history, and notifies (OPP-V3). `opportunity_update` is the one path for the other
fields (the edit form and its inline editor). Every write locks the row first and checks the
version the user's form was opened at (Q-CONC)."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gtm_portal.activity.models import Activity
from gtm_portal.activity.services import task_create
from gtm_portal.chatter.models import Comment, Notification
from gtm_portal.chatter.services import comment_post, notify
from gtm_portal.core import access, history
from gtm_portal.core.meta import concrete_field
from gtm_portal.core.services import check_version, record_update, touch
from gtm_portal.users import roles
from gtm_portal.users.models import User

from . import workflow
from .enums import SalesQualificationSource, Stage
from .models import (
    ChecklistTick,
    LostDeal,
    LostDealFollower,
    Opportunity,
    OpportunityContactRole,
    StageChange,
    StageChecklistItem,
)

STAGE_FIELDS = (
    "unqualified_reason",
    "closed_lost_detail",
    "merged_opportunity",
    "closed_won_details",
    "po_expected",
)


def opportunity_facts(opp: Opportunity, to: str, *, data: dict, reasons, by) -> workflow.Facts:
    contact_roles = list(
        OpportunityContactRole.objects.filter(opportunity=opp).values_list(
            "contact_id", "is_bill_to", "is_sold_to"
        )
    )
    contact_ids = [c for c, _b, _s in contact_roles]
    two_way = (
        bool(contact_ids)
        and Activity.objects.filter(contact_id__in=contact_ids, two_way=True).exists()
    )
    merged = data.get("merged_opportunity", opp.merged_opportunity)
    same_tree = True
    if merged is not None:
        top = opp.account.ultimate_parent_id or opp.account_id
        other = merged.account
        same_tree = (other.ultimate_parent_id or other.pk) == top
    closed_days = None
    if opp.stage == Stage.CLOSED_LOST and opp.closed_at:
        closed_days = (timezone.now() - opp.closed_at).total_seconds() / 86400
    po = data.get("po_expected", opp.po_expected)
    return workflow.Facts(
        stage=opp.stage,
        to=to,
        order_type=opp.order_type,
        segment=opp.account.segment,
        iacv=opp.iacv,
        owner_id=opp.owner_id,
        sdr_bdr_id=opp.sdr_bdr_id,
        ever_pending=opp.stage == Stage.PENDING
        or StageChange.objects.filter(opportunity=opp, to_stage=Stage.PENDING).exists(),
        accepted=opp.sales_accepted_date is not None,
        sales_qualified=opp.sales_qualified,
        qualification_complete=opp.right_person_confirmed and bool(opp.business_problem.strip()),
        two_way_with_contact=two_way,
        bill_to=any(b for _c, b, _s in contact_roles),
        sold_to=any(s for _c, _b, s in contact_roles),
        po_answered=po is not None,
        closed_won_details=bool((data.get("closed_won_details") or opp.closed_won_details).strip()),
        closed_lost_reasons=tuple(r.name for r in reasons),
        closed_lost_detail=data.get("closed_lost_detail", opp.closed_lost_detail) or "",
        merged_opportunity=merged.pk if merged is not None else None,
        merged_is_self=merged is not None and merged.pk == opp.pk,
        merged_same_hierarchy=same_tree,
        unqualified_reason=(data.get("unqualified_reason") or opp.unqualified_reason) is not None,
        closed_days_ago=closed_days,
        support_override=access.can(by, "opportunity.force_stage", opp)
        and bool((data.get("reason") or "").strip()),
        terms_modification=opp.standard_terms_modification,
        edition=opp.edition,
        close_date=opp.close_date,
    )


def lock_opportunity(opportunity) -> Opportunity:
    """The opportunity's row under its lock, read afresh with its account, owner and SDR/BDR
    (PostgreSQL locks only the opportunity's row)."""
    Opportunity.objects.select_for_update().filter(pk=opportunity.pk).values("pk").get()
    return Opportunity.objects.select_related("account", "owner", "sdr_bdr").get(pk=opportunity.pk)


@transaction.atomic
def opportunity_change_stage(
    *,
    opportunity: Opportunity,
    to: str,
    by,
    data: dict | None = None,
    reasons=(),
    note: str = "",
    expected_version: int | None = None,
) -> Opportunity:
    """OPP-STAGES/V1-V12/S1-S3 (see the module docstring); ROLE-3 asked on the locked row;
    Q-CONC: `expected_version` is the version the stage form was opened at (StaleEdit when
    the opportunity changed since)."""
    data = dict(data or {})
    opp = lock_opportunity(opportunity)
    scope = access.opportunity_edit_scope(by, opp)
    if scope is None:
        raise PermissionDenied(
            "ROLE-3: only the owner, the owner's manager or Sales Support change the stage."
        )
    if scope == "qualification" and to != Stage.PENDING:
        raise PermissionDenied(
            "ROLE-3: the SDR/BDR can only send the opportunity to 0-Pending Acceptance."
        )
    check_version(opp, expected_version)
    facts = opportunity_facts(opp, to, data=data, reasons=reasons, by=by)
    result = workflow.check(facts)
    if not result.allowed:
        raise ValidationError([message for _rule, message in result.refusals], code=result.rules[0])
    fields = history.tracked_fields(Opportunity)
    before, shown = history.snapshot(opp, fields), history.display_snapshot(opp, fields)
    now = timezone.now()
    previous = opp.stage
    for name in STAGE_FIELDS:
        if name in data:
            setattr(opp, name, data[name])
    opp.stage = to
    opp.stage_changed_at = now
    if result.stamps.get("sales_accepted_date"):
        opp.sales_accepted_date = now
        opp.sales_qualification_source = qualification_source(opp.sdr_bdr)
    if result.stamps.get("sales_qualified"):
        opp.sales_qualified, opp.sales_qualified_date = True, now
        opp.initial_iacv = result.stamps["initial_iacv"]
    if to in (Stage.CLOSED_WON, Stage.CLOSED_LOST):
        opp.closed_at = now
    opp.save(update_fields=[*history.changed_fields(opp, before), *touch(opp, by)])
    if to == Stage.CLOSED_LOST:
        opp.closed_lost_reasons.set(reasons)
    StageChange.objects.create(
        opportunity=opp,
        from_stage=previous,
        to_stage=to,
        changed_by=by,
        changed_at=now,
        reason=(data.get("reason") or note)[:500],
    )
    history.record_changes(opp, before, shown, by=by, reason=f"stage {previous} → {to}")
    if workflow.notable_loss(
        to=to, opportunity_type=opp.type, segment=opp.account.segment, iacv=opp.iacv
    ):
        lost_deal_post(opportunity=opp, by=by, reasons=reasons, at=now)
    sdr_bdr = opp.sdr_bdr
    if to == Stage.UNQUALIFIED and sdr_bdr is not None and sdr_bdr.manager_id:
        notify(
            recipients=[sdr_bdr.manager_id],
            reason=Notification.Reason.INFO,
            record=opp,
            actor=by,
            message=f"OPP-V3: {opp.name} is unqualified ({opp.unqualified_reason}); hold a "
            f"feedback session with {sdr_bdr.label}.",
        )
    return opp


# Where the edit form shows a field rule's refusal.
RULE_FIELDS = {"OPP-V11": "standard_terms_modification", "OPP-V12": "close_date"}


@transaction.atomic
def opportunity_update(
    *,
    opportunity: Opportunity,
    by,
    data: dict,
    expected_version: int | None = None,
    reason: str = "",
) -> Opportunity:
    """Edit an opportunity's fields: the edit form and the record page's inline editor.

    ROLE-3, asked on the locked row: the owner, the owner's manager and Sales Support change
    every field of `workflow.EDIT_FIELDS`, the SDR/BDR the qualification fields until
    1-Discovery; a field outside the user's scope refuses the whole edit (PermissionDenied).
    OPP-V11/V12 hold as on every stage change; REF-3: an inactive source is never chosen anew;
    the resale partner is another company than the account. Q-CONC: `expected_version` is the
    version the form was opened at (StaleEdit). History rows through `record_update`."""
    opp = lock_opportunity(opportunity)
    allowed = workflow.editable_fields(access.opportunity_edit_scope(by, opp))
    outside = sorted(set(data) - set(allowed))
    if not allowed or outside:
        raise PermissionDenied(
            "ROLE-3: you may not edit "
            + (", ".join(outside) if allowed else "this opportunity")
            + " here."
        )
    check_version(opp, expected_version)
    errors = edit_refusals(opp, data)
    if errors:
        raise ValidationError(errors)
    return record_update(
        obj=opp, by=by, data=data, reason=reason, expected_version=expected_version
    )


@transaction.atomic
def opportunity_request_terms(*, opportunity: Opportunity, by, details: str) -> Opportunity:
    """OPP-V11: the owner (or their manager, or Sales Support) requests a standard-terms
    modification, saying which terms. Refused below IACV $25,000 or for Starter, nothing
    written; granted, the request is stamped on the opportunity (with history) and posted
    as a comment that tells Sales Support."""
    opp = lock_opportunity(opportunity)
    if access.opportunity_edit_scope(by, opp) != "all":
        raise PermissionDenied(
            "ROLE-3: only the owner, the owner's manager or Sales Support request "
            "standard-terms modifications."
        )
    text = (details or "").strip()
    if not text:
        raise ValidationError(
            {"details": "OPP-V11: say which standard terms should change and why."},
            code="OPP-V11",
        )
    refusal = workflow.terms_request_refusal(iacv=opp.iacv or Decimal(0), edition=opp.edition)
    if refusal:
        raise ValidationError({"details": f"OPP-V11: {refusal}"}, code="OPP-V11")
    if opp.standard_terms_modification:
        raise ValidationError(
            {"details": "OPP-V11: a standard-terms modification is already requested."},
            code="OPP-V11",
        )
    opp = record_update(
        obj=opp,
        by=by,
        data={"standard_terms_modification": True},
        reason=f"OPP-V11: standard-terms modification requested: {text}"[:500],
    )
    comment_post(
        record=opp,
        author=by,
        topic="terms",
        kind=Comment.Kind.SYSTEM,
        body=f"Standard-terms modification requested by {by.label}: {text}",
        notify_users=list(User.objects.queue(roles.Q_SALES_SUPPORT).queue_members.all()),
        notify_reason=Notification.Reason.DECIDE,
    )
    return opp


@transaction.atomic
def opportunity_checklist_save(*, opportunity: Opportunity, by, ticked: list[int]) -> list[int]:
    """OPP-CHECKLIST: store which of the current stage's items are done (ticked items kept,
    unticked ones cleared). It guides only: a stage change still asks every hard rule.
    Returns the ticked item ids."""
    opp = lock_opportunity(opportunity)
    if access.opportunity_edit_scope(by, opp) is None:
        raise PermissionDenied("ROLE-3: you may not edit this opportunity.")
    items = set(
        StageChecklistItem.objects.filter(stage=opp.stage, active=True).values_list("pk", flat=True)
    )
    wanted = set(ticked)
    if wanted - items:
        raise ValidationError(
            {"items": "OPP-CHECKLIST: tick only items of the opportunity's current stage."},
            code="OPP-CHECKLIST",
        )
    have = set(
        ChecklistTick.objects.filter(opportunity=opp, item_id__in=items).values_list(
            "item_id", flat=True
        )
    )
    ChecklistTick.objects.filter(opportunity=opp, item_id__in=have - wanted).delete()
    now = timezone.now()
    ChecklistTick.objects.bulk_create(
        [
            ChecklistTick(opportunity=opp, item_id=pk, ticked_by=by, ticked_at=now)
            for pk in sorted(wanted - have)
        ]
    )
    return sorted(wanted)


def edit_refusals(opp: Opportunity, data: dict) -> dict[str, ValidationError]:
    """What refuses `data` as an edit of `opp`, by field: OPP-V11/V12 on the values after the
    edit, REF-3 for a newly chosen inactive source, a resale partner that is the account
    itself (OPP-FIELDS). The edit service and the admin's change form ask it."""
    after = {
        name: data.get(name, getattr(opp, name))
        for name in ("standard_terms_modification", "iacv", "edition", "close_date")
    }
    errors = {
        RULE_FIELDS[rule]: ValidationError(f"{rule}: {message}", code=rule)
        for rule, message in workflow.field_refusals(
            terms_modification=after["standard_terms_modification"],
            iacv=after["iacv"] or Decimal(0),
            edition=after["edition"],
            close_date=after["close_date"],
        )
    }
    source = data.get("source")
    if source is not None and source.pk != opp.source_id and not source.active:
        errors["source"] = ValidationError(
            f"REF-3: {source} is no longer offered; choose an active source.", code="REF-3"
        )
    partner = data.get("resale_partner")
    account_id = data["account"].pk if data.get("account") else opp.account_id
    if partner is not None and partner.pk == account_id:
        errors["resale_partner"] = ValidationError(
            "OPP-FIELDS: the resale partner is another company than the opportunity's account.",
            code="OPP-FIELDS",
        )
    return errors


def qualification_source(sdr_bdr) -> str:
    """SAO-1: the sales qualification source follows the credited rep's role."""
    if sdr_bdr is None:
        return SalesQualificationSource.AE
    if sdr_bdr.has_role(roles.BDR, roles.BDR_MANAGER):
        return SalesQualificationSource.BDR
    if sdr_bdr.has_role(roles.SDR, roles.SDR_MANAGER):
        return SalesQualificationSource.SDR
    return SalesQualificationSource.AE


NEXT_ACTION_DAYS = 2


@transaction.atomic
def opportunity_create(
    *,
    name: str,
    account,
    owner,
    close_date,
    by=None,
    stage: str = Stage.PRE,
    stage_reason: str = "",
    next_action: str = "",
    next_action_due=None,
    contacts=(),
    **fields,
) -> Opportunity:
    """Create an opportunity (OPP-FIELDS) with its first stage-history row (OPP-S3) and
    OPP-TASK: a next-action task for its owner — `next_action` or the next step, due on
    `next_action_due`, the next step date, or in two days. A queue owner gets no task (nobody
    logs in as a queue). `contacts`: (contact, {"is_primary": True, …}) pairs. The one
    creation path for order intake and lead conversion."""
    now = timezone.now()
    opp = Opportunity(
        name=name,
        account=account,
        owner=owner,
        close_date=workflow.default_close_date(close_date, fields.get("trial_expiry")),  # type: ignore[misc]
        stage=stage,
        stage_changed_at=now,
        updated_by=by if by else None,
        **fields,
    )
    if stage in (Stage.CLOSED_WON, Stage.CLOSED_LOST):
        opp.closed_at = now
    opp.full_clean()
    opp.save()
    StageChange.objects.create(
        opportunity=opp,
        to_stage=stage,
        changed_by=by or None,
        changed_at=now,
        reason=stage_reason[:500],
    )
    if sum(bool(flags.get("is_primary")) for _c, flags in contacts) > 1:
        raise ValidationError(
            "OPP-FIELDS: an opportunity has one primary contact.", code="OPP-FIELDS"
        )
    OpportunityContactRole.objects.bulk_create(
        [
            OpportunityContactRole(opportunity=opp, contact=contact, **flags)
            for contact, flags in contacts
        ]
    )
    if not owner.is_queue:
        subject = (next_action or opp.next_step or f"Plan the next step for {opp.name}").strip()
        due = (
            next_action_due
            or opp.next_step_date
            or (timezone.localdate() + datetime.timedelta(days=NEXT_ACTION_DAYS))
        )
        task_create(
            owner=owner,
            by=by,
            opportunity=opp,
            subject=f"Next action: {subject}" if not next_action else subject,
            due_date=due,
        )
    return opp


def _lock_for_contact_roles(opportunity, by, expected_version) -> Opportunity:
    """ROLE-3 on the locked row (`by=None`: system callers such as lead conversion), then
    Q-CONC: the version the page was opened at."""
    opp = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if by is not None and access.opportunity_edit_scope(by, opp) != "all":
        raise PermissionDenied(
            "ROLE-3: only the owner, the owner's manager or Sales Support edit the contact roles."
        )
    check_version(opp, expected_version)
    return opp


ROLE_FLAGS = ("is_primary", "is_bill_to", "is_sold_to", "is_partner")


@transaction.atomic
def contact_role_add(
    *, opportunity: Opportunity, contact, by, expected_version: int | None = None, **flags
) -> OpportunityContactRole:
    """OPP-FIELDS contact roles: add a contact of the opportunity's account (`by=None` for
    system callers such as order intake); Q-CONC as every opportunity write."""
    opp = _lock_for_contact_roles(opportunity, by, expected_version)
    # LEAD-CONVERT-2: the reseller's person is a partner contact from the resale partner.
    reseller_partner = (
        flags.get("is_partner")
        and opp.resale_partner_id is not None
        and contact.account_id == opp.resale_partner_id
    )
    if contact.account_id != opp.account_id and not reseller_partner:
        raise ValidationError(
            {"contact": "OPP-FIELDS: choose a contact of the opportunity's account."},
            code="OPP-FIELDS",
        )
    if OpportunityContactRole.objects.filter(opportunity=opp, contact=contact).exists():
        raise ValidationError(
            {"contact": f"OPP-FIELDS: {contact} is already on the opportunity."}, code="OPP-FIELDS"
        )
    unknown = set(flags) - set(ROLE_FLAGS)
    if unknown:
        raise ValueError(f"unknown contact role flags {sorted(unknown)}")
    if flags.get("is_primary"):
        OpportunityContactRole.objects.filter(opportunity=opp).update(is_primary=False)
    role = OpportunityContactRole.objects.create(opportunity=opp, contact=contact, **flags)
    _roles_changed(opp, by, f"contact role: added {contact}")
    return role


@transaction.atomic
def contact_role_set(
    *, role: OpportunityContactRole, by, flag: str, value: bool, expected_version: int | None = None
) -> OpportunityContactRole:
    """Toggle primary / bill-to / sold-to / partner; only one primary per opportunity."""
    if flag not in ROLE_FLAGS:
        raise ValidationError(
            "OPP-FIELDS: the roles are primary, bill-to, sold-to and partner.", code="OPP-FIELDS"
        )
    opp = _lock_for_contact_roles(role.opportunity, by, expected_version)
    current = OpportunityContactRole.objects.select_related("contact").filter(pk=role.pk).first()
    if current is None:
        raise ValidationError(
            "OPP-FIELDS: this contact is no longer on the opportunity; reload it.",
            code="OPP-FIELDS",
        )
    role = current
    if flag == "is_primary" and value:
        (
            OpportunityContactRole.objects.filter(opportunity=opp)
            .exclude(pk=role.pk)
            .update(is_primary=False)
        )
    setattr(role, flag, value)
    role.save(update_fields=[flag])
    label = concrete_field(OpportunityContactRole, flag).verbose_name
    _roles_changed(opp, by, f"contact role: {role.contact} {label} {'on' if value else 'off'}")
    return role


@transaction.atomic
def contact_role_remove(
    *, role: OpportunityContactRole, by, expected_version: int | None = None
) -> None:
    opp = _lock_for_contact_roles(role.opportunity, by, expected_version)
    name = str(role.contact)
    role.delete()
    _roles_changed(opp, by, f"contact role: removed {name}")


def _roles_changed(opp: Opportunity, by, what: str) -> None:
    """Contact roles are rows of their own: the opportunity gets a new version (Q-CONC: a
    form opened before goes stale) and, for a person's change, a line in its history."""
    opp.save(update_fields=touch(opp, by))
    if by is not None:
        history.related_change(opp, "contact_roles", what, by=by, reason="Contact roles edited")


def lost_deal_post(*, opportunity: Opportunity, by, reasons=(), at=None):
    """OPP-NOTIFY: post the loss to the lost-deals feed and notify its followers."""
    names = ", ".join(str(r) for r in reasons)
    post = LostDeal.objects.create(
        opportunity=opportunity,
        closed_by=by if getattr(by, "pk", None) else None,
        occurred_at=at or timezone.now(),
        iacv=opportunity.iacv,
        segment=opportunity.account.segment,
        reasons=names[:500],
        detail=opportunity.closed_lost_detail,
    )
    followers = LostDealFollower.objects.values_list("user_id", flat=True)
    notify(
        recipients=list(followers),
        reason=Notification.Reason.INFO,
        record=opportunity,
        actor=by,
        message=f"OPP-NOTIFY lost deal: {opportunity.name} ({opportunity.account}, "
        f"{opportunity.account.segment}, IACV {opportunity.iacv:,.0f}) — "
        f"{names}",
    )
    return post


def lost_deals_follow(*, user, follow: bool) -> bool:
    """OPP-NOTIFY: any user follows or unfollows the lost-deals feed."""
    if not access.can(user, "record.read"):
        raise PermissionDenied("ROLE-2: log in to follow the lost-deals feed.")
    if follow:
        try:
            with transaction.atomic():
                LostDealFollower.objects.get_or_create(user=user)
        except IntegrityError:  # a concurrent follow won; same outcome
            pass
        return True
    LostDealFollower.objects.filter(user=user).delete()
    return False
