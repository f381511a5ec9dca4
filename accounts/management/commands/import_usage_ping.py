from django.core.management.base import BaseCommand, CommandError

from accounts.usage_ping import import_usage_ping


class Command(BaseCommand):
    help = (
        "ACCT-CE: create or update accounts from a CSV of usage-ping rows (name, domain, and "
        "optionally employees, active CE users, CE instances). New accounts: source CE "
        "Download, type Prospect - CE User, owner Sales Admin, using CE. A file with any bad "
        "row writes nothing and lists the bad rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the CSV file (UTF-8)")

    def handle(self, *args, file: str, **options):
        try:
            with open(file, encoding="utf-8-sig", newline="") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"ACCT-CE: cannot read {file}: {exc}") from exc
        report = import_usage_ping(text)
        if report.errors:
            for error in report.errors:
                self.stderr.write(f"ACCT-CE: {error}")
            raise CommandError(
                f"ACCT-CE: {len(report.errors)} bad row(s); nothing was written. "
                "Fix them and run again."
            )
        self.stdout.write(f"ACCT-CE: created {report.created}, updated {report.updated}")
