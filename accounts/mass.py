"""VIEW-5 mass actions from the account views: set BDR Assigned (B1) and change the BDR
Prospecting Status (B2) through the same services as the single actions, per-row results."""

from django.core.exceptions import ValidationError

from gtm_portal.core.mass import MAX_ROWS, Outcome, each_row
from gtm_portal.users.models import User

from .bps import account_change_bps
from .models import Account
from .services import account_update

ACTIONS = {
    "bdr": "Set BDR Assigned",
    "status": "Change BDR Prospecting Status",
}


def run(*, action: str, ids: list[int], by, params) -> Outcome:
    if action not in ACTIONS:
        raise ValidationError("VIEW-5: choose one of the mass actions offered.")
    reason = (params.get("reason") or "").strip()
    if action == "bdr":
        username = (params.get("bdr") or "").strip()
        bdr = None
        if username:
            bdr = User.objects.filter(
                username=username, is_active=True, kind=User.Kind.PERSON
            ).first()
            if bdr is None:
                raise ValidationError("VIEW-5: name the BDR by username.")

        def apply(account):
            account_update(
                account=account,
                by=by,
                data={"bdr_assigned": bdr},
                reason=reason or "mass update of BDR Assigned",
            )
    else:
        to = params.get("to", "")

        def apply(account):
            account_change_bps(account=account, by=by, to=to, reason=reason)

    rows = Account.objects.filter(pk__in=ids[:MAX_ROWS], merged_into__isnull=True).order_by("pk")
    return each_row(rows, apply)
