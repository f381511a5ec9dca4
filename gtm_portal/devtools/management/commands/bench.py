from django.core.management.base import BaseCommand, CommandError

from gtm_portal.devtools.bench.run import run_bench


class Command(BaseCommand):
    help = "Performance benchmark (CONTRACT 5, SPEC Q-PERF): pages next to their raw SQL."

    def add_arguments(self, parser):
        parser.add_argument(
            "--leads",
            type=int,
            default=None,
            help="Generate leads (seed 1) first until at least this many exist.",
        )
        parser.add_argument(
            "--json", dest="json_path", default=None, help="Write the results as JSON to this path."
        )
        parser.add_argument("--n", type=int, default=50, help="Measured requests per operation.")
        parser.add_argument("--warmup", type=int, default=5)
        parser.add_argument(
            "--import-rows",
            type=int,
            default=100_000,
            help="Rows of each list-import file measured (SPEC Q-PERF: 100,000).",
        )
        parser.add_argument(
            "--mass-update-rows",
            type=int,
            default=100_000,
            help="Records of the measured mass update (SPEC Q-PERF: 100,000).",
        )
        parser.add_argument(
            "--only", default=None, help="Run only the operations whose name contains this text."
        )

    def handle(
        self, *args, leads, json_path, n, warmup, only, import_rows, mass_update_rows, **options
    ):
        if min(n, import_rows, mass_update_rows) < 1 or warmup < 0 or (leads or 0) < 0:
            raise CommandError(
                "--n, --import-rows and --mass-update-rows must be at least 1; "
                "--warmup and --leads zero or more"
            )
        run_bench(
            leads=leads,
            n=n,
            warmup=warmup,
            only=only,
            import_rows=import_rows,
            mass_update_rows=mass_update_rows,
            json_path=json_path,
            stdout=self.stdout,
        )
        if json_path:
            self.stdout.write(f"wrote {json_path}")
