from django.core.management.base import BaseCommand

from accounts.bps import bps_daily


class Command(BaseCommand):
    help = (
        "AUTO-2 / AUTO-3 now: Actively Working accounts that missed ACCT-BPS 3 → Queued "
        "(BDR notified), 30 days without sequence activity → Worked in FY, and Worked in FY "
        "from before the fiscal-year start → Queued. Safe to run twice."
    )

    def handle(self, *args, **options):
        counts = bps_daily()
        self.stdout.write(", ".join(f"{k} {v}" for k, v in counts.items()))
