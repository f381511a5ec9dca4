"""The scheduled jobs whose rules the leads app holds, or that span leads and accounts
(SPEC §10, CONTRACT 6.7); `hooks.register()` registers them. Each is one idempotent service
returning its counts with `changed`."""

import datetime

from django.utils import timezone

from accounts.bps import bps_run_reversions
from gtm_portal.jobs.registry import Daily, Every, Job, register

from .models import IntakeSubmission
from .services.automation import sla_breaches
from .services.compliance import purge_spam
from .services.dedupe import duplicate_suggestions
from .services.expiries import daily_expiries
from .services.hygiene import hygiene_flags

INTAKE_LOG_DAYS = 90
LOS_ANGELES = "America/Los_Angeles"


def bps_daily(*, now=None) -> dict:
    """AUTO-2: ACCT-BPS 3 / 4 reversions, then the hygiene flags."""
    moved = bps_run_reversions(now=now)
    flags = hygiene_flags(now=now)
    changed = moved["queued"] + moved["worked_in_fy"] + sum(flags.values())
    return {"changed": changed, **moved, **flags}


def spam_purge(*, now=None) -> dict:
    """AUTO-5 (LEAD-SPAM-1, LEAD-TEST)."""
    purged = purge_spam(now=now)
    return {"changed": purged, "purged": purged}


def intake_log_purge(*, now=None) -> dict:
    """The intake log keeps 90 days (INTAKE-2's replay window); older rows go."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=INTAKE_LOG_DAYS)
    deleted, _ = IntakeSubmission.objects.filter(received_at__lt=cutoff).delete()
    return {"changed": deleted, "deleted": deleted}


def register_jobs() -> None:
    register(
        Job(
            "sla_breaches",
            "AUTO-1",
            "SLA breaches told to owner and manager once (ROUTE-4); finished enrollments "
            "without a reply → Recycle (SEQ-2)",
            Every(5),
            sla_breaches,
        )
    )
    register(
        Job(
            "bps_daily",
            "AUTO-2",
            "Actively Working 10/15-day requirements and 30 days without sequence activity "
            "(ACCT-BPS 3/4); hygiene flags",
            Daily(5, 0),
            bps_daily,
        )
    )
    register(
        Job(
            "daily_expiries",
            "AUTO-4",
            "30-day opt-outs and active windows that ended; trial-expiry tasks",
            Daily(4, 30),
            daily_expiries,
        )
    )
    register(
        Job(
            "spam_purge",
            "AUTO-5",
            "SPAM DELETION members and test leads purged, tombstones kept",
            Daily(0, 5, LOS_ANGELES),
            spam_purge,
        )
    )
    register(
        Job(
            "duplicate_suggestions",
            "AUTO-6",
            "Duplicate-lead suggestions for Marketing Ops",
            Daily(6, 0, weekday=0),
            duplicate_suggestions,
        )
    )
    register(
        Job(
            "intake_log_purge",
            "INTAKE-2",
            "Intake log rows older than 90 days deleted",
            Daily(3, 0),
            intake_log_purge,
        )
    )
