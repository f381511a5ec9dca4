"""ACCT-SEG and ACCT-CUSTOMER over a whole hierarchy, set-based: one recursive query reads the
ultimate parent's tree, one UPDATE writes it, one INSERT writes the history rows — whatever
the depth (SQLite and PostgreSQL both run WITH RECURSIVE)."""

import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from gtm_portal.core import history
from gtm_portal.refdata.enums import Setting
from gtm_portal.refdata.models import PortalSetting

from .enums import AccountType
from .models import Account
from .segments import DEFAULT_THRESHOLDS, Thresholds, max_segment, segment_for_employees

log = logging.getLogger(__name__)

# REF-2: the PortalSetting key of each segment threshold.
THRESHOLD_KEYS = {
    Setting.SEGMENT_LARGE_MIN: "large",
    Setting.SEGMENT_MID_MARKET_MIN: "mid_market",
    Setting.SEGMENT_SMB_MIN: "smb",
}
RECOMPUTE_BATCH = 500  # hierarchies per short transaction

CUSTOMER_CARR = Decimal("48")  # ACCT-CUSTOMER: a customer with total CARR ≥ $48
MAX_DEPTH = 1000  # guards the recursion should a cycle ever slip in

_T = Account._meta.db_table

_UP = (
    f"up(id, parent_id, depth) AS (SELECT id, parent_id, 0 FROM {_T} WHERE id = %s "
    f"UNION ALL SELECT a.id, a.parent_id, up.depth + 1 FROM {_T} a JOIN up "
    f"ON a.id = up.parent_id WHERE up.depth < {MAX_DEPTH})"
)
_DOWN = (
    f"down(id, depth) AS (SELECT id, 0 FROM {_T} WHERE id = %s "
    f"UNION ALL SELECT a.id, down.depth + 1 FROM {_T} a JOIN down "
    f"ON a.parent_id = down.id WHERE down.depth < {MAX_DEPTH})"
)
# The tree of the ultimate parent of %s, in one statement.
_TREE = (
    f"WITH RECURSIVE {_UP}, root AS (SELECT id FROM up ORDER BY depth DESC LIMIT 1), "
    f"down(id, depth) AS (SELECT id, 0 FROM root UNION ALL SELECT a.id, down.depth + 1 "
    f"FROM {_T} a JOIN down ON a.parent_id = down.id WHERE down.depth < {MAX_DEPTH}) "
    f"SELECT a.id, a.parent_id, a.name, a.employees, a.is_strategic, a.type, a.total_carr, "
    f"a.segment, a.first_order_available, a.ultimate_parent_id, down.depth "
    f"FROM {_T} a JOIN down ON a.id = down.id ORDER BY down.depth, a.name, a.id"
)


def subtree_ids(account_id: int) -> set[int]:
    """The account and everything under it (one query)."""
    with connection.cursor() as cur:
        cur.execute(f"WITH RECURSIVE {_DOWN} SELECT id FROM down", [account_id])
        return {row[0] for row in cur.fetchall()}


def check_parent(account: Account, parent_id: int | None) -> None:
    """ACCT-SEG: a parent must be a live account outside the account's own subtree."""
    if parent_id is None:
        return
    if parent_id == account.pk or parent_id in subtree_ids(account.pk):
        raise ValidationError(
            {
                "parent": "ACCT-SEG: an account cannot sit under itself or one "
                "of its own children; choose another parent."
            },
            code="ACCT-SEG",
        )
    if Account.objects.filter(pk=parent_id, merged_into__isnull=False).exists():
        raise ValidationError(
            {"parent": "ACCT-DUP: that account was merged; choose the account it was merged into."},
            code="ACCT-DUP",
        )


def tree_rows(account_id: int) -> list[dict]:
    """Every account of the ultimate parent's tree (root first), as plain dicts."""
    with connection.cursor() as cur:
        cur.execute(_TREE, [account_id])
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def current_thresholds() -> Thresholds:
    """REF-2 thresholds as stored (one query); SPEC's defaults for a key not stored."""
    stored = dict(PortalSetting.objects.filter(key__in=THRESHOLD_KEYS).values_list("key", "value"))
    return Thresholds(
        **{
            field: stored.get(key, getattr(DEFAULT_THRESHOLDS, field))
            for key, field in THRESHOLD_KEYS.items()
        }
    )


