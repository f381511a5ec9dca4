"""Model metadata the batch SQL and messages read: a concrete field by name (its column, its
label), for code that names fields as strings (set-based writes, generic history lines)."""

from django.db import models


def concrete_field(model: type[models.Model], name: str) -> models.Field:
    """The model's concrete field `name` (a relation's reverse side or a generic key is not a
    column: TypeError)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    return field
