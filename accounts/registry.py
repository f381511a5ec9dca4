"""Hook points where the accounts app reaches rows of the apps above it.

Accounts never imports leads or opportunities (STYLE 1), yet an account merge moves their
rows, the BDR Prospecting Status counts their people and deals, and the account page lists
open opportunities. Those apps register what they hold here, from their `hooks.register()`;
with nothing registered, accounts works on its own rows only.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models


@dataclass(frozen=True)
class AccountLink:
    """A foreign key to Account on another app's model. ACCT-DUP: a merge moves its rows to
    the survivor; `plan` names the line of the merge confirmation that counts them ("" for
    rows that move without a line of their own)."""

    model: type[models.Model]
    field: str
    plan: str = ""


@dataclass(frozen=True)
class People:
    """A kind of person at an account: contacts by their account, leads by their matched
    account. ACCT-BPS 2 counts their recent MQLs and engaged people; ACCT-BPS 7 lets one of
    them answer. `mql_filter` narrows the MQLs counted (leads: not yet converted)."""

    model: type[models.Model]
    account_field: str
    mql_filter: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """The model name: the key of a person ("lead:12") and the field linking activities,
        tasks and enrollments to such a person."""
        return self.model._meta.model_name


_links: dict[tuple[type, str], AccountLink] = {}
_people: dict[str, People] = {}
_page_context: dict[str, Callable] = {}
_view_context: dict[str, Callable] = {}
_opportunity_names: Callable | None = None
_duplicate_finders: list[Callable] = []


def register_link(link: AccountLink) -> None:
    _links[(link.model, link.field)] = link


def register_people(people: People) -> None:
    _people[people.kind] = people


def register_page_context(name: str, provider: Callable) -> None:
    """`provider(account)` gives the account page's `name` (opportunities: the open ones)."""
    _page_context[name] = provider


def register_view_context(kind: str, provider: Callable) -> None:
    """`provider(request, view)` adds to the context of the `kind` list views ("contacts":
    the VIEW-5 mass actions the leads app runs on contacts)."""
    _view_context[kind] = provider


def view_context(kind: str, request, view) -> dict:
    provider = _view_context.get(kind)
    return provider(request, view) if provider else {}


def register_opportunity_names(provider: Callable) -> None:
    """`provider(account, since)`: names of the account's opportunities created since then,
    newest first (ACCT-BPS 2: a recent opportunity refuses Actively Working)."""
    global _opportunity_names
    _opportunity_names = provider


def register_duplicate_finder(finder: Callable) -> None:
    """`finder(email=, first_name=, last_name=, company=)`: lines naming the other people a new
    contact would duplicate (leads: "lead Ann Smith"), CONTACT-CREATE's refusal lists them."""
    _duplicate_finders.append(finder)


def links() -> list[AccountLink]:
    """Every registered link, in the order the apps registered them."""
    return list(_links.values())


def other_people() -> list[People]:
    """The people at an account that are not its contacts (leads)."""
    return list(_people.values())


def page_context(account) -> dict:
    return {name: provider(account) for name, provider in _page_context.items()}


def opportunity_names(account, since) -> tuple[str, ...]:
    return tuple(_opportunity_names(account, since)) if _opportunity_names else ()


def duplicate_lines(**person) -> list[str]:
    return [line for finder in _duplicate_finders for line in finder(**person)]
