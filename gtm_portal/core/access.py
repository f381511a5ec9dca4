"""The one access helper (ROLE-3, Q-SEC): views, admin actions, mass actions, exports and the
API all ask `can()` / `require()`; nothing else decides who may do what.

Actions are named "<thing>.<verb>". Predicates come from `rules`, so each reads like the
sentence in SPEC ROLE-3 it implements.
"""

import rules
from django.core.exceptions import BadRequest, PermissionDenied
from django.shortcuts import get_object_or_404

from gtm_portal.users import roles
from gtm_portal.users.models import User

from .labels import cached_row, cached_rows


def _roles(user) -> frozenset[str]:
    if (
        user is None
        or not getattr(user, "is_authenticated", False)
        or not getattr(user, "pk", None)
    ):
        return frozenset()
    return user.role_names


def has_role(*names):
    wanted = frozenset(names)

    @rules.predicate(name=f"has_role({', '.join(names)})")
    def predicate(user):
        return bool(_roles(user) & wanted)

    return predicate


@rules.predicate
def is_person_user(user):
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "pk", None)
        and not user.is_queue
        and user.is_active
    )


@rules.predicate
def is_executive_only(user):
    """Executive is read-only everywhere (ROLE-1, ROLE-3), whatever else the user holds."""
    return roles.EXECUTIVE in _roles(user)


can_write = is_person_user & ~is_executive_only


@rules.predicate
def is_owner(user, record):
    return record is not None and getattr(record, "owner_id", None) == user.pk


@rules.predicate
def is_owners_manager(user, record):
    """The owner's manager, or a manager above them (walks the chain, cycle-safe)."""
    owner = getattr(record, "owner", None) if record is not None else None
    return is_manager_above(user, owner)


def managers_above(person) -> list[int]:
    """Q-SEC, the one definition of "a manager above": the person's manager, that manager's
    manager, and so on to the top of the chain — every level, however deep — read from the
    users snapshot (no query per level), cycle-safe."""
    chain: list[int] = []
    manager_id = getattr(person, "manager_id", None)
    while manager_id and manager_id not in chain:
        chain.append(manager_id)
        manager = cached_row(User, manager_id)
        manager_id = manager.manager_id if manager is not None else None
    return chain


def is_manager_above(user, person) -> bool:
    """`user` is the person's manager or a manager above them (`managers_above`)."""
    return getattr(user, "pk", None) is not None and user.pk in managers_above(person)


def reports_of(user) -> set[int]:
    """Everyone `user` is a manager above (`managers_above`, the same chain read the other
    way): the ids a manager's lists, panels and counts cover."""
    if getattr(user, "pk", None) is None:
        return set()
    return {u.pk for u in cached_rows(User) if user.pk in managers_above(u)}


@rules.predicate
def is_sdr_bdr_of(user, opportunity):
    return opportunity is not None and opportunity.sdr_bdr_id == user.pk


@rules.predicate
def is_requesters_manager(user, request):
    """SAO-WD 2: the requester's manager or a manager above them, never the requester."""
    return request.requester_id != user.pk and is_manager_above(user, request.requester)


def is_queue_member(user, queue) -> bool:
    """ROLE-4: `user` is one of the people who work the queue's list."""
    return bool(
        getattr(queue, "is_queue", False)
        and getattr(user, "pk", None)
        and queue.queue_members.filter(pk=user.pk).exists()
    )


@rules.predicate
def works_queue(user, queue):
    return is_queue_member(user, queue)


@rules.predicate
def works_owning_queue(user, record):
    """ROLE-4: the record is owned by a queue `user` works (its members take from its list)."""
    owner_id = getattr(record, "owner_id", None) if record is not None else None
    owner = cached_row(User, owner_id) if owner_id else None
    return owner is not None and is_queue_member(user, owner)


@rules.predicate
def may_decide_transfer(user, request):
    """ACCT-CLAIM 2/3: the record's owner or a manager above them; for an AE's record also
    Sales Support. Never the requester. `request` is the TransferRequest."""
    if request is None or user.pk == request.requester_id:
        return False
    owner = request.owner_at_request
    if owner is None:
        return False
    if user.pk == owner.pk or is_manager_above(user, owner):
        return True
    return owner.has_role(roles.AE) and roles.SALES_SUPPORT in _roles(user)


marketing_ops = has_role(roles.MARKETING_OPS)
sales_support = has_role(roles.SALES_SUPPORT)
sales_admin = has_role(roles.SALES_ADMIN)
bdr_side = has_role(roles.BDR, roles.BDR_MANAGER)
reps_and_aes = has_role(roles.SDR, roles.BDR, roles.AE)

