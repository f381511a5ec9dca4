from django.core.management.base import BaseCommand, CommandError

from gtm_portal.devtools.demo.campaigns import seed_campaigns
from gtm_portal.devtools.demo.generate import generate
from gtm_portal.devtools.demo.named import seed_named
from gtm_portal.devtools.demo.quotas import seed_report_data
from gtm_portal.users.models import User


class Command(BaseCommand):
    help = "The demo data set of CONTRACT 4 plus N generated records (idempotent named part)."

    def add_arguments(self, parser):
        parser.add_argument("--leads", type=int, default=500)
        parser.add_argument("--accounts", type=int, default=100)
        parser.add_argument("--opportunities", type=int, default=100)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, leads, accounts, opportunities, seed, **options):
        for name, value in (
            ("--leads", leads),
            ("--accounts", accounts),
            ("--opportunities", opportunities),
        ):
            if value < 0:
                raise CommandError(f"{name} must be zero or more")
        if not User.objects.queues().exists():
            raise CommandError("Run `manage.py load_reference_data` first.")
        seed_named()
        seed_campaigns()
        self.stdout.write("named demo data ready (password 'demo' for every user)")
        counts = generate(
            leads=leads,
            accounts=accounts,
            opportunities=opportunities,
            seed=seed,
            stdout=self.stdout,
        )
        counts.update(seed_report_data())
        for kind, n in counts.items():
            self.stdout.write(f"generated {n} {kind}")
