from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Contact
from gtm_portal.activity.models import QualificationNote
from gtm_portal.core import access
from gtm_portal.core.labels import select_labels

from .enums import OPEN_STAGES, Stage
from .enums import CreditRequestState as St
from .models import (
    ChecklistTick,
    LostDeal,
    LostDealFollower,
    Opportunity,
    OpportunityContactRole,
    SAOCreditRequest,
    StageChange,
    StageChecklistItem,
)
from .workflow import stale_cutoff


def opportunity_get_for_user_or_404(user, pk: int) -> Opportunity:
    return get_object_or_404(
        select_labels(
            Opportunity.objects,
            "owner",
            "sdr_bdr",
            "source",
            "merged_opportunity",
            "unqualified_reason",
            "resale_partner",
            "possible_duplicate_of",
            "updated_by",
            full=("account",),
        ),
        pk=pk,
    )


def open_opportunities_for_account(account, limit: int = 50):
    return list(
        select_labels(
            Opportunity.objects.filter(account=account, stage__in=OPEN_STAGES),
            "owner",
            fields=("name", "stage", "iacv", "close_date", "account", "owner"),
        ).order_by("close_date", "id")[:limit]
    )


def opportunity_names_since(account, since, limit: int = 10) -> list[str]:
    """ACCT-BPS 2: the account's opportunities created since `since`, newest first."""
    return list(
        Opportunity.objects.filter(account=account, created_at__gte=since)
        .order_by("-created_at")
        .values_list("name", flat=True)[:limit]
    )


def opportunity_contact_roles(opportunity):
    return list(
        OpportunityContactRole.objects.filter(opportunity=opportunity)
        .select_related("contact")
        .order_by("-is_primary", "id")
    )


def opportunity_stage_path(opportunity):
    """OPP-S3: the stage changes, each with the days spent in it."""
    changes = list(
        StageChange.objects.filter(opportunity=opportunity)
        .select_related("changed_by")
        .order_by("changed_at", "id")
    )
    now = timezone.now()
    path = []
    for i, change in enumerate(changes):
        end = changes[i + 1].changed_at if i + 1 < len(changes) else now
        path.append({"change": change, "days": max((end - change.changed_at).days, 0)})
    return path


def opportunity_stage_track(opportunity, path) -> list[dict]:
    """UX stage path: every stage of the way — 00 to 7-Closed Won, or the closed stage the
    opportunity ended in at the end instead — each `done` (with the days spent in it, OPP-S3),
    `current`, `skipped` (passed over) or `ahead`. `path`: `opportunity_stage_path`'s rows."""
    days: dict[str, int] = {}
    for step in path:
        stage = step["change"].to_stage
        days[stage] = days.get(stage, 0) + step["days"]
    ending = Stage.CLOSED_WON if opportunity.stage in OPEN_STAGES else opportunity.stage
    line = [*OPEN_STAGES, ending]
    at = line.index(opportunity.stage)
    track = []
    for i, stage in enumerate(line):
        if i == at:
            state = "current"
        elif i > at:
            state = "ahead"
        else:
            state = "done" if stage in days else "skipped"
        track.append({"stage": stage, "state": state, "days": days.get(stage)})
    return track


def ae_generated_kind(opportunity) -> str | None:
    """SAO-1: an AE-generated opportunity is "marketing assisted" when any contact on it has an
    initial source other than `AE Generated`, else "cold calling"."""
    if opportunity.sales_qualification_source != "AE Generated":
        return None
    sources = set(
        OpportunityContactRole.objects.filter(opportunity=opportunity).values_list(
            "contact__initial_source__name", flat=True
        )
    )
    return "marketing assisted" if sources - {"AE Generated"} else "cold calling"


def _managed_by(path: str, user):
    """`path` is someone `user` is a manager above (Q-SEC: `access.reports_of`, every
    level)."""
    return Q(**{f"{path}__in": access.reports_of(user)})


def sao_requests_to_decide(user, limit: int = 100):
    """SAO-WD 2/3: pending requests of my reports (any level below me), and disputes where
    either requester reports to me — never my own."""
    pending = Q(state=St.PENDING) & _managed_by("requester", user)
    disputes = Q(state=St.DISPUTED, disputes__isnull=False) & (
        _managed_by("requester", user) | _managed_by("disputes__requester", user)
    )
    rows = list(
        SAOCreditRequest.objects.filter(pending | disputes)
        .exclude(requester=user)
        .exclude(disputes__requester=user)
        .select_related(
            "opportunity__account",
            "opportunity__sdr_bdr",
            "requester__manager",
            "evidence__contact",
            "evidence__lead",
            "disputes__requester__manager",
            "disputes__evidence__contact",
            "disputes__evidence__lead",
        )
        .order_by("created_at", "id")
        .distinct()[:limit]
    )
    attach_evidence_notes(rows + [r.disputes for r in rows if r.disputes_id])
    return rows


