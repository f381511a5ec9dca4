"""VIEW-4: a "from / to" pair of date filters for a date column a list view shows. A date
field compares as it is; a date-time field by its date in the user's time zone (Q-TZ). An
invalid date is a message next to the filter (django-filter's form), never a 500."""

import django_filters
from django import forms


def date_range(
    field_name: str, label: str, *, timestamp: bool = True
) -> tuple[django_filters.DateFilter, django_filters.DateFilter]:
    """(from, to) filters on `field_name`, inclusive at both ends."""
    lookup = "date__" if timestamp else ""

    def one(end: str, op: str) -> django_filters.DateFilter:
        text = f"{label} {end}"
        return django_filters.DateFilter(
            field_name=field_name,
            lookup_expr=f"{lookup}{op}",
            label=text,
            widget=forms.DateInput(attrs={"type": "date", "aria-label": text}),
        )

    return one("from", "gte"), one("to", "lte")
