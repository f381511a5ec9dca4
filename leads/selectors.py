from django.shortcuts import get_object_or_404

from gtm_portal.core.labels import select_labels
from gtm_portal.refdata.enums import Setting

from .models import Lead, RoutingDecision, ScoreEvent
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
