"""Generic record writes shared by the domain services (STYLE 2.2)."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from . import history


class StaleEdit(ValidationError):
    pass


def check_version(obj, expected_version: int | None) -> None:
    """Q-CONC: refuse the second of two concurrent edits ("changed by X at T, reload")."""
    if expected_version is None or obj.version == expected_version:
        return
    who = obj.updated_by.label if obj.updated_by_id else "someone"
    when = date_format(timezone.localtime(obj.updated_at), "DATETIME_FORMAT")
    raise StaleEdit(
        f"Q-CONC: this record was changed by {who} at {when}; reload it and apply your edit again.",
        code="Q-CONC",
    )


@transaction.atomic
def record_update(*, obj, by, data: dict, reason: str = "", expected_version: int | None = None,
                  immutable: dict[str, str] | None = None):
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
            raise ValidationError({name: f"{rule}: this field can never change once set."},
                                  code=rule)
    changed = history.changed_fields(locked, before)
    if not changed:
        return locked
    if hasattr(locked, "derive"):
        locked.derive()
        changed += list(locked.DERIVED_FIELDS)
    locked.full_clean()
    if hasattr(locked, "version"):
        locked.version += 1
        locked.updated_by = by if getattr(by, "pk", None) else None
        changed += ["version", "updated_by", "updated_at"]
    locked.save(update_fields=[model._meta.get_field(n).name for n in changed])
    history.record_changes(locked, before, before_display, by=by, reason=reason)
    return locked
