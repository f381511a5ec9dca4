"""What the leads app adds to the apps below it, which never import leads (STYLE 1): the
lead record kind (claimable), and for accounts the people at an account (ACCT-BPS 2 counts
leads' MQLs and engaged people by their matched account; ACCT-BPS 7 lets a lead answer) and
the rows an account merge moves (ACCT-DUP: matched and converted account).
`LeadsConfig.ready()` calls `register()`."""

from accounts import registry as accounts
from gtm_portal.core import records, selectors

from . import jobs
from .models import Lead
from .views_catalog import lead_view_codes


def register() -> None:
    records.register(records.RecordKind("leads", Lead, claimable=True))
    selectors.register_menu("lead_views", lead_view_codes)
    accounts.register_people(
        accounts.People(Lead, "matched_account", mql_filter={"converted_contact__isnull": True})
    )
    accounts.register_link(accounts.AccountLink(Lead, "matched_account", plan="leads"))
    accounts.register_link(accounts.AccountLink(Lead, "converted_account"))
    jobs.register_jobs()  # SPEC §10
