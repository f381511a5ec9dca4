import django_filters
from django import forms

from gtm_portal.core.date_filters import date_range
from gtm_portal.core.enums import PersonStatus
from gtm_portal.refdata.enums import Segment, SourceBucket
from gtm_portal.refdata.models import InitialSource, Region

from .models import Lead
from .rule_context import cached


# Choice lists come from the cache so a list page stays within its query budget (Q-PERF).
def region_choices():
    return cached(
        "region_choices",
        lambda: [
            (r.code, r.name) for r in Region.objects.filter(parent__isnull=True).order_by("code")
        ],
    )


def source_choices():
    return cached(
        "source_choices",
        lambda: [
            (n, n) for n in InitialSource.objects.order_by("name").values_list("name", flat=True)
        ],
    )


class LeadViewFilter(django_filters.FilterSet):
    """VIEW-4 filters shared by every lead view."""

    status = django_filters.MultipleChoiceFilter(
        choices=PersonStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    region = django_filters.ChoiceFilter(field_name="region__code", choices=region_choices)
    segment = django_filters.ChoiceFilter(
        field_name="matched_account__segment", choices=Segment.choices, label="Account segment"
    )
    initial_source = django_filters.ChoiceFilter(
        field_name="initial_source__name", choices=source_choices
    )
    bucket = django_filters.ChoiceFilter(
        field_name="initial_source__bucket", choices=SourceBucket.choices, label="Source bucket"
    )
    score_min = django_filters.NumberFilter(
        field_name="person_score", lookup_expr="gte", label="Score ≥"
    )
    score_max = django_filters.NumberFilter(
        field_name="person_score", lookup_expr="lte", label="Score ≤"
    )
    owner = django_filters.CharFilter(field_name="owner__username", label="Owner (username)")
    created_from = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label="Created from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_to = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label="Created to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    # VIEW-4: the other date columns the lead views show.
    sla_from, sla_to = date_range("sla_due", "SLA due")
    moment_from, moment_to = date_range("last_interesting_moment_at", "Last interesting moment")

    class Meta:
        model = Lead
        fields = []
