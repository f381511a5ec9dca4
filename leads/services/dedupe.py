"""AUTO-6, weekly: duplicate-lead suggestions for Marketing Ops — live leads with the same
e-mail (any case), or the same first + last name (any case) and normalised company
(LEAD-DUP-1's matching). "Merge" opens LEAD-MERGE-1's chooser for the pair; a merged
pair leaves the list at once and is marked merged by the next run. Each lead is paired with the oldest lead of its group; a pair is
stored once, ever, so a dismissed pair ("not a duplicate") is never suggested again."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.matching import normalize_company
from gtm_portal.core import access

from ..models import DuplicateSuggestion, Lead
from .merge import load_records, merge_people, oldest_record

R = DuplicateSuggestion.Reason


def _live():
    return Lead.objects.filter(merged_into__isnull=True, converted_at__isnull=True).exclude(
        title="Test"
    )


def _email_groups() -> list[list[int]]:
    dupes = (
        _live()
        .exclude(email="")
        .annotate(e=Lower("email"))
        .values("e")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("e", flat=True)
    )
    groups = defaultdict(list)
    rows = _live().annotate(e=Lower("email")).filter(e__in=dupes).order_by("pk")
    for pk, e in rows.values_list("pk", "e"):
        groups[e].append(pk)
    return list(groups.values())


def _name_company_groups() -> list[list[int]]:
    names = (
        _live()
        .exclude(last_name="")
        .annotate(fn=Lower("first_name"), ln=Lower("last_name"))
        .values("fn", "ln")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    groups = defaultdict(list)
    for name in names.iterator():
        rows = (
            _live()
            .annotate(fn=Lower("first_name"), ln=Lower("last_name"))
            .filter(fn=name["fn"], ln=name["ln"])
            .order_by("pk")
        )
        for pk, company in rows.values_list("pk", "company"):
            key = normalize_company(company)
            if key:
                groups[(name["fn"], name["ln"], key)].append(pk)
    return [g for g in groups.values() if len(g) > 1]


def _pairs() -> dict[tuple[int, int], str]:
    pairs: dict[tuple[int, int], str] = {}
    for reason, groups in ((R.EMAIL, _email_groups()), (R.NAME_COMPANY, _name_company_groups())):
        for group in groups:
            oldest = group[0]
            for pk in group[1:]:
                pairs.setdefault((oldest, pk), reason)
    return pairs


def duplicate_suggestions(*, now=None) -> dict:
    """The `duplicate_suggestions` job: store the pairs never suggested before."""
    now = now or timezone.now()
    found = _pairs()
    known = set(DuplicateSuggestion.objects.values_list("first_id", "second_id"))
    new = [
        DuplicateSuggestion(first_id=a, second_id=b, reason=reason, found_at=now)
        for (a, b), reason in sorted(found.items())
        if (a, b) not in known
    ]
    with transaction.atomic():
        created = DuplicateSuggestion.objects.bulk_create(
            new, batch_size=2000, ignore_conflicts=True
        )
        # Suggestions whose leads were merged meanwhile (by hand or from the page) are done.
        merged = (
            DuplicateSuggestion.objects.filter(state=DuplicateSuggestion.State.OPEN)
            .exclude(first__merged_into__isnull=True, second__merged_into__isnull=True)
            .update(state=DuplicateSuggestion.State.MERGED, decided_at=now)
        )
    return {"changed": len(created) + merged, "suggested": len(created), "resolved": merged}


def open_suggestions():
    return (
        DuplicateSuggestion.objects.filter(
            state=DuplicateSuggestion.State.OPEN,
            first__merged_into__isnull=True,
            second__merged_into__isnull=True,
        )
        .select_related("first", "second", "first__owner", "second__owner")
        .order_by("-found_at", "pk")
    )


def _open_for_decision(suggestion: DuplicateSuggestion, by) -> DuplicateSuggestion:
    """AUTO-6: the suggestion, locked, for a reviewer; refused when it is already decided."""
    access.require(by, "duplicates.review")
    row = DuplicateSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if row.state != DuplicateSuggestion.State.OPEN:
        raise ValidationError(f"AUTO-6: this suggestion is already {row.get_state_display()}.")
    return row


def _decide(row: DuplicateSuggestion, state, by) -> None:
    row.state, row.decided_by, row.decided_at = state, by, timezone.now()
    row.save(update_fields=["state", "decided_by", "decided_at"])


@transaction.atomic
def suggestion_dismiss(*, suggestion: DuplicateSuggestion, by) -> DuplicateSuggestion:
    """AUTO-6 "not a duplicate": remembered, never suggested again."""
    row = _open_for_decision(suggestion, by)
    _decide(row, DuplicateSuggestion.State.DISMISSED, by)
    return row


def merge_survivor(suggestion: DuplicateSuggestion) -> Lead:
    """AUTO-6's one-click merge keeps the older lead (LEAD-MERGE-1: the oldest record's
    initial source and created date win; its values where both have one)."""
    return oldest_record([suggestion.first, suggestion.second])


@transaction.atomic
def suggestion_merge(*, suggestion: DuplicateSuggestion, by):
    """AUTO-6 "merge" in one click, through the one merge service (LEAD-MERGE-1): the older
    lead survives, each field keeps the survivor's value (else the other's), the other lead
    becomes a tombstone that redirects to it. Refused, changing nothing, when the
    suggestion is decided or `by` may not edit both leads."""
    row = _open_for_decision(suggestion, by)
    records = load_records([row.first_id, row.second_id])
    merged = merge_people(records=records, survivor_pk=merge_survivor(row).pk, picks={}, by=by)
    _decide(row, DuplicateSuggestion.State.MERGED, by)
    return merged