ACTIONS = rules.RuleSet()
ACTIONS.add_rule("record.read", is_person_user)
ACTIONS.add_rule("record.comment", can_write)
# ROLE-3: a lead/contact — its owner, the owner's manager, Marketing Ops, Sales Support.
ACTIONS.add_rule(
    "person.edit", can_write & (is_owner | is_owners_manager | marketing_ops | sales_support)
)
# ROLE-3: an account's BDR fields — BDRs, BDR Managers, Sales Support (with a reason).
ACTIONS.add_rule("account.edit_bdr_fields", can_write & (bdr_side | sales_support))
# ROLE-3: account owner/type/hierarchy — Sales Support, Sales Admin (claims go through
# ACCT-CLAIM, which has its own action).
ACTIONS.add_rule("account.edit_ownership", can_write & (sales_support | sales_admin))
ACTIONS.add_rule(
    "account.edit", can_write & (is_owner | is_owners_manager | sales_support | sales_admin)
)
ACTIONS.add_rule("record.claim", can_write & (reps_and_aes | works_owning_queue))
ACTIONS.add_rule("queue.work", is_person_user & works_queue)  # ROLE-4: the queue's list
ACTIONS.add_rule("transfer.decide", can_write & may_decide_transfer)  # ACCT-CLAIM 2/3
# ACCT-BPS 1: BDRs and BDR Managers change the BDR Prospecting Status; Sales Support fixes
# data (with a reason, which the BPS rules ask for).
ACTIONS.add_rule("account.change_bps", can_write & bdr_side)
ACTIONS.add_rule("account.fix_bps", can_write & sales_support)
# ACCT-DUP: anyone flags a duplicate account; Sales Support merges.
ACTIONS.add_rule("account.merge", can_write & sales_support)
# ROLE-3: an opportunity — its owner, the owner's manager, Sales Support; its SDR/BDR for
# the qualification fields only, until stage 1 (see `opportunity_edit_scope`).
ACTIONS.add_rule("opportunity.edit", can_write & (is_owner | is_owners_manager | sales_support))
ACTIONS.add_rule(
    "opportunity.edit_qualification",
    can_write & (is_owner | is_owners_manager | sales_support | is_sdr_bdr_of),
)
ACTIONS.add_rule("opportunity.force_stage", can_write & sales_support)
# ROLE-3: scoring tables, routing pools, picklists, holidays, block lists — Marketing Ops.
ACTIONS.add_rule("reference.manage", can_write & marketing_ops)
ACTIONS.add_rule("routing.reroute", can_write & marketing_ops)
# LEAD-DSR-1: data subject requests (export, erase) — Marketing Ops.
ACTIONS.add_rule("person.dsr", can_write & marketing_ops)
# IMPORT-1: list imports (upload, commit, undo) — Marketing Ops.
ACTIONS.add_rule("imports.run", can_write & marketing_ops)
ACTIONS.add_rule("sao_credit.request", can_write & has_role(roles.SDR, roles.BDR))
ACTIONS.add_rule("sao_credit.decide", can_write & is_requesters_manager)
ACTIONS.add_rule("views.cover", can_write & has_role(roles.SDR_MANAGER, roles.BDR_MANAGER))
ACTIONS.add_rule(
    "pools.view", is_person_user & (marketing_ops | has_role(roles.SDR_MANAGER, roles.BDR_MANAGER))
)
# SEQ-1: sequences are managed by the SDR (and BDR) managers.
ACTIONS.add_rule("sequences.manage", can_write & has_role(roles.SDR_MANAGER, roles.BDR_MANAGER))
# SPEC §10 / CONTRACT 6.7: the jobs page and "run now"; AUTO-6's duplicate suggestions.
ACTIONS.add_rule("jobs.manage", can_write & marketing_ops)
ACTIONS.add_rule("duplicates.review", can_write & marketing_ops)
# REPORT-COMP: closing a quarter freezes pay numbers — the SDR/BDR managers, Sales Admin.
ACTIONS.add_rule(
    "reports.close_quarter",
    can_write & (has_role(roles.SDR_MANAGER, roles.BDR_MANAGER) | sales_admin),
)
ACTIONS.add_rule("admin.access", can_write & (marketing_ops | sales_support | sales_admin))


def can(user, action: str, obj=None) -> bool:
    if not ACTIONS.rule_exists(action):
        raise KeyError(f"unknown action {action!r}")
    return ACTIONS.test_rule(action, user, obj)


def require(user, action: str, obj=None, message: str | None = None) -> None:
    """Raise PermissionDenied (403) unless `user` may do `action` on `obj` (ROLE-3)."""
    if not can(user, action, obj):
        raise PermissionDenied(message or f"ROLE-3: you may not {action.replace('.', ' ')} here.")


def opportunity_edit_scope(user, opportunity) -> str | None:
    """ROLE-3 for opportunities: "all", "qualification" (the SDR/BDR until stage 1) or None."""
    if can(user, "opportunity.edit", opportunity):
        return "all"
    if can(user, "opportunity.edit_qualification", opportunity):
        # Stages "00-…" and "0-…" come before 1-Discovery.
        if opportunity.stage.split("-", 1)[0] in ("00", "0"):
            return "qualification"
    return None


def view_owner(request):
    """VIEW-1: views are "mine", unless a manager picks a team member (PTO cover) with
    `?as=<username>`; anyone else gets 403."""
    username = request.GET.get("as")
    if not username or username == request.user.username:
        return request.user
    if "\x00" in username:  # PostgreSQL refuses NUL in text (Q-SAFE): a 400, never a 500
        raise BadRequest("as: no username holds a NUL character.")
    target = get_object_or_404(User, username=username, kind=User.Kind.PERSON)
    if not (can(request.user, "views.cover") and is_manager_above(request.user, target)):
        raise PermissionDenied("VIEW-1: only the rep's manager can open their views.")
    return target
