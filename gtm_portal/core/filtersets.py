"""The look of every list view's filter form (VIEW-4): Bootstrap classes on each widget and
"Any" as a choice filter's empty choice."""

import django_filters
from django import forms


class StyledFilterSet(django_filters.FilterSet):
    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
                field.empty_label = "Any"
            else:
                widget.attrs["class"] = "form-control form-control-sm"
        return form
