"""Field history (Q-AUDIT, STYLE 2.8): the one path for FieldChange rows.

A record's own edit takes a snapshot before and writes one row per changed field after
(`record_changes`). A set-based write of one field over many records writes its rows with
`bulk_changes` (or builds them with `field_changes`, to save several fields' together with
`write`). A change to rows that belong to a record (an opportunity's contact roles, an
account merged into another, a record created by a list import) is one line in that
record's history (`related_change`, `bulk_related_changes` for many).
Every value is written as people read it (`display_value`), whichever path wrote it.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .bulk import insert_values
from .models import FieldChange

UNTRACKED = {"id", "created_at", "updated_at", "version", "updated_by"}
REASON_MAX = FieldChange._meta.get_field("reason").max_length


def tracked_fields(model) -> list[str]:
    """Fields whose changes get history rows; a model may leave out fields that keep their
    own finer log (`HISTORY_EXCLUDE`, e.g. scores, which have score events)."""
    skip = UNTRACKED | set(getattr(model, "HISTORY_EXCLUDE", ()))
    return [f.name for f in model._meta.concrete_fields if f.name not in skip and not f.primary_key]


def snapshot(obj, fields: Iterable[str] | None = None) -> dict:
    fields = fields or tracked_fields(type(obj))
    return {name: raw_value(obj, name) for name in fields}


def raw_value(obj, name):
    """The field's stored value: the id for a foreign key (no query)."""
    field = obj._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        return getattr(obj, field.attname)
    return getattr(obj, name)


def display_value(obj, name) -> str:
    """The field's value on `obj` as people read it."""
    return field_display(obj._meta.get_field(name), getattr(obj, name))


def field_display(field, value) -> str:
    """A value of `field` as people read it: a related record's label, a choice's label,
    otherwise `format_value`; nothing for None."""
    if value is None:
        return ""
    if isinstance(field, models.ForeignKey):
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return format_value(value)


