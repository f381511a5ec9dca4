from django import forms

from gtm_portal.core.form_renderer import bootstrap_widgets
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

    # Which target stages need which fields (shown as the target is chosen; the same rules
    # refuse on the server, OPP-V3/V6/V8/V9).
    NEEDS = {
        "unqualified_reason": ["9-Unqualified"],
        "closed_lost_reasons": ["8-Closed Lost"],
        "closed_lost_detail": ["8-Closed Lost"],
        "merged_opportunity": ["8-Closed Lost"],
        "closed_won_details": ["6-Awaiting Signature", "7-Closed Won"],
        "po_expected": ["4-Proposal", "5-Negotiating", "6-Awaiting Signature", "7-Closed Won"],
        "reason": ["00-Pre Opportunity", "0-Pending Acceptance", "9-Unqualified"],
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.core.cache import cache

        # Render the reason lists from the cache (the page's query budget); validating a POST
        # still reads the database.
        for name, kind in (("unqualified_reason", ReasonKind.UNQUALIFIED),
                           ("closed_lost_reasons", ReasonKind.CLOSED_LOST)):
            key = f"refs:reasons:{kind}"
            choices = cache.get(key)
            if choices is None:
                choices = list(Reason.objects.filter(kind=kind, active=True)
                               .order_by("name").values_list("pk", "name"))
                cache.set(key, choices, 60)
            blank = [("", "---------")] if name == "unqualified_reason" else []
            self.fields[name].widget.choices = blank + choices
        bootstrap_widgets(self)

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


class SAOCreditRequestForm(forms.Form):
    """SAO-WD 1: the evidence (one of the requester's eligible activities) and the
    explanation. Eligibility itself is `sao.evidence_problem`, run again by the service."""

    evidence = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect,
                                      label="Evidence: your two-way activity with the buyer",
                                      error_messages={"required": "SAO-WD 1: choose the activity "
                                                      "that shows your conversation with the "
                                                      "buyer."})
    explanation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
        label="How did you influence the purchase?",
        error_messages={"required": "SAO-WD 1: explain how you influenced the purchase."})

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = [(c.activity.pk, str(c.activity)) for c in choices
                                           if c.eligible]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
    reason = forms.CharField(required=False, max_length=2000)
