"""Opportunity writes. `opportunity_change_stage` is the one path for stage changes (the stage
form, the admin, imports and the API): it reads the facts under a row lock, asks
`workflow.check`, applies the stamps (OPP-S1/S2), keeps the stage history (OPP-S3) and the
field history, and notifies (OPP-V3)."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from gtm_portal.activity.models import Activity
from gtm_portal.core import access, history

from . import workflow
from .enums import Stage
from .models import Opportunity, OpportunityContactRole, StageChange

STAGE_FIELDS = ("unqualified_reason", "closed_lost_detail", "merged_opportunity",
                "closed_won_details", "po_expected")


def opportunity_facts(opp: Opportunity, to: str, *, data: dict, reasons, by) -> workflow.Facts:
    roles = list(OpportunityContactRole.objects.filter(opportunity=opp)
                 .values_list("contact_id", "is_bill_to", "is_sold_to"))
    contact_ids = [c for c, _b, _s in roles]
    two_way = bool(contact_ids) and Activity.objects.filter(
        contact_id__in=contact_ids, two_way=True).exists()
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
        stage=opp.stage, to=to, order_type=opp.order_type, segment=opp.account.segment,
        iacv=opp.iacv, owner_id=opp.owner_id, sdr_bdr_id=opp.sdr_bdr_id,
        ever_pending=opp.stage == Stage.PENDING or StageChange.objects.filter(
            opportunity=opp, to_stage=Stage.PENDING).exists(),
        accepted=opp.sales_accepted_date is not None, sales_qualified=opp.sales_qualified,
        qualification_complete=opp.right_person_confirmed and bool(opp.business_problem.strip()),
        two_way_with_contact=two_way, bill_to=any(b for _c, b, _s in roles),
        sold_to=any(s for _c, _b, s in roles), po_answered=po is not None,
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
        terms_modification=opp.standard_terms_modification, edition=opp.edition,
        close_date=opp.close_date)


@transaction.atomic
def opportunity_change_stage(*, opportunity: Opportunity, to: str, by, data: dict | None = None,
                             reasons=(), note: str = "") -> Opportunity:
    data = dict(data or {})
    scope = access.opportunity_edit_scope(by, opportunity)
    if scope is None:
        raise PermissionDenied("ROLE-3: only the owner, the owner's manager or Sales Support "
                               "change the stage.")
    if scope == "qualification" and to != Stage.PENDING:
        raise PermissionDenied("ROLE-3: the SDR/BDR can only send the opportunity to "
                               "0-Pending Acceptance.")
    Opportunity.objects.select_for_update().filter(pk=opportunity.pk).values("pk").get()
    opp = Opportunity.objects.select_related("account", "owner", "sdr_bdr").get(pk=opportunity.pk)
    facts = opportunity_facts(opp, to, data=data, reasons=reasons, by=by)
    result = workflow.check(facts)
    if not result.allowed:
        raise ValidationError([message for _rule, message in result.refusals],
                              code=result.rules[0])
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
    opp.version += 1
    opp.updated_by = by
    opp.save()
    if to == Stage.CLOSED_LOST:
        opp.closed_lost_reasons.set(reasons)
    StageChange.objects.create(opportunity=opp, from_stage=previous, to_stage=to, changed_by=by,
                               changed_at=now, reason=(data.get("reason") or note)[:500])
    history.record_changes(opp, before, shown, by=by, reason=f"stage {previous} → {to}")
    if to == Stage.UNQUALIFIED and opp.sdr_bdr_id and opp.sdr_bdr.manager_id:
        from gtm_portal.chatter.models import Notification
        from gtm_portal.chatter.services import notify

        notify(recipients=[opp.sdr_bdr.manager_id], reason=Notification.Reason.INFO,
               record=opp, actor=by,
               message=f"OPP-V3: {opp.name} is unqualified ({opp.unqualified_reason}); hold a "
                       f"feedback session with {opp.sdr_bdr.label}.")
    return opp


def qualification_source(sdr_bdr) -> str:
    """SAO-1: the sales qualification source follows the credited rep's role."""
    from gtm_portal.users import roles

    from .enums import SalesQualificationSource as Q

    if sdr_bdr is None:
        return Q.AE
    if sdr_bdr.has_role(roles.BDR, roles.BDR_MANAGER):
        return Q.BDR
    if sdr_bdr.has_role(roles.SDR, roles.SDR_MANAGER):
        return Q.SDR
    return Q.AE
