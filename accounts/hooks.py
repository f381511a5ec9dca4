"""What the accounts app adds to the shared apps: its record kinds (contacts and accounts,
both claimable), the record editor of accounts and the home page's transfer requests.
`AccountsConfig.ready()` calls `register()`."""

from gtm_portal.chatter import decisions
from gtm_portal.core import editing, records, selectors
from gtm_portal.refdata import setting_hooks

from . import jobs, segment_settings
from .forms import account_editor
from .models import Account, Contact
from .selectors import TRANSFER_FORM, transfers_decidable, transfers_to_decide


def register() -> None:
    records.register(records.RecordKind("contacts", Contact, claimable=True))
    records.register(records.RecordKind("accounts", Account, claimable=True))
    editing.register(account_editor())
    selectors.register_home_panel("transfers", transfers_to_decide)  # ACCT-CLAIM 2/3
    # ACCT-CLAIM 2: decided where the request's notification leads (inbox, record page)
    for model in (Contact, Account):
        decisions.register(
            model._meta.label_lower,
            lambda user, ids, model=model: transfers_decidable(user, model, ids),
            TRANSFER_FORM,
        )
    jobs.register_jobs()  # AUTO-3
    setting_hooks.register(  # REF-2: admin edits of the segment thresholds
        check=segment_settings.check_setting, changed=segment_settings.setting_changed
    )
