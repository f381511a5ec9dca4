"""AUTO-3 (ACCT-BPS 6), registered by `hooks.register()`: daily, it acts at the fiscal-year
start (and catches up once if that day's run was missed)."""

from gtm_portal.jobs.registry import Daily, Job, register

from .bps import bps_fiscal_year_reset


def fiscal_year(*, now=None) -> dict:
    counts = bps_fiscal_year_reset(now=now)
    return {"changed": counts["fy_reset"], **counts}


def register_jobs() -> None:
    register(
        Job(
            "fiscal_year",
            "AUTO-3",
            "At fiscal-year start every Worked in FY account returns to Queued (ACCT-BPS 6)",
            Daily(0, 15),
            fiscal_year,
        )
    )
