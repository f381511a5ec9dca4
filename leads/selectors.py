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


def lead_score_events(lead, threshold: int, limit: int = 200):
    """LEAD-SCORE-1 breakdown, newest first; the event that took the score across the MQL
    threshold is marked `mql_moment` ("why is this an MQL")."""
    events = list(ScoreEvent.objects.filter(lead=lead).select_related("activity")
                  .order_by("-created_at", "-id")[:limit])
    previous = None
    for event in reversed(events):
        before = previous.score_after if previous is not None else event.score_after - event.points
        event.mql_moment = before < threshold <= event.score_after
        previous = event
    return events


def lead_routing_log(lead, limit: int = 50):
    return list(RoutingDecision.objects.filter(lead=lead).select_related("owner", "pool")
                .order_by("-decided_at", "-id")[:limit])
