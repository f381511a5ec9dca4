"""ROUTE-3 weighted round robin, pure: the next member of a pool.

Each member's share is its weight over the pool's total weight (Expert 100, Ramping 50,
Onboarding 0). The member furthest behind its exact share goes next — the deficit rule of
smooth weighted round robin — so over any run of N hand-outs every member's count stays
within ±1 of its exact share. Ties go to the earlier member in a fixed order."""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Slot:
    key: int
    weight: int
    assigned: int


def pick(slots: Sequence[Slot]):
    live = [s for s in slots if s.weight > 0]
    if not live:
        return None
    total_weight = sum(s.weight for s in live)
    handed = sum(s.assigned for s in live)
    return max(
        live, key=lambda s: ((handed + 1) * s.weight - total_weight * s.assigned, -live.index(s))
    ).key
