"""The account edit form (CONTRACT 6 `/accounts/<id>/edit/`, ROLE-3, Q-CONC): fields and
widgets only; which fields a user may change, and every rule, live in `services`."""

from django import forms
from django.db.models import Q

from gtm_portal.core.editing import Editor, VersionForm
from gtm_portal.users import roles
from gtm_portal.users.models import User

from .models import Account
from .selectors import account_get_for_user_or_404
from .services import (
    BDR_FIELDS,
    DESCRIPTIVE_FIELDS,
    OWNERSHIP_FIELDS,
    account_editable_fields,
    account_update,
    bdr_fix_needs_reason,
)

# The header, the hierarchy and the segment show these: an inline save reloads the page.
ACCOUNT_RELOAD_FIELDS = frozenset(
    {
        "employees",
        "parent",
        "is_strategic",
        "type",
        "total_carr",
        "owner",
        "bdr_assigned",
        "name",
        "domain",
    }
)
ACCOUNT_EDIT_NOTE = (
    "Segment, first order available and the ultimate parent follow the "
    "hierarchy (ACCT-SEG, ACCT-CUSTOMER); the region follows the country; the "
    "BDR Prospecting Status changes through its status form (ACCT-BPS)."
)


class AccountEditForm(VersionForm):
    """Every field someone may edit on an account; the editor keeps those the user may."""

    class Meta:
        model = Account
        fields = tuple(sorted(BDR_FIELDS | OWNERSHIP_FIELDS | DESCRIPTIVE_FIELDS))
        labels = {"parent": "Parent account (its number)"}
        # A select of every account would list 100,000 rows (Q-PERF): the parent is typed
        # as the account number shown in its address.
        widgets = {"parent": forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"})}
        error_messages = {
            "parent": {
                "invalid_choice": "ACCT-SEG: no live account has that number; type the "
                "number in the parent account's address."
            },
            "bdr_assigned": {"invalid_choice": "ACCT-BPS: choose an active BDR or BDR Manager."},
            "owner": {"invalid_choice": "ROLE-3: choose an active person or Sales Admin."},
            "csm": {"invalid_choice": "Choose an active person."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        account = self.instance
        people = Q(kind=User.Kind.PERSON, is_active=True)
        choices = {
            "bdr_assigned": (
                people & Q(groups__name__in=(roles.BDR, roles.BDR_MANAGER)),
                account.bdr_assigned_id,
            ),
            "owner": (
                people | Q(kind=User.Kind.QUEUE, display_name=roles.Q_SALES_ADMIN),
                account.owner_id,
            ),
            "csm": (people, account.csm_id),
        }
        for name, (allowed, current) in choices.items():
            if name in self.fields:
                # The stored value stays a valid choice (saving other fields keeps it).
                self.fields[name].queryset = (
                    User.objects.filter(allowed | Q(pk=current))
                    .distinct()
                    .order_by("kind", "username")
                )
        if "parent" in self.fields:
            self.fields["parent"].queryset = Account.objects.filter(merged_into__isnull=True)
            if account.parent_id:
                self.fields["parent"].help_text = f"Now: {account.parent} (#{account.parent_id})"


def account_edit_fields(user, account) -> tuple[str, ...]:
    """ROLE-3 in form order: the field groups `user` may change on `account`."""
    allowed = account_editable_fields(user, account)
    return tuple(name for name in AccountEditForm.Meta.fields if name in allowed)


def _account_save(*, record, by, data, expected_version, reason):
    return account_update(
        account=record, by=by, data=data, reason=reason, expected_version=expected_version
    )


def account_editor() -> Editor:
    return Editor(
        kind="accounts",
        model=Account,
        form=AccountEditForm,
        fields_for=account_edit_fields,
        save=_account_save,
        get=account_get_for_user_or_404,
        reload_on=ACCOUNT_RELOAD_FIELDS,
        needs_reason=lambda user, _account: bdr_fix_needs_reason(user),
        note=ACCOUNT_EDIT_NOTE,
    )


class SegmentThresholdsForm(forms.Form):
    """REF-2: the least employee count of each segment."""

    large = forms.IntegerField(label="Large from (employees)", min_value=1, max_value=10**9)
    mid_market = forms.IntegerField(
        label="Mid-Market from (employees)", min_value=1, max_value=10**9
    )
    smb = forms.IntegerField(label="SMB from (employees)", min_value=1, max_value=10**9)
