"""What the reports app adds to the frame (nothing imports reports, STYLE 1): the side menu's
Reports entry for everyone and the home dashboards. `ReportsConfig.ready()` calls it."""

from gtm_portal.core import selectors

from .catalog import REPORTS
from .dashboards import dashboard


def _menu(user) -> list[tuple[str, str]]:
    return [(r.slug, r.title) for r in REPORTS.values()]


def register() -> None:
    selectors.register_menu("reports", _menu)
    selectors.register_home_panel("report_dashboard", dashboard)
