"""`manage.py bench` (CONTRACT 5): every operation set, in the order the table prints them,
measured on the data loaded (topped up to `--leads` first)."""

from django.test.utils import override_settings

from gtm_portal.devtools.demo.generate import generate
from gtm_portal.devtools.demo.named import seed_named
from gtm_portal.devtools.demo.quotas import seed_report_data
from leads.models import Lead
from leads.services.reference import load_reference_data

from . import imports, intake, jobs, pages, reports, routing
from .measure import Bench, format_header, write_json

OPERATION_SETS = (
    pages.home_page,
    pages.list_pages,
    pages.detail_pages,
    pages.notification_inbox,
    pages.lead_views,
    pages.account_and_contact_views,
    pages.global_search,
    pages.account_reown,
    reports.report_pages,
    reports.report_csv_export,
    intake.intake_submissions,
    routing.routing_per_lead,
    routing.full_rescore,
    jobs.scheduled_jobs,
    imports.list_imports,
)


def top_up(leads: int, stdout=None) -> None:
    """Make sure at least `leads` leads exist (generated with seed 1, plus accounts and
    opportunities in the demo proportions)."""
    if Lead.objects.count() >= leads:
        return
    load_reference_data()
    seed_named()
    generate(
        leads=leads,
        accounts=max(leads // 10, 1),
        opportunities=max(leads // 5, 1),
        seed=1,
        stdout=stdout,
    )
    seed_report_data()


def run_bench(
    *,
    leads: int | None = None,
    n: int = 50,
    warmup: int = 5,
    only: str | None = None,
    import_rows: int = 100_000,
    mass_update_rows: int = 100_000,
    json_path: str | None = None,
    stdout=None,
) -> dict:
    if leads:
        top_up(leads, stdout)
    say = stdout.write if stdout is not None else None
    if say:
        say(format_header())
    bench = Bench(
        n=n, warmup=warmup, only=only, import_rows=import_rows, mass_update_rows=mass_update_rows
    )
    # The measured jobs notify (AUTO-1's digests): kept in memory, never printed between the
    # table's rows nor sent to the people of the data set.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        report = bench.run(OPERATION_SETS, progress=say)
    if say:
        say(
            "counts: "
            + ", ".join(f"{k} {v:,}" for k, v in report["counts"].items())
            + f" ({report['database']})"
        )
    if json_path:
        write_json(report, json_path)
    return report
