"""What the opportunities app adds to the apps below it: its record kind, the record editor,
the rows an account merge moves (ACCT-DUP), the account page's open opportunities and the
recent ones ACCT-BPS 2 weighs, and the home page's and side menu's opportunity entries.
`OpportunitiesConfig.ready()` calls `register()`."""

from accounts import registry as accounts
from gtm_portal.chatter import decisions
from gtm_portal.core import editing, records, selectors
from gtm_portal.users import roles

from .forms import opportunity_editor
from .models import Opportunity, WebOrder
from .selectors import (
    open_opportunities_for_account,
    opportunity_names_since,
    sao_pending_count,
    sao_requests_decidable,
    stale_opportunities_for,
)
from .views_catalog import OPPORTUNITY_VIEWS


def _sao_pending(user) -> int:
    """SAO-WD 2: the manager's count of requests to decide (0 for everyone else)."""
    return sao_pending_count(user) if user.role_names & roles.MANAGERS else 0


def _ae_views(user) -> list[tuple[str, str]]:
    """VIEW-4: the AE's views in the side menu."""
    if roles.AE not in user.role_names:
        return []
    return [(view.code, view.title) for view in OPPORTUNITY_VIEWS.values()]


def register() -> None:
    records.register(records.RecordKind("opportunities", Opportunity))
    editing.register(opportunity_editor())
    accounts.register_link(accounts.AccountLink(Opportunity, "account", plan="opportunities"))
    accounts.register_link(accounts.AccountLink(Opportunity, "resale_partner"))
    accounts.register_link(accounts.AccountLink(WebOrder, "account"))
    accounts.register_page_context("opportunities", open_opportunities_for_account)
    accounts.register_opportunity_names(opportunity_names_since)
    selectors.register_home_panel("stale_opportunities", stale_opportunities_for)  # OPP-STALE
    selectors.register_home_panel("sao_pending", _sao_pending)
    selectors.register_menu("opportunity_views", _ae_views)
    decisions.register(  # SAO-WD 2: decided from the inbox or the opportunity page
        "opportunities.opportunity", sao_requests_decidable, "opportunities/_sao_decide.html"
    )
