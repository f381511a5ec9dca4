"""ROUTE-3: hand out pool slots under a row lock, by the pure weighted round robin."""

from django.utils import timezone

from gtm_portal.users.models import User

from ... import round_robin
from ...enums import ROUTING_WEIGHTS
from ...models import PoolMember, RoutingPool


def is_available(member: PoolMember, today) -> bool:
    """REF-6: active, a live user, and not out of office today."""
    out = (
        member.out_of_office_from
        and member.out_of_office_from <= today
        and (member.out_of_office_until is None or today <= member.out_of_office_until)
    )
    return member.active and member.user.is_active and not out


class PoolHandout:
    """ROUTE-3 for a batch: each pool's member rows are locked once (two concurrent batches
    never hand out the same slot), members are picked one after the other by the pure
    weighted round robin, and the counts are written once at the end."""

    def __init__(self, today, *, dry_run: bool = False, known_pools: dict | None = None):
        self.today, self.dry_run = today, dry_run
        self.known = known_pools
        self.pools: dict[str, tuple] = {}

    def load(self, pool_name: str):
        if pool_name not in self.pools:
            pool = (
                self.known.get(pool_name)
                if self.known is not None
                else RoutingPool.objects.filter(name=pool_name, active=True).first()
            )
            members = []
            if pool is not None:
                qs = PoolMember.objects.filter(pool=pool)
                if not self.dry_run:
                    qs = qs.select_for_update(of=("self",))
                members = [
                    m
                    for m in qs.select_related(
                        "user", "user__region", "user__region__parent"
                    ).order_by("id")
                    if is_available(m, self.today)
                ]
            self.pools[pool_name] = (pool, members, {})
        return self.pools[pool_name]

    def take(self, pool_name: str) -> tuple[User | None, RoutingPool | None, str]:
        pool, available, added = self.load(pool_name)
        if pool is None:
            return None, None, f"Pool {pool_name} is missing or inactive."
        slots = [
            round_robin.Slot(
                key=m.pk,
                weight=ROUTING_WEIGHTS.get(m.level, 0),
                assigned=m.assigned + added.get(m.pk, 0),
            )
            for m in available
        ]
        chosen_id = round_robin.pick(slots)
        if chosen_id is None:
            return None, pool, f"Pool {pool_name} has no available member with a weight above 0."
        added[chosen_id] = added.get(chosen_id, 0) + 1
        member = next(m for m in available if m.pk == chosen_id)
        share = ", ".join(
            f"{m.user.username} {m.level} {m.assigned + added.get(m.pk, 0)}" for m in available
        )
        return (
            member.user,
            pool,
            (
                f"Weighted round robin in {pool_name}: {member.user.username} "
                f"is furthest behind their share (hand-outs: {share})."
            ),
        )

    def users(self) -> list[User]:
        return [m.user for _pool, members, _added in self.pools.values() for m in members]

    def save(self, now) -> None:
        if self.dry_run:
            return
        for _pool, available, added in self.pools.values():
            changed = [m for m in available if added.get(m.pk)]
            for m in changed:
                m.assigned += added[m.pk]
                m.last_assigned_at = now
            if changed:
                PoolMember.objects.bulk_update(changed, ["assigned", "last_assigned_at"])


def take_pool_slot(
    pool_name: str, today, *, dry_run: bool = False
) -> tuple[User | None, RoutingPool | None, str]:
    """ROUTE-3 for one hand-out (the preview passes dry_run: nothing locked or counted)."""
    handout = PoolHandout(today, dry_run=dry_run)
    result = handout.take(pool_name)
    handout.save(timezone.now())
    return result
