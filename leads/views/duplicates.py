"""AUTO-6: the weekly duplicate-lead suggestions, for Marketing Ops — each with "Merge"
(LEAD-MERGE-1's chooser for the pair) and "Not a duplicate" (remembered)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from gtm_portal.core import access
from gtm_portal.core.models import JobRun

from ..models import DuplicateSuggestion
from ..services.dedupe import (
    merge_survivor,
    open_suggestions,
    suggestion_dismiss,
    suggestion_merge,
)

PAGE_SIZE = 200


@require_GET
def duplicate_suggestions(request):
    access.require(request.user, "duplicates.review")
    qs = open_suggestions()
    rows = list(qs[:PAGE_SIZE])
    for row in rows:
        row.survivor = merge_survivor(row)
        row.merged_away = row.second if row.survivor is row.first else row.first
    return TemplateResponse(
        request,
        "leads/duplicate_suggestions.html",
        {
            "rows": rows,
            "total": qs.count(),
            "page_size": PAGE_SIZE,
            "dismissed": DuplicateSuggestion.objects.filter(
                state=DuplicateSuggestion.State.DISMISSED
            ).count(),
            "last_run": JobRun.objects.filter(name="duplicate_suggestions").first(),
            "merge_url": reverse("leads:merge"),
        },
    )


@require_POST
def duplicate_dismiss(request, pk: int):
    access.require(request.user, "duplicates.review")
    suggestion = get_object_or_404(DuplicateSuggestion, pk=pk)
    try:
        suggestion_dismiss(suggestion=suggestion, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{suggestion.first.name} and {suggestion.second.name}: not duplicates "
            "(remembered; never suggested again).",
        )
    return HttpResponseRedirect(reverse("leads:duplicate_suggestions"))


@require_POST
def duplicate_merge(request, pk: int):
    """AUTO-6: merge the pair in one click (the page states what will happen first)."""
    access.require(request.user, "duplicates.review")
    suggestion = get_object_or_404(DuplicateSuggestion, pk=pk)
    try:
        merged = suggestion_merge(suggestion=suggestion, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Merged into {merged.survivor.name} (LEAD-MERGE-1).")
    return HttpResponseRedirect(reverse("leads:duplicate_suggestions"))
