"""VIEW-5 mass-action machinery shared by the lead and account views: each row goes through
the same service as the single action, in its own savepoint, so a refused row stays exactly
as it was and the others still happen."""
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

MAX_ROWS = 500


@dataclass
class Outcome:
    done: list = field(default_factory=list)
    refused: list = field(default_factory=list)   # (record, reason)

    @property
    def summary(self) -> str:
        text = f"{len(self.done)} done"
        if self.refused:
            reasons = "; ".join(f"{row.name}: {why}" for row, why in self.refused[:10])
            more = f" (+{len(self.refused) - 10} more)" if len(self.refused) > 10 else ""
            text += f", {len(self.refused)} refused: {reasons}{more}"
        return text


def why(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "not allowed"


def each_row(rows: Iterable, apply: Callable, refusals: tuple = ()) -> Outcome:
    """Apply `apply(row)` to every row in its own savepoint; refusals (validation,
    permission and the given exception types) are collected per row."""
    outcome = Outcome()
    for row in rows:
        try:
            with transaction.atomic():
                apply(row)
        except (ValidationError, PermissionDenied, *refusals) as exc:
            outcome.refused.append((row, why(exc)))
        else:
            outcome.done.append(row)
    return outcome
