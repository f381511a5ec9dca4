"""Account writes: the one update path (ROLE-3 field groups, ACCT-SEG / ACCT-CUSTOMER
recompute, CONTACT-OWNER) and creation (ACCT-CE). The BDR Prospecting Status has its own
module (bps.py); claims, transfers and merges theirs (claims.py, merge.py). Contacts made by
hand: `contact_create` (CONTACT-CREATE)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from gtm_portal.core import access, history
from gtm_portal.core.enums import PersonStatus
from gtm_portal.core.locks import lock_emails
from gtm_portal.core.services import check_version, record_update
from gtm_portal.refdata.models import InitialSource
from gtm_portal.users import roles
from gtm_portal.users.models import User

from . import hierarchy, registry
from .claims import contacts_follow_owner
from .enums import AccountType
from .matching import normalize_domain
from .models import Account, Contact
from .selectors import matching_contacts

# ROLE-3 field groups of an account: who may change each (access action, refusal).
BDR_FIELDS = frozenset(
    {
        "bdr_assigned",
        "bdr_research",
        "bdr_next_step",
        "bdr_next_step_date",
        "bdr_comments",
        "priority",
    }
)
OWNERSHIP_FIELDS = frozenset({"owner", "type", "parent"})
DESCRIPTIVE_FIELDS = frozenset(
    {
        "name",
        "domain",
        "website",
        "industry",
        "employees",
        "is_strategic",
        "billing_street",
        "billing_city",
        "billing_state",
        "billing_postal_code",
        "country",
        "territory",
        "account_rank",
        "lam_dev_count",
        "intent_score",
        "tech_used",
        "triggers",
        "total_carr",
        "paid_tier",
        "using_ce",
        "active_ce_users",
        "ce_instances",
        "csm",
        "is_public_sector",
        "referenceable_details",
        "account_source",
    }
)
FIELD_GROUPS = (
    (
        BDR_FIELDS,
        "account.edit_bdr_fields",
        "ROLE-3: BDR fields are edited by BDRs, BDR Managers and Sales Support.",
    ),
    (
        OWNERSHIP_FIELDS,
        "account.edit_ownership",
        "ROLE-3: owner, type and hierarchy are changed by Sales Support and Sales Admin (or "
        "through a claim or transfer).",
    ),
    (
        DESCRIPTIVE_FIELDS,
        "account.edit",
        "ROLE-3: the account's owner, the owner's manager, Sales Support and Sales Admin edit "
        "its fields.",
    ),
)
# Only their workflows change these (ACCT-SEG, ACCT-CUSTOMER, ACCT-BPS, ACCT-DUP; the region
# follows the country, REF-1).
WORKFLOW_FIELDS = frozenset(
    {
        "segment",
        "first_order_available",
        "ultimate_parent",
        "bdr_prospecting_status",
        "actively_working_since",
        "bps_changed_at",
        "merged_into",
        "normalized_name",
        "duplicate_of",
        "region",
    }
)
HIERARCHY_TRIGGERS = frozenset({"employees", "is_strategic", "parent", "type", "total_carr"})
OWNER_TRIGGERS = frozenset({"owner", "bdr_assigned"})


def account_editable_fields(user, account) -> frozenset[str]:
    """ROLE-3: the fields `user` may change on `account` (empty: read only; merged accounts
    are read only, ACCT-DUP)."""
    if account.merged_into_id:
        return frozenset()
    return frozenset().union(
        *(names for names, action, _ in FIELD_GROUPS if access.can(user, action, account))
    )


def bdr_fix_needs_reason(user) -> bool:
    """ACCT-BPS 1: Sales Support (not BDR side) fixes BDR fields only with a reason."""
    return access.can(user, "account.edit_bdr_fields") and not user.has_role(
        roles.BDR, roles.BDR_MANAGER
    )


def _require_fields(by, account, names) -> None:
    """ROLE-3 per field group, for every field the caller sends (changed or not)."""
    if names & WORKFLOW_FIELDS:
        bad = ", ".join(sorted(names & WORKFLOW_FIELDS))
        raise ValidationError(
            f"ROLE-3: {bad} change only through their workflow "
            "(hierarchy, status form, merge, country)."
        )
    for group, action, message in FIELD_GROUPS:
        if names & group:
            access.require(by, action, account, message)
    unknown = names.difference(*(group for group, _, _ in FIELD_GROUPS))
    if unknown:
        raise ValidationError(f"ROLE-3: {', '.join(sorted(unknown))} cannot be edited.")


def _require_reason(by, changing, reason: str) -> None:
    """ACCT-BPS 1, said under each BDR field being changed without a reason."""
    fixing = sorted(changing & BDR_FIELDS)
    if fixing and not reason.strip() and bdr_fix_needs_reason(by):
        message = (
            "ACCT-BPS 1: Sales Support fixes BDR fields with a reason; say what is being corrected."
        )
        raise ValidationError({name: message for name in fixing}, code="ACCT-BPS 1")


def _check_bdr(user) -> None:
    if user is not None and not (
        user.is_active and not user.is_queue and user.has_role(roles.BDR, roles.BDR_MANAGER)
    ):
        raise ValidationError(
            {"bdr_assigned": f"ACCT-BPS: {user} is not an active BDR."}, code="ACCT-BPS"
        )


def _changing(locked: Account, data: dict) -> set[str]:
    """The fields of `data` whose value differs from the stored row's."""
    stored = history.snapshot(locked, data)
    return {name for name, value in data.items() if getattr(value, "pk", value) != stored[name]}


