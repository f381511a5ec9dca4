from celery import shared_task

from gtm_portal.jobs import runner

from . import hierarchy


@shared_task(acks_late=True)
def bps_daily() -> dict:
    """AUTO-2 (the scheduled run goes through `gtm_portal.jobs`; this name stays for callers
    that queue it directly)."""
    jobrun = runner.run("bps_daily")
    return jobrun.counts if jobrun else {}


@shared_task(acks_late=True)
def recompute_segments() -> int:
    """REF-2: a threshold change recomputes every account's segment (ACCT-SEG)."""
    return hierarchy.recompute_all()
