"""Related rows read only for their label and link (SPEC Q-PERF).

A record page names a dozen related rows — owner, parent account, country, merged-into
record — but shows only a name and a link for each. `select_related` on all of them made the
query join a dozen tables: PostgreSQL then spent 10–20 ms *planning* it (the join search grows
exponentially past ~6 relations), and every column of the wide user and account rows was read
and turned into objects. `select_labels` instead

- takes rows of the small tables (users and queues, regions, countries, initial sources,
  reasons) from a per-process snapshot: no join at all. The snapshot is rebuilt when any of
  those rows is saved or deleted (`core.snapshots`) and at least every 30 seconds; each
  record gets its own copy of the row;
- joins the other relations but reads, of each, only the columns its label, link and access
  checks use (`LABEL_FIELDS` on the model; every column when a model has none, or for the
  `full` relations)."""

import copy

from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.db.models.signals import post_delete, post_save

from gtm_portal.refdata.models import Country, InitialSource, Reason, Region
from gtm_portal.users.models import User

from . import snapshots

# Whatever the label, the link and the access checks (ROLE-3, ACCT-CLAIM) read of a user.
USER_LABEL_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "display_name",
    "kind",
    "is_active",
    "manager",
    "team",
    "region",
    "time_zone",
)
TTL_SECONDS = 30
# The token that changes whenever a user, region, country, source or reason is saved or
# deleted: other per-process stores of such rows (routing's users) follow it too.
KEY = "labels:generation"


def _small_models() -> tuple:

    return (User, Region, Country, InitialSource, Reason)


def _label_fields(model) -> tuple[str, ...] | None:

    if model is User:
        return USER_LABEL_FIELDS
    return getattr(model, "LABEL_FIELDS", None)


# -- the snapshot of small tables ---------------------------------------------------------

# Each table is read when first needed: {model: {pk: row}}.
_tables: snapshots.Snapshot[dict] = snapshots.Snapshot(KEY, dict, ttl=TTL_SECONDS)


def bump(*_args, **_kwargs) -> None:
    """Every process rebuilds its snapshot (a small-table row was saved or deleted)."""
    _tables.bump()


def _load(model) -> dict:

    qs = model._default_manager.all()
    if model is User:
        qs = qs.only(*USER_LABEL_FIELDS)
    return {obj.pk: obj for obj in qs}


def _rows(model, refresh: bool = False) -> dict:
    """The snapshot of one small table."""
    tables = _tables.get()
    if refresh or model not in tables:
        tables[model] = _load(model)
    return tables[model]


def clear() -> None:
    _tables.clear()


def cached_rows(model) -> list:
    """Every row of a small table, from the snapshot (read them, do not change them)."""
    return list(_rows(model).values())


def cached_row(model, pk):
    """A copy of the row `pk` of a small table (None when it does not exist)."""
    if pk is None:
        return None
    rows = _rows(model)
    if pk not in rows:  # written without a signal (bulk_create): read the table again
        rows = _rows(model, refresh=True)
    row = rows.get(pk)
    return copy.copy(row) if row is not None else None


def connect_signals() -> None:
    for model in _small_models():
        post_save.connect(bump, sender=model, dispatch_uid=f"labels-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"labels-del-{model.__name__}")


# -- the queryset helper -------------------------------------------------------------------


class _AttachCached(ModelIterable):
    """Model rows with their small-table relations set from the snapshot: one copy of each
    related row per query result (rows of one page share their owner's copy)."""

    cached_fields: tuple = ()

    def __iter__(self):
        copies: dict = {}
        for obj in super().__iter__():
            for field in self.cached_fields:
                key = (field.related_model, getattr(obj, field.attname))
                if key not in copies:
                    copies[key] = cached_row(*key)
                field.set_cached_value(obj, copies[key])
            yield obj


def select_labels(
    qs: QuerySet,
    *paths: str,
    full: tuple[str, ...] = (),
    fields: tuple[str, ...] | None = None,
    also: dict[str, tuple[str, ...]] | None = None,
) -> QuerySet:
    """`qs.select_related(*paths, *full)` in effect: small-table relations among `paths` come
    from the snapshot, the other `paths` are joined for their label columns (and the columns
    `also` names for them) only, the `full` relations are joined whole; of the main model,
    its `fields` (all when not given)."""
    model = qs.model
    small = _small_models()
    keep = list(fields) if fields is not None else [f.name for f in model._meta.concrete_fields]
    joined, attached = [], []
    for path in (*paths, *full):
        related, field = model, None
        for part in path.split("__"):
            field = related._meta.get_field(part)
            related = field.related_model
        if path in paths and "__" not in path and related in small:
            attached.append(field)
            if field.name not in keep:
                keep.append(field.name)
            continue
        joined.append(path)
        names = None if path in full else _label_fields(related)
        if names is None:
            names = [f.name for f in related._meta.concrete_fields]
        names = [*names, *(also or {}).get(path, ())]
        keep += [f"{path}__{name}" for name in names]
    qs = qs.select_related(*joined).only(*keep) if joined else qs.only(*keep)
    if attached:
        # Django has no public hook for the rows a queryset yields; this one is stable since
        # Django 1.9 and covered by the labels tests.
        qs._iterable_class = type(  # noqa: SLF001
            "AttachCached", (_AttachCached,), {"cached_fields": tuple(attached)}
        )
    return qs