@transaction.atomic
def account_update(
    *,
    account: Account,
    by,
    data: dict,
    reason: str = "",
    expected_version: int | None = None,
    enforce: bool = True,
) -> Account:
    """The one account edit path (form, admin, mass action, import): ROLE-3 per field group
    and ACCT-BPS 1 (Sales Support's reason), Q-CONC version check and history
    (record_update); a new country brings its region (REF-1); then ACCT-SEG / ACCT-CUSTOMER
    for the old and new hierarchy when a count, flag, parent, type or CARR changed, and
    CONTACT-OWNER when the owner or BDR Assigned changed. A refusal writes nothing."""
    names = set(data)
    if enforce:
        _require_fields(by, account, names)
    locked = Account.objects.select_for_update().get(pk=account.pk)
    check_version(locked, expected_version)
    changing = _changing(locked, data)
    if enforce:
        if locked.merged_into_id:
            raise ValidationError(
                "ACCT-DUP: this account was merged; edit the surviving account.", code="ACCT-DUP"
            )
        _require_reason(by, changing, reason)
    if "bdr_assigned" in changing:
        _check_bdr(data["bdr_assigned"])
    if "parent" in changing:
        parent = data["parent"]
        hierarchy.check_parent(locked, getattr(parent, "pk", parent))
    if "country" in changing:
        country = data["country"]
        data = {**data, "region": country.region if country is not None else None}
    before = history.snapshot(locked, set(data))
    updated = record_update(
        obj=locked, by=by, data=data, reason=reason, expected_version=expected_version
    )
    changed = set(history.changed_fields(updated, before))
    if changed & HIERARCHY_TRIGGERS:
        hierarchy.recompute(
            [updated.pk, before.get("parent")],
            by=by,
            reason=f"ACCT-SEG / ACCT-CUSTOMER: {updated.name} changed "
            f"({', '.join(sorted(changed & HIERARCHY_TRIGGERS))})",
        )
        updated.refresh_from_db()
    if changed & OWNER_TRIGGERS and updated.contact_owner is not None:
        contacts_follow_owner(account=updated, owner=updated.contact_owner, by=by)
    return updated


