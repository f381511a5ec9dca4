from django import forms

from accounts.models import Contact
from accounts.selectors import contact_get_for_user_or_404
from gtm_portal.activity.models import Sequence
from gtm_portal.core import access
from gtm_portal.core.editing import Editor, VersionForm
from gtm_portal.core.enums import PersonStatus
from gtm_portal.refdata.enums import ReasonKind
from gtm_portal.refdata.models import Reason
from gtm_portal.users.models import User

from .enums import FormKind
from .models import CampaignMemberStatus, Lead, PoolMember, ScoringRule
from .rule_context import cached
from .scoring import CAREERS_REPEAT
from .selectors import lead_get_for_user_or_404
from .services.compliance import contact_blocks, dnc_release_candidates
from .services.person_rows import person_read_only
from .services.persons import person_update
from .workflow import allowed_hand_targets

PERSON_EDIT_FIELDS = (
    "first_name",
    "last_name",
    "title",
    "email",
    "phone",
    "mobile",
    "linkedin_url",
    "website",
    "employees",
    "address1",
    "address2",
    "city",
    "state",
    "postal_code",
    "country",
    "description",
    "bant_budget",
    "bant_authority",
    "bant_need",
    "bant_timeline",
    "partner_prospecting_status",
    "is_core_user",
    "setup_for_team",
    "is_hot",
)


class LeadEditForm(VersionForm):
    """Editable person fields. The initial source is not among them (LEAD-SOURCE-1); status,
    owner and scores move only through their services."""

    class Meta:
        model = Lead
        fields = ("company", *PERSON_EDIT_FIELDS)


class ContactEditForm(VersionForm):
    class Meta:
        model = Contact
        fields = PERSON_EDIT_FIELDS


def person_edit_fields(user, person) -> tuple[str, ...]:
    """ROLE-3: the owner, the owner's manager, Marketing Ops and Sales Support edit a person;
    qualified, converted and merged leads are read-only (LEAD-STATUS 10)."""
    if person_read_only(person) or not access.can(user, "person.edit", person):
        return ()
    return LeadEditForm.Meta.fields if isinstance(person, Lead) else ContactEditForm.Meta.fields


def _person_save(*, record, by, data, expected_version, reason):

    return person_update(
        person=record, by=by, data=data, expected_version=expected_version, reason=reason
    )


# The header shows these (name, title, company, score, hot): an inline save reloads the page.
PERSON_HEADER_FIELDS = frozenset({"first_name", "last_name", "title", "company", "email", "is_hot"})
PERSON_EDIT_NOTE = (
    "The initial source is set once and never changes (LEAD-SOURCE-1); status "
    "and owner change through their own actions."
)


def person_editors() -> list[Editor]:
    return [
        Editor(
            kind="leads",
            model=Lead,
            form=LeadEditForm,
            fields_for=person_edit_fields,
            save=_person_save,
            get=lead_get_for_user_or_404,
            reload_on=PERSON_HEADER_FIELDS,
            note=PERSON_EDIT_NOTE,
        ),
        Editor(
            kind="contacts",
            model=Contact,
            form=ContactEditForm,
            fields_for=person_edit_fields,
            save=_person_save,
            get=contact_get_for_user_or_404,
            reload_on=PERSON_HEADER_FIELDS,
            note=PERSON_EDIT_NOTE,
        ),
    ]


class StatusForm(forms.Form):
    """LEAD-STATUS by hand: the choices come from the workflow table for the current status."""

    to = forms.ChoiceField(label="New status")
    disqualify_reason = forms.ModelChoiceField(
        queryset=Reason.objects.none(), required=False, label="Disqualify reason"
    )
    reason = forms.CharField(required=False, max_length=300, label="Note")

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        targets = allowed_hand_targets(person.status, is_contact=not isinstance(person, Lead))
        self.fields["to"].choices = [(t, PersonStatus(t).label) for t in targets]
        self.fields["disqualify_reason"].queryset = Reason.objects.filter(
            kind=ReasonKind.DISQUALIFY, active=True
        )
        self.reason_choices = cached(
            "disqualify_reasons",
            lambda: list(
                Reason.objects.filter(kind=ReasonKind.DISQUALIFY, active=True)
                .order_by("name")
                .values_list("pk", "name")
            ),
        )


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("kind", "username"), label="New owner"
    )
    reason = forms.CharField(max_length=300, label="Reason (kept in the history)")


class MisrouteForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        label="What is wrong with this owner?",
    )


class ScoringRuleForm(forms.ModelForm):
    triggers = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    words = forms.CharField(required=False, help_text="Comma-separated words for title tests.")

    class Meta:
        model = ScoringRule
        fields = ("name", "kind", "triggers", "test", "words", "points", "active")

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["triggers"].choices = [
            *FormKind.choices,
            (CAREERS_REPEAT, "Repeat careers visits (7 days)"),
        ]
        if self.instance.pk:
            self.initial["words"] = ", ".join(self.instance.words or [])

    def clean_words(self):
        return [w.strip().lower() for w in self.cleaned_data["words"].split(",") if w.strip()]


class ThresholdsForm(forms.Form):
    mql_threshold = forms.IntegerField(min_value=1, max_value=10_000, label="MQL threshold")
    inquiry_threshold = forms.IntegerField(
        min_value=0, max_value=10_000, label="Inquiry threshold (behaviour, exclusive)"
    )


def campaign_status_choices() -> list[tuple[str, str]]:
    """("campaign id:status id", "campaign — status") for the record page's "add to
    campaign" (CAMP-1), system campaigns left out."""

    def load():
        rows = (
            CampaignMemberStatus.objects.exclude(campaign__type="system")
            .order_by("campaign__name", "id")
            .values_list("campaign_id", "id", "campaign__name", "name")
        )
        return [(f"{c}:{s}", f"{cn} — {sn}") for c, s, cn, sn in rows]

    return cached("campaign_statuses", load)


def person_actions(user, person) -> dict:
    """What the person page's action bar offers this user (the server checks again)."""

    can_reroute = access.can(user, "routing.reroute", person)
    can_edit = access.can(user, "person.edit", person)
    is_lead = isinstance(person, Lead)
    converted = bool(
        getattr(person, "converted_at", None) or getattr(person, "merged_into_id", None)
    )
    return {
        "is_lead": is_lead,
        "can_convert": is_lead and can_edit and not converted,
        "can_mark_spam": is_lead and not converted and access.can(user, "record.comment", person),
        "blocks": contact_blocks(person),
        "can_comply": can_edit and not converted,
        "dnc_candidates": (
            list(dnc_release_candidates(person)[:20]) if can_edit and person.do_not_call else []
        ),
        "sequences": sequence_choices(),
        "campaign_statuses": campaign_status_choices() if can_edit and not converted else [],
        "status_form": StatusForm(person=person),
        "can_reroute": can_reroute,
        "assign_form": AssignForm() if can_reroute else None,
    }


class PoolMemberForm(forms.ModelForm):
    class Meta:
        model = PoolMember
        fields = ("level", "active", "out_of_office_from", "out_of_office_until")
        widgets = {
            "out_of_office_from": forms.DateInput(attrs={"type": "date"}),
            "out_of_office_until": forms.DateInput(attrs={"type": "date"}),
        }


class RoutingPreviewForm(forms.Form):
    """ROUTE preview: a lead, or sample facts typed by hand."""

    lead = forms.IntegerField(required=False, label="Lead id (or leave empty and type facts)")
    form = forms.ChoiceField(choices=[("", "—"), *FormKind.choices], required=False, label="Form")
    status = forms.ChoiceField(
        choices=[(s, s) for s in ("MQL", "Inquiry", "Raw", "Recycle")], required=False
    )
    email = forms.EmailField(required=False)
    company = forms.CharField(required=False, max_length=255)
    title = forms.CharField(required=False, max_length=200)
    country = forms.CharField(required=False, max_length=100, help_text="Name or ISO code")
    employees = forms.IntegerField(required=False, min_value=0)
    description = forms.CharField(required=False, max_length=500)


def sequence_choices():

    return cached(
        "sequences",
        lambda: list(
            Sequence.objects.filter(active=True).order_by("name").values_list("pk", "name", "touch")
        ),
        ttl=30,
    )
