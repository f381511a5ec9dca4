"""What the leads app adds to the apps below it, which never import leads (STYLE 1): the
lead record kind (claimable), and for accounts the people at an account (ACCT-BPS 2 counts
leads' MQLs and engaged people by their matched account; ACCT-BPS 7 lets a lead answer) and
the rows an account merge moves (ACCT-DUP: matched and converted account), and the leads a
hand-made contact would duplicate (CONTACT-CREATE).
`LeadsConfig.ready()` calls `register()`."""

from accounts import registry as accounts
from accounts.selectors import TRANSFER_FORM, transfers_decidable
from gtm_portal.chatter import decisions
from gtm_portal.core import records, selectors

from . import jobs
from .duplicates import matching_leads
from .models import Lead
from .selectors import sla_passed_panel
from .views import lists
from .views_catalog import lead_view_codes


def register() -> None:
    records.register(records.RecordKind("leads", Lead, claimable=True))
    selectors.register_menu("lead_views", lead_view_codes)
    accounts.register_people(
        accounts.People(Lead, "matched_account", mql_filter={"converted_contact__isnull": True})
    )
    accounts.register_link(accounts.AccountLink(Lead, "matched_account", plan="leads"))
    accounts.register_link(accounts.AccountLink(Lead, "converted_account"))
    accounts.register_duplicate_finder(_lead_lines)
    accounts.register_view_context("contacts", lists.contact_mass_context)  # VIEW-5
    jobs.register_jobs()  # SPEC §10
    selectors.register_home_panel("sla_passed", sla_passed_panel)  # ROUTE-4
    decisions.register(  # ACCT-CLAIM 2: a lead's transfer, decided from inbox or record
        "leads.lead", lambda user, ids: transfers_decidable(user, Lead, ids), TRANSFER_FORM
    )


def _lead_lines(**person) -> list[str]:
    """CONTACT-CREATE: the live leads a hand-made contact would duplicate (LEAD-DUP-1)."""
    return [f"lead {lead.name}" for lead in matching_leads(**person)[:2]]
