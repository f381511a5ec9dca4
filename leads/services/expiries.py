"""AUTO-4, daily: 30-day opt-outs that ended (LEAD-OPTOUT-1), active windows that ended
(LEAD-ACTIVE), and a trial-expiry task for the owner of each open trial opportunity whose
trial ends within a week (once per opportunity and expiry date, `JobMark`)."""

import datetime

from django.db import transaction
from django.utils import timezone

from gtm_portal.activity.services import task_create
from gtm_portal.jobs.runner import claimable, mark_once
from opportunities.enums import OPEN_STAGES
from opportunities.models import Opportunity

from .compliance import clear_ended_dates, end_opt_outs

TRIAL_NOTICE_DAYS = 7


def end_active_windows(*, today=None) -> int:
    """LEAD-ACTIVE: a window that ended is cleared (with history), so the record is no
    longer worked as active; idempotent."""
    return clear_ended_dates(
        "active_until", "AUTO-4 / LEAD-ACTIVE: the active window ended", today=today
    )


@transaction.atomic
def trial_expiry_tasks(*, today=None) -> int:
    today = today or timezone.localdate()
    opps = list(
        claimable(
            Opportunity.objects.filter(
                stage__in=OPEN_STAGES,
                trial_expiry__isnull=False,
                trial_expiry__gte=today,
                trial_expiry__lte=today + datetime.timedelta(days=TRIAL_NOTICE_DAYS),
                owner__isnull=False,
            )
        ).select_related("owner")
    )
    keys = {f"opportunity:{o.pk}:{o.trial_expiry.isoformat()}": o for o in opps}
    new = mark_once("trial_expiry", {k: o.pk for k, o in keys.items()})
    for key in sorted(new):
        opp = keys[key]
        task_create(
            owner=opp.owner,
            by=None,
            subject=f"Trial ends {opp.trial_expiry:%Y-%m-%d}: {opp.name} (AUTO-4)",
            due_date=opp.trial_expiry,
            opportunity=opp,
        )
    return len(new)


def daily_expiries(*, now=None) -> dict:
    """The `daily_expiries` job (AUTO-4)."""
    today = timezone.localdate(now) if now else None
    counts = {
        "opt_outs_ended": end_opt_outs(today=today),
        "active_windows_ended": end_active_windows(today=today),
        "trial_tasks": trial_expiry_tasks(today=today),
    }
    return {"changed": sum(counts.values()), **counts}
