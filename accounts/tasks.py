from celery import shared_task

from .bps import bps_daily as run


@shared_task(acks_late=True)
def bps_daily() -> dict:
    """AUTO-2 / AUTO-3: the daily BDR Prospecting Status reversions (idempotent)."""
    return run()