def tree_values(rows: list[dict], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> tuple[str, bool]:
    """ACCT-SEG max segment (REF-2 thresholds) and ACCT-CUSTOMER first-order-available for a
    tree."""
    segment = max_segment(
        segment_for_employees(r["employees"], bool(r["is_strategic"]), thresholds) for r in rows
    )
    customer = any(
        r["type"] == AccountType.CUSTOMER and Decimal(str(r["total_carr"] or 0)) >= CUSTOMER_CARR
        for r in rows
    )
    return segment, not customer


def recompute(account_ids, *, by=None, reason: str = "") -> int:
    """ACCT-SEG / ACCT-CUSTOMER: recompute the trees the given accounts belong to; returns how
    many accounts changed. Queries per tree: read, update, history — never per level."""
    done_roots: set[int] = set()
    changed_total = 0
    now = timezone.now()
    thresholds = current_thresholds()
    for account_id in dict.fromkeys(a for a in account_ids if a):
        if account_id in done_roots:
            continue
        rows = tree_rows(account_id)
        if not rows:
            continue
        root = rows[0]["id"]
        done_roots.update(r["id"] for r in rows)
        segment, foa = tree_values(rows, thresholds)
        changed = [
            r
            for r in rows
            if r["segment"] != segment
            or bool(r["first_order_available"]) != foa
            or r["ultimate_parent_id"] != root
        ]
        if not changed:
            continue
        Account.objects.filter(pk__in=[r["id"] for r in changed]).update(
            segment=segment, first_order_available=foa, ultimate_parent_id=root, updated_at=now
        )
        why = reason or "ACCT-SEG / ACCT-CUSTOMER: hierarchy recomputed"
        history.write(
            [
                *history.field_changes(
                    Account,
                    "segment",
                    [(r["id"], r["segment"], segment) for r in changed if r["segment"] != segment],
                    by=by,
                    reason=why,
                    at=now,
                ),
                *history.field_changes(
                    Account,
                    "first_order_available",
                    [
                        (r["id"], bool(r["first_order_available"]), foa)
                        for r in changed
                        if bool(r["first_order_available"]) != foa
                    ],
                    by=by,
                    reason=why,
                    at=now,
                ),
            ]
        )
        changed_total += len(changed)
    return changed_total


def recompute_all(*, batch: int = RECOMPUTE_BATCH) -> int:
    """ACCT-SEG over every hierarchy with the current thresholds, root by root in short
    transactions (a tree is read and written in one statement each); returns how many
    accounts changed. A repeated run changes nothing."""
    changed, after = 0, 0
    while True:
        roots = list(
            Account.objects.filter(parent__isnull=True, merged_into__isnull=True, pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not roots:
            break
        after = roots[-1]
        with transaction.atomic():
            changed += recompute(roots, reason="REF-2: segment thresholds changed")
    log.info("REF-2 segment recompute: %s accounts changed", changed)
    return changed


def tree_for_page(account: Account, limit: int = 200) -> list[tuple[int, Account]]:
    """The hierarchy shown on the account page: (depth, account) from the ultimate parent
    down, children under their parent, in one query over the stored ultimate parent."""
    root_id = account.ultimate_parent_id or account.pk
    members = list(
        Account.objects.filter(ultimate_parent_id=root_id, merged_into__isnull=True)
        .only("id", "name", "segment", "parent_id", "type", "bdr_prospecting_status")
        .order_by("name", "id")[:limit]
    )
    if not any(m.pk == root_id for m in members):
        return [(0, account)] if not members else [(0, m) for m in members]
    children: dict[int | None, list[Account]] = {}
    for m in members:
        children.setdefault(m.parent_id, []).append(m)
    out: list[tuple[int, Account]] = []
    stack = [(0, m) for m in reversed([m for m in members if m.pk == root_id])]
    seen: set[int] = set()
    while stack:
        depth, node = stack.pop()
        if node.pk in seen:
            continue
        seen.add(node.pk)
        out.append((depth, node))
        stack += [(depth + 1, c) for c in reversed(children.get(node.pk, []))]
    return out
