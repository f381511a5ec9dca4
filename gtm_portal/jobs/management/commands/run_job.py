"""CONTRACT 6.7: `manage.py run_job NAME` runs one job now; its last line is
`NAME: N changed` (a second run at once: `NAME: 0 changed`)."""

from django.core.management.base import BaseCommand, CommandError

from gtm_portal.jobs import runner


class Command(BaseCommand):
    help = "Run one scheduled job now (SPEC §10); the jobs page lists their names."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the job's name, as the jobs page lists it")

    def handle(self, *args, name, **options):
        try:
            runner.job_or_error(name)
        except runner.UnknownJob as exc:
            raise CommandError(str(exc)) from None
        jobrun = runner.run(name)
        assert jobrun is not None  # a run by hand has no slot key: it always runs
        details = {k: v for k, v in jobrun.counts.items() if k != "changed"}
        if details:
            self.stdout.write(", ".join(f"{k} {v}" for k, v in details.items()))
        self.stdout.write(f"{name}: {jobrun.counts.get('changed', 0)} changed")
