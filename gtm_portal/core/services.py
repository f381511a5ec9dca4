"""Generic record writes shared by the domain services (STYLE 2.2)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format

from . import history


class StaleEdit(Exception):
    """Q-CONC: the record changed since the user opened the form. Not a ValidationError: no
    form can fix it, so views let it through and `StaleEditMiddleware` answers 409 (the edit
    form catches it itself to keep what the user typed)."""

    code = "Q-CONC"

    def __init__(self, record, message: str):
        super().__init__(message)
        self.record = record
        self.message = message


def check_version(obj, expected_version: int | None) -> None:
    """Q-CONC: refuse the second of two concurrent edits ("changed by X at T, reload").
    Call it on the row read under its lock."""
    if expected_version is None or obj.version == expected_version:
        return
    who = obj.updated_by.label if obj.updated_by_id else "someone"
    when = date_format(timezone.localtime(obj.updated_at), "DATETIME_FORMAT")
    raise StaleEdit(
        obj,
        f"Q-CONC: this record was changed by {who} at {when}; reload it and apply your edit again.",
    )


def touch(record, by) -> list[str]:
    """Q-CONC: `record` changed — a new version, by `by` (a user, or None for jobs). Returns
    the columns to add to `save(update_fields=…)`, so any form opened before goes stale."""
    record.version += 1
    record.updated_by = by if getattr(by, "pk", None) else None
    return ["version", "updated_by", "updated_at"]


def touched(by, at) -> dict:
    """`touch` for a set-based write (`QuerySet.update(**touched(by, now), …)`): every row
    a new version, by `by` (None for jobs), at `at`."""
    return {
        "version": F("version") + 1,
        "updated_by": by if getattr(by, "pk", None) else None,
        "updated_at": at,
    }


def version_from(data) -> int | None:
    """The `version` a form posted (the one the user saw), or None when it sent none."""
    value = str(data.get("version") or "").strip()
    return int(value) if value.isdigit() else None


@transaction.atomic
def record_update(
    *,
    obj,
    by,
    data: dict,
    reason: str = "",
    expected_version: int | None = None,
    immutable: dict[str, str] | None = None,
):
    """Apply `data` to `obj` under a row lock, with history rows for every changed field.

    `immutable` maps field name → the SPEC rule that forbids changing it once set; a change
    to such a field is refused and nothing is written.
    """
    model = type(obj)
    locked = model.objects.select_for_update().get(pk=obj.pk)
    check_version(locked, expected_version)
    fields = history.tracked_fields(model)
    before = history.snapshot(locked, fields)
    before_display = history.display_snapshot(locked, fields)
    for name, value in data.items():
        if name not in fields:
            raise ValidationError({name: f"{name} cannot be edited here."})
        setattr(locked, name, value)
    for name, rule in (immutable or {}).items():
        if before.get(name) is not None and history.snapshot(locked, [name])[name] != before[name]:
            raise ValidationError(
                {name: f"{rule}: this field can never change once set."}, code=rule
            )
    changed = history.changed_fields(locked, before)
    if not changed:
        return locked
    if hasattr(locked, "derive"):
        locked.derive()
        changed += list(locked.DERIVED_FIELDS)
    locked.full_clean()
    if hasattr(locked, "version"):
        changed += touch(locked, by)
    locked.save(update_fields=[model._meta.get_field(n).name for n in changed])
    history.record_changes(locked, before, before_display, by=by, reason=reason)
    return locked