@transaction.atomic
def account_create(*, by, data: dict) -> Account:
    """A new account: derived columns, its own ultimate parent, then its hierarchy's segment
    and customer flag (ACCT-SEG, ACCT-CUSTOMER)."""
    parent = data.get("parent")
    account = Account(**data)
    account.derive()
    account.updated_by = by if getattr(by, "pk", None) else None
    account.full_clean(exclude=["ultimate_parent"])
    if parent is not None and getattr(parent, "merged_into_id", None):
        raise ValidationError(
            {"parent": "ACCT-DUP: that account was merged; choose the account it was merged into."}
        )
    account.save()
    Account.objects.filter(pk=account.pk).update(
        ultimate_parent_id=getattr(parent, "ultimate_parent_id", None)
        or getattr(parent, "pk", None)
        or account.pk
    )
    hierarchy.recompute([account.pk], by=by, reason="ACCT-SEG: new account")
    account.refresh_from_db()
    return account


CE_SOURCE = "CE Download"


@transaction.atomic
def account_create_from_usage(
    *,
    name: str,
    domain: str,
    employees: int | None = None,
    active_ce_users: int | None = None,
    ce_instances: int | None = None,
    by=None,
) -> tuple[Account, bool]:
    """ACCT-CE: an account from usage-ping data — source CE Download, type Prospect - CE User,
    owner Sales Admin, using CE. Idempotent by domain: a known domain gets its usage numbers
    updated (with history) instead of a second account."""
    domain = normalize_domain(domain)
    if not domain or not (name or "").strip():
        raise ValidationError("ACCT-CE: a usage ping needs the company name and its domain.")
    found = (
        Account.objects.filter(domain__iexact=domain, merged_into__isnull=True)
        .order_by("id")
        .first()
    )
    if found is not None:
        data: dict[str, object] = {"using_ce": True}
        if active_ce_users is not None:
            data["active_ce_users"] = active_ce_users
        if ce_instances is not None:
            data["ce_instances"] = ce_instances
        return account_update(
            account=found, by=by, data=data, reason="ACCT-CE: usage ping", enforce=False
        ), False
    source = InitialSource.objects.filter(name=CE_SOURCE).first()
    if source is None:
        raise ValidationError(
            "ACCT-CE: the CE Download source is missing; load the reference data first."
        )
    account = account_create(
        by=by,
        data={
            "name": name.strip(),
            "domain": domain,
            "website": f"https://{domain}",
            "employees": employees,
            "type": AccountType.PROSPECT_CE,
            "account_source": source,
            "owner": User.objects.queue(roles.Q_SALES_ADMIN),
            "using_ce": True,
            "active_ce_users": active_ce_users,
            "ce_instances": ce_instances,
        },
    )
    return account, True


UNKNOWN_SOURCE = "Unknown"


@transaction.atomic
def contact_create(*, by, data: dict, confirmed: bool = False) -> Contact:
    """CONTACT-CREATE: a contact made by hand. The form searches first (LEAD-DUP-1); this
    refuses a duplicate e-mail (or a person another app holds) unless the user confirms, and
    `Unknown` as the initial source."""
    access.require(by, "record.comment")
    account = data["account"]
    source = data["initial_source"]
    if source is None or source.name == UNKNOWN_SOURCE or not source.active:
        raise ValidationError(
            {
                "initial_source": "CONTACT-CREATE: choose an active initial "
                "source; Unknown is not acceptable for "
                "hand-made records."
            },
            code="CONTACT-CREATE",
        )
    email = (data.get("email") or "").strip()
    lock_emails([email])
    if not confirmed:
        same = [f"contact {c.name} at {c.account.name}" for c in matching_contacts(email=email)]
        others = registry.duplicate_lines(
            email=email,
            first_name=data.get("first_name", ""),
            last_name=data["last_name"],
            company=data.get("company", ""),
        )
        if same or others:
            who = ", ".join(same[:2] + others)
            raise ValidationError(
                {
                    "confirm_duplicate": f"CONTACT-CREATE: {who} already "
                    "matches; open it, or confirm a new "
                    "contact."
                },
                code="CONTACT-CREATE",
            )
    contact = Contact(
        account=account,
        first_name=data.get("first_name", ""),
        last_name=data["last_name"],
        email=email,
        title=data.get("title", ""),
        phone=data.get("phone", ""),
        initial_source=source,
        status=PersonStatus.INQUIRY,
        owner=account.contact_owner or by,
        updated_by=by,
    )
    contact.derive()
    contact.full_clean()
    contact.save()
    return contact
