"""VIEW-5 mass-action machinery shared by the lead and account views: each row goes through
the same service as the single action, in its own savepoint, so a refused row stays exactly
as it was and the others still happen."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect

from .input_guard import parse_id

MAX_ROWS = 500


@dataclass
class Outcome:
    done: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (record, reason)

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


def mass_action_view(request, *, views: dict, code: str, base: str, actions, matching=None):
    """VIEW-5 over HTTP for any view catalogue: POST the selected rows and an action to
    `actions.run`; the per-row outcome comes back as a message on the view (`base` + code).
    With `scope=all` (the bulk bar's "all N matching") the rows are every row the view
    shows this user with the filters in the query string: `matching(request, view)` gives
    their ids; more than MAX_ROWS are refused as a whole."""

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    view = views.get(code.upper())
    if view is None:
        raise Http404("No such view.")
    back = request.POST.get("next") or f"{base}{view.code}/"
    if not back.startswith(base):
        back = f"{base}{view.code}/"
    if request.POST.get("scope") == "all" and matching is not None:
        ids = list(matching(request, view)[: MAX_ROWS + 1])
        if len(ids) > MAX_ROWS:
            messages.error(
                request,
                f"VIEW-5: more than {MAX_ROWS} rows match; a mass action takes at most "
                f"{MAX_ROWS} at a time. Narrow the filters; nothing was changed.",
            )
            return HttpResponseRedirect(back)
    else:
        ids = [i for i in map(parse_id, request.POST.getlist("ids")) if i is not None]
    if not ids:
        messages.error(request, "VIEW-5: select at least one row.")
        return HttpResponseRedirect(back)
    try:
        outcome = actions.run(
            action=request.POST.get("action", ""), ids=ids, by=request.user, params=request.POST
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(back)
    level = messages.success if not outcome.refused else messages.warning
    level(request, f"{actions.ACTIONS[request.POST['action']]}: {outcome.summary.rstrip('.')}.")
    return HttpResponseRedirect(back)
