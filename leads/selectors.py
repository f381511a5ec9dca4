from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Contact
from gtm_portal.core import access
from gtm_portal.core.enums import OPEN_PERSON_STATUSES
from gtm_portal.core.labels import select_labels
from gtm_portal.refdata.enums import Setting
from opportunities.models import Opportunity, OpportunityContactRole

from .models import Campaign, CampaignMember, Lead, RoutingDecision, ScoreEvent
from .rule_context import cached, setting


def lead_get_for_user_or_404(user, pk: int) -> Lead:
    return get_object_or_404(
        select_labels(
            Lead.objects,
            "owner",
            "country",
            "region",
            "initial_source",
            "disqualify_reason",
            "matched_account",
            "converted_contact",
            "converted_account",
            "converted_opportunity",
            "updated_by",
            "merged_into",
        ),
        pk=pk,
    )


def lead_list_for_user(user, fields=None):
    return select_labels(Lead.objects.visible_to(user), "owner", "initial_source", fields=fields)


def score_tab(person) -> dict:
    """LEAD-SCORE-1 breakdown for a lead or contact (the record page's Score tab)."""

    threshold = cached("mql_threshold", lambda: setting(Setting.MQL_THRESHOLD))
    link = {"contact" if person._meta.model_name == "contact" else "lead": person}
    events = list(
        ScoreEvent.objects.filter(**link)
        .select_related("activity")
        .order_by("-created_at", "-id")[:200]
    )
    previous = None
    for event in reversed(events):
        before = previous.score_after if previous is not None else event.score_after - event.points
        event.mql_moment = before < threshold <= event.score_after
        previous = event
    return {"score_events": events, "mql_threshold": threshold}


def routing_tab(person) -> dict:
    link = {"contact" if person._meta.model_name == "contact" else "lead": person}
    return {
        "routing_log": list(
            RoutingDecision.objects.filter(**link)
            .select_related("owner", "pool")
            .order_by("-decided_at", "-id")[:50]
        )
    }


def campaign_list():
    """CAMP-1 campaigns with their member and responder counts (CONTRACT 6.5)."""
    return Campaign.objects.annotate(
        n_members=Count("members"),
        n_responded=Count("members", filter=Q(members__status__responded=True)),
    ).order_by("-start_date", "name")


def campaign_members(campaign: Campaign):
    return CampaignMember.objects.filter(campaign=campaign).select_related(
        "status", "lead", "lead__owner", "contact", "contact__owner"
    )


def member_pipeline(members) -> dict[tuple[str, int], Decimal]:
    """Influenced pipeline per member: the IACV of the opportunities a member contact has a
    role on, or a member lead was converted into (CAMP-1, CONTRACT 6.5)."""
    contact_ids = [m.contact_id for m in members if m.contact_id]
    lead_opps = {m.lead_id: m.lead.converted_opportunity_id for m in members if m.lead_id}
    out: dict[tuple[str, int], Decimal] = {}
    rows = (
        OpportunityContactRole.objects.filter(contact_id__in=contact_ids)
        .values("contact_id")
        .annotate(total=Sum("opportunity__iacv"))
    )
    for row in rows:
        out[("contact", row["contact_id"])] = row["total"] or Decimal(0)
    iacv = dict(
        Opportunity.objects.filter(pk__in=[o for o in lead_opps.values() if o]).values_list(
            "pk", "iacv"
        )
    )
    for lead_id, opp_id in lead_opps.items():
        if opp_id in iacv:
            out[("lead", lead_id)] = iacv[opp_id]
    return out


def campaign_stats(campaign: Campaign) -> dict:
    """Members, responders, members who reached MQL, influenced pipeline (each opportunity
    once) and pipe-to-spend (pipeline ÷ cost)."""
    members = CampaignMember.objects.filter(campaign=campaign)
    mql = Q(lead__mql_count__gt=0) | Q(contact__mql_count__gt=0)
    counts = members.aggregate(
        members=Count("id"),
        responded=Count("id", filter=Q(status__responded=True)),
        mql=Count("id", filter=mql),
    )
    opps = Opportunity.objects.filter(
        Q(contact_roles__contact__in=members.filter(contact__isnull=False).values("contact"))
        | Q(pk__in=members.filter(lead__isnull=False).values("lead__converted_opportunity"))
    ).distinct()
    pipeline = Opportunity.objects.filter(pk__in=opps.values("pk")).aggregate(t=Sum("iacv"))[
        "t"
    ] or Decimal(0)
    ratio = (pipeline / campaign.cost) if campaign.cost else None
    return {**counts, "pipeline": pipeline, "pipe_to_spend": ratio}


SLA_PANEL_ROWS = 20


def _sla_passed(owner_ids, now) -> list:
    """Open, untouched leads and contacts of `owner_ids` whose SLA deadline has passed
    (ROUTE-4), the oldest deadline first."""
    rows = []
    for model in (Lead, Contact):
        qs = model.objects.filter(
            owner_id__in=owner_ids,
            status__in=OPEN_PERSON_STATUSES,
            first_touch_at__isnull=True,
            sla_due__lt=now,
            merged_into__isnull=True,
        )
        if model is Lead:
            qs = qs.filter(converted_at__isnull=True)
        rows += list(qs.select_related("owner").order_by("sla_due", "pk")[:SLA_PANEL_ROWS])
    return sorted(rows, key=lambda p: p.sla_due)[:SLA_PANEL_ROWS]


def sla_passed_panel(user) -> dict | None:
    """ROUTE-4 on the home page: the SLA deadlines that passed on my people and, for a
    manager, on my team's."""
    if not user.is_authenticated or user.is_queue:
        return None
    now = timezone.now()
    mine = _sla_passed([user.pk], now)
    team_ids = sorted(access.reports_of(user))  # Q-SEC: the one "manager above"
    team = _sla_passed(team_ids, now) if team_ids else []
    if not mine and not team:
        return None
    return {"mine": mine, "team": team, "count": len(mine) + len(team)}
