from django.shortcuts import get_object_or_404

from .enums import OPEN_STAGES
from .models import Opportunity, OpportunityContactRole, StageChange


def opportunity_get_for_user_or_404(user, pk: int) -> Opportunity:
    return get_object_or_404(
        Opportunity.objects.select_related(
            "account", "owner", "sdr_bdr", "source", "merged_opportunity", "unqualified_reason",
            "resale_partner", "possible_duplicate_of", "updated_by",
        ),
        pk=pk,
    )


def opportunity_list_for_user(user):
    return Opportunity.objects.select_related("account", "owner", "sdr_bdr")


def open_opportunities_for_account(account, limit: int = 50):
    return list(Opportunity.objects.filter(account=account, stage__in=OPEN_STAGES)
                .select_related("owner").order_by("close_date", "id")[:limit])


def opportunity_contact_roles(opportunity):
    return list(OpportunityContactRole.objects.filter(opportunity=opportunity)
                .select_related("contact").order_by("-is_primary", "id"))


def opportunity_stage_path(opportunity):
    """OPP-S3: the stage changes, each with the days spent in it."""
    from django.utils import timezone

    changes = list(StageChange.objects.filter(opportunity=opportunity)
                   .select_related("changed_by").order_by("changed_at", "id"))
    now = timezone.now()
    path = []
    for i, change in enumerate(changes):
        end = changes[i + 1].changed_at if i + 1 < len(changes) else now
        path.append({"change": change, "days": max((end - change.changed_at).days, 0)})
    return path


def ae_generated_kind(opportunity) -> str | None:
    """SAO-1: an AE-generated opportunity is "marketing assisted" when any contact on it has an
    initial source other than `AE Generated`, else "cold calling"."""
    if opportunity.sales_qualification_source != "AE Generated":
        return None
    sources = set(OpportunityContactRole.objects.filter(opportunity=opportunity)
                  .values_list("contact__initial_source__name", flat=True))
    return "marketing assisted" if sources - {"AE Generated"} else "cold calling"
