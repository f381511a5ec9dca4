from django.core.management.base import BaseCommand

from leads.services.reference import load_reference_data


class Command(BaseCommand):
    help = (
        "Load regions, countries, segments, initial sources, scoring rules, thresholds, pools, "
        "queues, groups, reasons, PubSec words and free domains. Idempotent; never "
        "overwrites an admin's later edits (CONTRACT 3)."
    )

    def handle(self, *args, **options):
        created = load_reference_data()
        if not created:
            self.stdout.write("Reference data already loaded; nothing to create.")
            return
        for kind, n in sorted(created.items()):
            self.stdout.write(f"created {n} {kind}")
