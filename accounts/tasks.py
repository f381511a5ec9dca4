from celery import shared_task

from gtm_portal.jobs import runner


@shared_task(acks_late=True)
def bps_daily() -> dict:
    """AUTO-2 (the scheduled run goes through `gtm_portal.jobs`; this name stays for callers
    that queue it directly)."""
    jobrun = runner.run("bps_daily")
    return jobrun.counts if jobrun else {}
