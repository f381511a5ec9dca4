"""Field history (Q-AUDIT, STYLE 2.8): snapshot before, diff after, one FieldChange per field."""
import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .models import FieldChange

UNTRACKED = {"id", "created_at", "updated_at", "version", "updated_by"}


def tracked_fields(model) -> list[str]:
    """Fields whose changes get history rows; a model may leave out fields that keep their
    own finer log (`HISTORY_EXCLUDE`, e.g. scores, which have score events)."""
    skip = UNTRACKED | set(getattr(model, "HISTORY_EXCLUDE", ()))
    return [f.name for f in model._meta.concrete_fields if f.name not in skip and not f.primary_key]


def snapshot(obj, fields: Iterable[str] | None = None) -> dict:
    fields = fields or tracked_fields(type(obj))
    return {name: _raw(obj, name) for name in fields}


def _raw(obj, name):
    field = obj._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        return getattr(obj, field.attname)
    return getattr(obj, name)


def display_value(obj, name) -> str:
    field = obj._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        related = getattr(obj, name)
        return "" if related is None else str(related)
    value = getattr(obj, name)
    if value is None:
        return ""
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
    return [name for name, old in before.items() if _raw(obj, name) != old]


def record_changes(obj, before: dict, before_display: dict, *, by, reason: str = "",
                   at=None) -> list[FieldChange]:
    """Write one FieldChange per field that differs from `before`."""
    rows = changes(obj, before, before_display, by=by, reason=reason, at=at)
    return FieldChange.objects.bulk_create(rows) if rows else []


def changes(obj, before: dict, before_display: dict, *, by, reason: str = "",
            at=None, shown: dict | None = None) -> list[FieldChange]:
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
            content_type=ct, object_id=obj.pk, field=name,
            old_value=before_display.get(name, ""), new_value=_shown(obj, name, shown),
            changed_by=by if getattr(by, "pk", None) else None, changed_at=at,
            reason=reason[:500],
        )
        for name in names
    ]


def _shown(obj, name, cache: dict | None) -> str:
    if cache is None:
        return display_value(obj, name)
    key = (name, _raw(obj, name))
    try:
        return cache[key]
    except KeyError:
        out = cache[key] = display_value(obj, name)
        return out
    except TypeError:   # not hashable
        return display_value(obj, name)


def display_snapshot(obj, fields: Iterable[str]) -> dict:
    return {name: display_value(obj, name) for name in fields}


def history_for(obj, limit: int = 200):
    ct = ContentType.objects.get_for_model(type(obj))
    return (FieldChange.objects.filter(content_type=ct, object_id=obj.pk)
            .select_related("changed_by").order_by("-changed_at", "-id")[:limit])
