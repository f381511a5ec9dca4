from django.shortcuts import get_object_or_404

from .models import Lead, RoutingDecision, ScoreEvent


def lead_get_for_user_or_404(user, pk: int) -> Lead:
    return get_object_or_404(
        Lead.objects.select_related(
            "owner", "country", "region", "initial_source", "disqualify_reason",
            "matched_account", "converted_contact", "converted_account",
            "converted_opportunity", "updated_by", "merged_into",
        ),
        pk=pk,
    )


def lead_list_for_user(user):
    return Lead.objects.visible_to(user).select_related("owner", "initial_source")


def lead_score_events(lead, limit: int = 200):
    return list(ScoreEvent.objects.filter(lead=lead).select_related("activity")
                .order_by("-created_at", "-id")[:limit])


def lead_routing_log(lead, limit: int = 50):
    return list(RoutingDecision.objects.filter(lead=lead).select_related("owner", "pool")
                .order_by("-decided_at", "-id")[:limit])
