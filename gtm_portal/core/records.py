"""The record kinds the shared apps work on — leads, contacts, accounts, opportunities.

Each domain app registers its kinds from its `AppConfig.ready()` (through its `hooks.py`), so
core, chatter and activity find a record's model, URL kind and link field here instead of
importing a domain app or naming its models in strings (STYLE 1).
"""

from dataclasses import dataclass

from django.http import Http404


@dataclass(frozen=True)
class RecordKind:
    url_kind: str  # the URL's kind: /leads/<id>/, /contacts/<id>/, …
    model: type
    claimable: bool = False  # ACCT-CLAIM: claims and transfer requests (not opportunities)

    @property
    def name(self) -> str:
        """The model name: also the field that links an activity or task to such a record
        (activity.models.RecordLinks)."""
        return self.model._meta.model_name


_by_url: dict[str, RecordKind] = {}
_by_name: dict[str, RecordKind] = {}


def register(kind: RecordKind) -> None:
    _by_url[kind.url_kind] = kind
    _by_name[kind.name] = kind


def kinds() -> list[RecordKind]:
    """Every registered kind, in the order the apps registered them."""
    return list(_by_url.values())


def kind_of(record_or_model) -> RecordKind:
    """The kind of a record (or model); KeyError for a model nobody registered."""
    return _by_name[record_or_model._meta.model_name]


def kind_for_url_or_404(url_kind: str, *, claimable: bool = False) -> RecordKind:
    kind = _by_url.get(url_kind)
    if kind is None or (claimable and not kind.claimable):
        raise Http404("No such record kind.")
    return kind


def record_or_404(url_kind: str, pk: int, *, claimable: bool = False):
    """The record at /<url_kind>/<pk>/ (404 for an unknown kind or id)."""
    model = kind_for_url_or_404(url_kind, claimable=claimable).model
    try:
        return model.objects.get(pk=pk)
    except model.DoesNotExist:
        raise Http404("No such record.") from None
