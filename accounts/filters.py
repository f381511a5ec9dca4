"""VIEW-4 filters of the contact views (B1–B4) and the account views (B1–B3): a from/to pair
on every date column they show, and the columns' other values. A value that is not valid is
a message next to its filter and an empty page, never a 500."""

import django_filters
from django import forms

from gtm_portal.core.date_filters import date_range
from gtm_portal.core.enums import PersonStatus
from gtm_portal.core.filtersets import StyledFilterSet
from gtm_portal.refdata.enums import Segment

from .models import Account, Contact


class ContactViewFilter(StyledFilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=[c for c in PersonStatus.choices if c[0] != PersonStatus.RAW],
        widget=forms.CheckboxSelectMultiple,
    )
    score_min = django_filters.NumberFilter(
        field_name="person_score", lookup_expr="gte", label="Score ≥"
    )
    score_max = django_filters.NumberFilter(
        field_name="person_score", lookup_expr="lte", label="Score ≤"
    )
    moment_from, moment_to = date_range("last_interesting_moment_at", "Last interesting moment")

    class Meta:
        model = Contact
        fields = []


class AccountViewFilter(StyledFilterSet):
    segment = django_filters.ChoiceFilter(choices=Segment.choices, empty_label="Any")
    since_from, since_to = date_range("actively_working_since", "Actively Working since")

    class Meta:
        model = Account
        fields = []