def sao_requests_decidable(user, ids) -> dict:
    """SAO-WD 2, where a notification leads (inbox, opportunity page): the pending credit
    request on each of these opportunities that `user` (the requester's manager or above)
    may decide now — one query. Disputes stay on the approvals page (SAO-WD 3)."""
    rows = (
        SAOCreditRequest.objects.filter(
            Q(opportunity_id__in=ids, state=St.PENDING) & _managed_by("requester", user)
        )
        .exclude(requester=user)
        .select_related("requester", "opportunity")
        .distinct()
    )
    return {r.opportunity_id: r for r in rows}


def sao_pending_count(user) -> int:
    return (
        SAOCreditRequest.objects.filter(
            (Q(state=St.PENDING) & _managed_by("requester", user))
            | (
                Q(state=St.DISPUTED, disputes__isnull=False)
                & (_managed_by("requester", user) | _managed_by("disputes__requester", user))
            )
        )
        .exclude(requester=user)
        .exclude(disputes__requester=user)
        .order_by()
        .values("pk")
        .distinct()
        .count()
    )


def attach_evidence_notes(requests) -> None:
    """The qualification notes written for each request's evidence, for showing inline."""
    ids = {r.evidence_id for r in requests}
    notes: dict = {}
    for note in QualificationNote.objects.filter(activity_id__in=ids).order_by("written_at"):
        notes.setdefault(note.activity_id, []).append(note)
    for r in requests:
        r.evidence_notes = notes.get(r.evidence_id, [])


def sao_requests_for_opportunity(opportunity):
    return list(
        SAOCreditRequest.objects.filter(opportunity=opportunity)
        .select_related("requester", "decided_by", "evidence")
        .order_by("-created_at", "-id")
    )


def stale_opportunities_for(user, limit: int = 25):
    """OPP-STALE: opportunities in 0 whose next step date passed more than 48 hours ago,
    owned by me or by someone I am a manager above (any level, `access.reports_of`).

    The reporting line comes from the users snapshot, so the query is `owner IN (…)` on the
    (owner, stage) index: the manager-chain joins made PostgreSQL scan every pending
    opportunity for every home page (26 ms at 200,000 opportunities)."""
    return list(
        select_labels(
            Opportunity.objects.filter(
                owner_id__in=team_ids(user),
                stage=Stage.PENDING,
                next_step_date__lt=stale_cutoff(timezone.localdate()),
            ),
            "owner",
            fields=("name", "owner", "stage", "next_step", "next_step_date"),
        ).order_by("next_step_date", "id")[:limit]
    )


def team_ids(user) -> set[int]:
    """`user` and everyone `user` is a manager above (Q-SEC: `access.reports_of`)."""
    return {user.pk, *access.reports_of(user)}


def lost_deals_feed(limit: int = 100):
    return list(
        LostDeal.objects.select_related(
            "opportunity__account", "opportunity__owner", "closed_by"
        ).order_by("-occurred_at", "-id")[:limit]
    )


def follows_lost_deals(user) -> bool:
    return LostDealFollower.objects.filter(user=user).exists()


def account_contacts_to_add(opportunity, limit: int = 200):
    """Contact-role picker: the account's contacts not yet on the opportunity."""
    taken = OpportunityContactRole.objects.filter(opportunity=opportunity).values("contact_id")
    return list(
        Contact.objects.filter(account_id=opportunity.account_id, merged_into__isnull=True)
        .exclude(pk__in=taken)
        .order_by("last_name", "first_name", "id")
        .only("id", "first_name", "last_name", "email")[:limit]
    )


def stage_checklist(opportunity) -> list[dict]:
    """OPP-CHECKLIST: the current stage's items (reference data), each with its tick."""
    items = list(StageChecklistItem.objects.filter(stage=opportunity.stage, active=True))
    ticks = {
        t.item_id: t
        for t in ChecklistTick.objects.filter(
            opportunity=opportunity, item__in=items
        ).select_related("ticked_by")
    }
    return [{"item": i, "tick": ticks.get(i.pk)} for i in items]
