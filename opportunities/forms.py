from django import forms
from django.core.cache import cache
from django.db.models import Q

from gtm_portal.core import access
from gtm_portal.core.editing import Editor, VersionForm
from gtm_portal.core.form_renderer import bootstrap_widgets
from gtm_portal.refdata.enums import ReasonKind
from gtm_portal.refdata.models import InitialSource, Reason

from . import workflow
from .enums import Stage
from .models import Opportunity
from .selectors import opportunity_get_for_user_or_404
from .services import opportunity_update


class OpportunityEditForm(VersionForm):
    """The opportunity's editable fields (ROLE-3: `workflow.EDIT_FIELDS`); the rules are the
    service's (`opportunity_update`)."""

    class Meta:
        model = Opportunity
        fields = workflow.EDIT_FIELDS
        labels = {"resale_partner": "Resale partner (account id)"}
        # A picker over every account would list a million of them: the partner is typed as
        # its account id, as the admin does it.
        widgets = {"resale_partner": forms.NumberInput(attrs={"min": 1})}
        error_messages = {
            "close_date": {"required": "OPP-V12: set a close date."},
            "resale_partner": {
                "invalid_choice": "OPP-FIELDS: no account has this id; type "
                "the resale partner's account id."
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "source" in self.fields:
            # REF-3: inactive sources stay on the records that have them, never chosen anew.
            self.fields["source"].queryset = InitialSource.objects.filter(
                Q(active=True) | Q(pk=self.instance.source_id)
            )
        if "resale_partner" in self.fields and self.instance.resale_partner_id:
            self.fields["resale_partner"].help_text = f"Now: {self.instance.resale_partner}"


def opportunity_edit_fields(user, opportunity) -> tuple[str, ...]:
    return workflow.editable_fields(access.opportunity_edit_scope(user, opportunity))


def _opportunity_save(*, record, by, data, expected_version, reason):
    return opportunity_update(
        opportunity=record, by=by, data=data, expected_version=expected_version, reason=reason
    )


# The page header shows these (and the OPP-STALE badge reads the next step date): an inline
# save of one reloads the page.
OPPORTUNITY_HEADER_FIELDS = frozenset({"name", "type", "iacv", "close_date", "next_step_date"})
OPPORTUNITY_EDIT_NOTE = (
    "Stage, its stamps (SAO, SQO, initial IACV) and the closing fields change through the "
    "stage form; owner, SDR/BDR, account and order type through their own workflows. The "
    "SDR/BDR edits the qualification fields until 1-Discovery (ROLE-3)."
)


def opportunity_editor() -> Editor:
    return Editor(
        kind="opportunities",
        model=Opportunity,
        form=OpportunityEditForm,
        fields_for=opportunity_edit_fields,
        save=_opportunity_save,
        get=opportunity_get_for_user_or_404,
        reload_on=OPPORTUNITY_HEADER_FIELDS,
        note=OPPORTUNITY_EDIT_NOTE,
    )


class StageForm(forms.Form):
    """The stage form (CONTRACT 6): `stage` is the stage label; the other fields are what
    some target stages need (OPP-V3, V6, V8, V9). The rules themselves live in `workflow`."""

    stage = forms.ChoiceField(choices=Stage.choices, label="Move to stage")
    unqualified_reason = forms.ModelChoiceField(
        queryset=Reason.objects.filter(kind=ReasonKind.UNQUALIFIED, active=True), required=False
    )
    closed_lost_reasons = forms.ModelMultipleChoiceField(
        queryset=Reason.objects.filter(kind=ReasonKind.CLOSED_LOST, active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    closed_lost_detail = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    merged_opportunity = forms.ModelChoiceField(
        queryset=Opportunity.objects.all(),
        required=False,
        widget=forms.NumberInput,
        label="Merged opportunity (id)",
    )
    closed_won_details = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    po_expected = forms.TypedChoiceField(
        choices=[("", "—"), ("yes", "Yes"), ("no", "No")],
        required=False,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        label="PO expected",
    )
    reason = forms.CharField(
        required=False,
        max_length=300,
        label="Reason (Sales Support moving an accepted opportunity back)",
    )
    # Q-CONC: the opportunity's version when the page was opened (absent: not checked).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

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
        # Render the reason lists from the cache (the page's query budget); validating a POST
        # still reads the database.
        for name, kind in (
            ("unqualified_reason", ReasonKind.UNQUALIFIED),
            ("closed_lost_reasons", ReasonKind.CLOSED_LOST),
        ):
            key = f"refs:reasons:{kind}"
            choices = cache.get(key)
            if choices is None:
                choices = list(
                    Reason.objects.filter(kind=kind, active=True)
                    .order_by("name")
                    .values_list("pk", "name")
                )
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

    evidence = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        label="Evidence: your two-way activity with the buyer",
        error_messages={
            "required": "SAO-WD 1: choose the activity that shows your conversation with the buyer."
        },
    )
    explanation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        label="How did you influence the purchase?",
        error_messages={"required": "SAO-WD 1: explain how you influenced the purchase."},
    )
    # Q-CONC: the opportunity's version when the form was opened (absent: not checked).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = [
            (c.activity.pk, str(c.activity)) for c in choices if c.eligible
        ]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
    reason = forms.CharField(required=False, max_length=2000)