def format_value(value) -> str:
    """A value as people read it: local time (Q-TZ), thousands separators, Yes/No."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z").strip()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def changed_fields(obj, before: dict) -> list[str]:
    return [name for name, old in before.items() if raw_value(obj, name) != old]


def _actor(by):
    """Who goes in `changed_by`: a saved user, else nobody (jobs, imports)."""
    return by if getattr(by, "pk", None) else None


def record_changes(
    obj, before: dict, before_display: dict, *, by, reason: str = "", at=None
) -> list[FieldChange]:
    """Write one FieldChange per field that differs from `before`."""
    rows = changes(obj, before, before_display, by=by, reason=reason, at=at)
    return FieldChange.objects.bulk_create(rows) if rows else []


def changes(
    obj,
    before: dict,
    before_display: dict,
    *,
    by,
    reason: str = "",
    at=None,
    shown: dict | None = None,
) -> list[FieldChange]:
    """The FieldChange rows `record_changes` would write, unsaved (batches write them in one
    statement). `shown`: a batch's {(field, raw value): display} cache, so each new value is
    worked out once per batch."""
    names = changed_fields(obj, before)
    if not names:
        return []
    at = at or timezone.now()
    ct = ContentType.objects.get_for_model(type(obj))
    return [
        FieldChange(
            content_type=ct,
            object_id=obj.pk,
            field=name,
            old_value=before_display.get(name, ""),
            new_value=_shown(obj, name, shown),
            changed_by=_actor(by),
            changed_at=at,
            reason=reason[:REASON_MAX],
        )
        for name in names
    ]


def _shown(obj, name, cache: dict | None) -> str:
    if cache is None:
        return display_value(obj, name)
    key = (name, raw_value(obj, name))
    try:
        return cache[key]
    except KeyError:
        out = cache[key] = display_value(obj, name)
        return out
    except TypeError:  # not hashable
        return display_value(obj, name)


def display_snapshot(obj, fields: Iterable[str]) -> dict:
    return {name: display_value(obj, name) for name in fields}


def field_changes(model, field: str, rows, *, by, reason: str = "", at=None) -> list[FieldChange]:
    """The history rows of a set-based write of one field over many records, unsaved (a
    caller writing several fields saves them together with `write`). `rows`: (pk, old, new)
    with the values as the model's attribute holds them — for a foreign key the related
    object or its id (ids are read in one query). Values are shown as `display_value` shows
    them."""
    shown = _shown_rows(model, field, rows)
    if not shown:
        return []
    ct = ContentType.objects.get_for_model(model)
    at, by, reason = at or timezone.now(), _actor(by), reason[:REASON_MAX]
    return [
        FieldChange(
            content_type=ct,
            object_id=pk,
            field=field,
            old_value=old,
            new_value=new,
            changed_by=by,
            changed_at=at,
            reason=reason,
        )
        for pk, old, new in shown
    ]


def _shown_rows(model, field: str, rows) -> list[tuple]:
    """(pk, old, new) with both values as people read them."""
    rows = list(rows)
    show = _display_for(
        model._meta.get_field(field), [value for _pk, old, new in rows for value in (old, new)]
    )
    return [(pk, show(old), show(new)) for pk, old, new in rows]


def _display_for(field, values):
    """`field_display` for a batch's values, each worked out once; a foreign key's ids are
    read together."""
    if isinstance(field, models.ForeignKey):
        ids = {v for v in values if v is not None and not isinstance(v, models.Model)}
        related = field.related_model._meta.base_manager.in_bulk(ids) if ids else {}
        labels = {pk: str(obj) for pk, obj in related.items()}

        def show_related(value) -> str:
            if value is None or isinstance(value, models.Model):
                return field_display(field, value)
            return labels.get(value, "")

        return show_related
    cache: dict = {}

    def show(value) -> str:
        try:
            return cache[value]
        except KeyError:
            out = cache[value] = field_display(field, value)
            return out
        except TypeError:  # not hashable (a JSON value)
            return field_display(field, value)

    return show


def write(rows: list[FieldChange]) -> list[FieldChange]:
    """Save history rows built by `field_changes` (or `changes`) together."""
    return FieldChange.objects.bulk_create(rows, batch_size=2000) if rows else []


def bulk_changes(model, field: str, rows, *, by, reason: str = "", at=None) -> int:
    """Write the history of a set-based write of one field over many records, as
    `field_changes` would build it (same values, same display), in one statement
    (`bulk.insert_values`: CONTACT-OWNER re-owns 10,000 contacts at once, and building
    10,000 model objects doubled that write, SPEC Q-PERF); returns how many rows."""
    return _insert_lines(model, field, _shown_rows(model, field, rows), by, reason, at)


def _insert_lines(model, field: str, lines, by, reason: str, at) -> int:
    """History lines (pk, old, new) of `model` records, one multi-row insert."""
    ct = ContentType.objects.get_for_model(model).pk
    by_id = getattr(_actor(by), "pk", None)
    at, reason = at or timezone.now(), reason[:REASON_MAX]
    return insert_values(
        FieldChange,
        BULK_COLUMNS,
        [(ct, pk, field, old, new, by_id, at, reason) for pk, old, new in lines],
    )


BULK_COLUMNS = [
    "content_type_id",
    "object_id",
    "field",
    "old_value",
    "new_value",
    "changed_by_id",
    "changed_at",
    "reason",
]


def related_change(obj, field: str, what: str, *, by, reason: str = "", at=None) -> FieldChange:
    """One line in `obj`'s history for a change to rows that belong to it rather than to a
    field of its own (an opportunity's contact roles, an account merged into this one):
    `field` names the part that changed, `what` says how; `bulk_related_changes` writes the
    same line for many records."""
    return FieldChange.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        field=field,
        old_value="",
        new_value=what[:REASON_MAX],
        changed_by=_actor(by),
        changed_at=at or timezone.now(),
        reason=reason[:REASON_MAX],
    )


def bulk_related_changes(model, field: str, rows, *, by, reason: str = "", at=None) -> int:
    """`related_change` for many records at once (a list import's new people: one "record:
    created …" line each), in one statement like `bulk_changes`. `rows`: (pk, what).
    Returns how many rows."""
    lines = [(pk, "", what[:REASON_MAX]) for pk, what in rows]
    return _insert_lines(model, field, lines, by, reason, at)


def history_for(obj, limit: int = 200):
    ct = ContentType.objects.get_for_model(type(obj))
    return (
        FieldChange.objects.filter(content_type=ct, object_id=obj.pk)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")[:limit]
    )
