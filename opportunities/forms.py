from django import forms

from gtm_portal.refdata.enums import ReasonKind
from gtm_portal.refdata.models import Reason

from .enums import Stage
from .models import Opportunity


class StageForm(forms.Form):
    """The stage form (CONTRACT 6): `stage` is the stage label; the other fields are what
    some target stages need (OPP-V3, V6, V8, V9). The rules themselves live in `workflow`."""

    stage = forms.ChoiceField(choices=Stage.choices, label="Move to stage")
    unqualified_reason = forms.ModelChoiceField(
        queryset=Reason.objects.filter(kind=ReasonKind.UNQUALIFIED, active=True), required=False)
    closed_lost_reasons = forms.ModelMultipleChoiceField(
        queryset=Reason.objects.filter(kind=ReasonKind.CLOSED_LOST, active=True), required=False,
        widget=forms.CheckboxSelectMultiple)
    closed_lost_detail = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    merged_opportunity = forms.ModelChoiceField(queryset=Opportunity.objects.all(),
                                                required=False, widget=forms.NumberInput,
                                                label="Merged opportunity (id)")
    closed_won_details = forms.CharField(required=False,
                                         widget=forms.Textarea(attrs={"rows": 2}))
    po_expected = forms.TypedChoiceField(
        choices=[("", "—"), ("yes", "Yes"), ("no", "No")], required=False,
        coerce=lambda v: {"yes": True, "no": False}.get(v), empty_value=None,
        label="PO expected")
    reason = forms.CharField(required=False, max_length=300,
                             label="Reason (Sales Support moving an accepted opportunity back)")

    def stage_data(self) -> dict:
        data = {}
        cd = self.cleaned_data
        for name in ("unqualified_reason", "merged_opportunity"):
            if cd.get(name) is not None:
                data[name] = cd[name]
        for name in ("closed_lost_detail", "closed_won_details", "reason"):
            if cd.get(name):
                data[name] = cd[name]
        if cd.get("po_expected") is not None:
            data["po_expected"] = cd["po_expected"]
        return data
