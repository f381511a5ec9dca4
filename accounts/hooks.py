"""What the accounts app adds to the shared apps: its record kinds (contacts and accounts,
both claimable), the record editor of accounts and the home page's transfer requests.
`AccountsConfig.ready()` calls `register()`."""

from gtm_portal.core import editing, records, selectors
from gtm_portal.refdata import setting_hooks

from . import jobs, segment_settings
from .forms import account_editor
from .models import Account, Contact
from .selectors import transfers_to_decide


def register() -> None:
    records.register(records.RecordKind("contacts", Contact, claimable=True))
    records.register(records.RecordKind("accounts", Account, claimable=True))
    editing.register(account_editor())
    selectors.register_home_panel("transfers", transfers_to_decide)  # ACCT-CLAIM 2/3
    jobs.register_jobs()  # AUTO-3
    setting_hooks.register(  # REF-2: admin edits of the segment thresholds
        check=segment_settings.check_setting, changed=segment_settings.setting_changed
    )
