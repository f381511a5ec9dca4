"""VIEW-4 filters of the opportunity list and the AE's views. Choice lists and usernames come
from the small-table snapshot (gtm_portal.core.labels), so a page stays within its query
budget (SPEC Q-PERF); a value that is not valid gets its message next to the filter."""

import django_filters
from django import forms

from gtm_portal.core.filtersets import StyledFilterSet
from gtm_portal.core.labels import cached_rows
from gtm_portal.refdata.enums import Segment, SourceBucket
from gtm_portal.refdata.models import InitialSource, Region
from gtm_portal.users.models import User

from .enums import OpportunityType, OrderType, Stage
from .models import Opportunity


def region_choices():
    return [
        (r.code, r.name)
        for r in sorted(cached_rows(Region), key=lambda r: r.code)
        if not r.parent_id
    ]


def source_choices():
    return [(s.name, s.name) for s in sorted(cached_rows(InitialSource), key=lambda s: s.name)]


class UsernameField(forms.CharField):
    """A user (or queue) named by username; cleans to the user's id."""

    def clean(self, value):
        username = super().clean(value)
        if not username:
            return None
        user_id = next((u.pk for u in cached_rows(User) if u.username == username), None)
        if user_id is None:
            raise forms.ValidationError(f"No user with the username “{username}”.")
        return user_id


class UserFilter(django_filters.Filter):
    field_class = UsernameField


def _date(label: str) -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "aria-label": label})


class OpportunityFilter(StyledFilterSet):
    """VIEW-4: stage, people, account segment and region, order type, type, close date and
    IACV ranges, source and source bucket."""

    stage = django_filters.MultipleChoiceFilter(
        choices=Stage.choices, widget=forms.CheckboxSelectMultiple
    )
    owner = UserFilter(field_name="owner", label="Owner (username)")
    sdr_bdr = UserFilter(field_name="sdr_bdr", label="SDR/BDR (username)")
    segment = django_filters.ChoiceFilter(
        field_name="account__segment", choices=Segment.choices, label="Account segment"
    )
    region = django_filters.ChoiceFilter(
        choices=region_choices, method="in_region", label="Account region"
    )
    order_type = django_filters.ChoiceFilter(choices=OrderType.choices)
    type = django_filters.ChoiceFilter(choices=OpportunityType.choices)
    close_from = django_filters.DateFilter(
        field_name="close_date", lookup_expr="gte", label="Close from", widget=_date("Close from")
    )
    close_to = django_filters.DateFilter(
        field_name="close_date", lookup_expr="lte", label="Close to", widget=_date("Close to")
    )
    # The model's precision: a larger number is a message, not a database error.
    iacv_min = django_filters.NumberFilter(
        field_name="iacv", lookup_expr="gte", label="IACV ≥", max_digits=14, decimal_places=2
    )
    iacv_max = django_filters.NumberFilter(
        field_name="iacv", lookup_expr="lte", label="IACV ≤", max_digits=14, decimal_places=2
    )
    source = django_filters.ChoiceFilter(
        field_name="source__name", choices=source_choices, label="Source"
    )
    bucket = django_filters.ChoiceFilter(
        field_name="source__bucket", choices=SourceBucket.choices, label="Source bucket"
    )

    class Meta:
        model = Opportunity
        fields = []

    def __init__(self, *args, owner_fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if owner_fixed:  # a "my …" view: its owner is the view's
            del self.filters["owner"]

    def in_region(self, queryset, name, value):
        """REF-1: a region takes in its sub-regions (AMER → US East, US West, Canada)."""
        regions = cached_rows(Region)
        code_of = {r.pk: r.code for r in regions}
        ids = [r.pk for r in regions if value in (r.code, code_of.get(r.parent_id))]
        return queryset.filter(account__region_id__in=ids)
