from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from gtm_portal.core import access
from gtm_portal.core.labels import cached_row, select_labels
from gtm_portal.users import roles
from gtm_portal.users.models import User

from .enums import TransferState
from .models import Account, AccountTeamMember, Contact, TransferRequest
from .querysets import with_deadline_facts


def account_get_for_user_or_404(user, pk: int) -> Account:
    """The account with what its page shows in the same query: related rows and the
    ACCT-BPS 3/4 deadline facts."""
    return get_object_or_404(
        select_labels(
            with_deadline_facts(Account.objects),
            "owner",
            "bdr_assigned",
            "parent",
            "ultimate_parent",
            "country",
            "region",
            "account_source",
            "csm",
            "duplicate_of",
            "updated_by",
            "merged_into",
        ),
        pk=pk,
    )


def contact_get_for_user_or_404(user, pk: int) -> Contact:
    return get_object_or_404(
        select_labels(
            Contact.objects,
            "owner",
            "country",
            "region",
            "initial_source",
            "disqualify_reason",
            "updated_by",
            "merged_into",
            full=("account",),
        ),
        pk=pk,
    )


def account_team(account: Account) -> list[tuple[str, object]]:
    """CONTACT-OWNER: the account team shown on each of its contacts — owner, BDR Assigned,
    CSM (users from the snapshot, no query) and the people added to the account's team (one
    query), as (role, user) pairs."""
    team = [
        (role, cached_row(User, user_id))
        for role, user_id in (
            ("Account owner", account.owner_id),
            ("BDR Assigned", account.bdr_assigned_id),
            ("CSM", account.csm_id),
        )
    ]
    members = AccountTeamMember.objects.filter(account=account).order_by("role", "id")
    team += [
        (role or "Team", cached_row(User, uid))
        for uid, role in members.values_list("user_id", "role")
    ]
    return [(role, user) for role, user in team if user is not None]


def account_list_for_user(user, fields=None):
    return select_labels(Account.objects.visible_to(user), "owner", "bdr_assigned", fields=fields)


def contact_list_for_user(user, fields=None):
    return select_labels(
        Contact.objects.visible_to(user), "owner", "account", "initial_source", fields=fields
    )


def account_people(account, limit: int = 50):
    return list(
        select_labels(
            Contact.objects.filter(account=account),
            "owner",
            fields=("first_name", "last_name", "title", "status", "account", "owner"),
        ).order_by("last_name", "first_name", "id")[:limit]
    )


def transfers_to_decide(user, limit: int = 20) -> list:
    """ACCT-CLAIM 2/3, the home page's panel: pending transfer requests for records I own or
    my reports own (and AE-owned ones for Sales Support)."""
    q = Q(owner_at_request=user) | Q(owner_at_request__in=access.reports_of(user))  # Q-SEC
    if roles.SALES_SUPPORT in user.role_names:
        q |= Q(owner_at_request__groups__name=roles.AE)
    requests = list(
        TransferRequest.objects.filter(q, state=TransferState.PENDING)
        .exclude(requester=user)
        .select_related("requester", "owner_at_request", "content_type")
        .order_by("created_at")
        .distinct()[:limit]
    )
    # Q-CONC: the decide form posts the version of the record as shown (one query per kind of
    # record among the pending requests; none when there are none).
    by_kind: dict = {}
    for t in requests:
        by_kind.setdefault(t.content_type, []).append(t)
    for ct, group in by_kind.items():
        versions = dict(
            ct.model_class()
            .objects.filter(pk__in=[t.object_id for t in group])
            .values_list("pk", "version")
        )
        for t in group:
            t.record_version = versions.get(t.object_id)
    return requests


TRANSFER_FORM = "accounts/_transfer_decide.html"  # the approve / decline form of a request


def transfers_decidable(user, model, ids) -> dict:
    """ACCT-CLAIM 2/3, where a notification leads (inbox, record page): the pending transfer
    request on each of these records of `model` that `user` may decide now, with the record's
    version for the decide form (Q-CONC) — two queries whatever the number of records."""
    ct = ContentType.objects.get_for_model(model)
    pending = list(
        TransferRequest.objects.filter(
            content_type=ct, object_id__in=ids, state=TransferState.PENDING
        ).select_related("requester", "owner_at_request")
    )
    decidable = [t for t in pending if access.can(user, "transfer.decide", t)]
    if not decidable:
        return {}
    versions = dict(
        model.objects.filter(pk__in=[t.object_id for t in decidable]).values_list("pk", "version")
    )
    for t in decidable:
        t.record_version = versions.get(t.object_id)
        t.content_type = ct
    return {t.object_id: t for t in decidable}


DUPLICATE_LIMIT = 50


def matching_contacts(*, email: str = "", exclude_pk=None) -> list[Contact]:
    """LEAD-DUP-1: the live contacts with this e-mail (any case), oldest first."""
    if not email.strip():
        return []
    rows = (
        Contact.objects.filter(merged_into__isnull=True)
        .annotate(e=Lower("email"))
        .filter(e=email.strip().lower())
        .select_related("owner", "account")
    )
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    return list(rows.order_by("created_at", "pk")[:DUPLICATE_LIMIT])
