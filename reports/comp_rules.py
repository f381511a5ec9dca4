"""REPORT-COMP, pure: a part's factor is its attainment, plus (multiplier − 1) × the
attainment above 100% (up to the ceiling); below the floor the part pays 0; above the ceiling
it counts the ceiling. Variable payout = Σ share × factor."""

from dataclasses import dataclass
from decimal import Decimal

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Part:
    kind: str
    share_pct: Decimal
    floor_pct: Decimal | None = None
    ceiling_pct: Decimal | None = None
    multiplier: Decimal = Decimal(1)


def factor(attainment: Decimal, part: Part) -> Decimal:
    """Individual (no floor or ceiling, ×1.5): 120 → 130. Team (floor 75, ceiling 150,
    ×1.25): 80 → 80, 70 → 0, 120 → 125, 160 → 162.5."""
    if part.floor_pct is not None and attainment < part.floor_pct:
        return Decimal(0)
    counted = attainment if part.ceiling_pct is None else min(attainment, part.ceiling_pct)
    return counted + (part.multiplier - 1) * max(Decimal(0), counted - HUNDRED)


def payout(factors: dict[str, Decimal], parts: list[Part]) -> Decimal:
    """Σ share × factor, in % of the variable pay (standard: 0.7 × 130 + 0.3 × 80 = 115)."""
    return sum((p.share_pct / HUNDRED * factors.get(p.kind, Decimal(0)) for p in parts), Decimal(0))


def formula(parts: list[Part]) -> str:
    terms = []
    for p in parts:
        bits = []
        if p.floor_pct is not None:
            bits.append(f"floor {p.floor_pct.normalize():f}%")
        if p.ceiling_pct is not None:
            bits.append(f"ceiling {p.ceiling_pct.normalize():f}%")
        if p.multiplier != 1:
            bits.append(f"×{p.multiplier.normalize():f} above 100%")
        extra = f" ({', '.join(bits)})" if bits else ""
        terms.append(f"{p.share_pct.normalize():f}% × {p.kind} factor{extra}")
    return "variable payout = " + " + ".join(terms)
