"""Forms of the lead actions: conversion (LEAD-CONVERT-1/2), contact creation
(CONTACT-CREATE), blocked domains (LEAD-SPAM-1). They only parse input; the rules live in
`convert`, `merge`, `compliance` and `services`."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account
from gtm_portal.refdata.enums import WordList
from gtm_portal.refdata.models import InitialSource, WordListEntry
from gtm_portal.users import roles
from gtm_portal.users.models import User
from opportunities.enums import Stage
from opportunities.models import Opportunity

from .services.convert import ConvertPlan, OppMode

UNKNOWN_SOURCE = "Unknown"


def _default_close_date():
    return timezone.localdate() + datetime.timedelta(days=90)


def account_owner_choices():
    """Who may own a new account: the AEs, or Sales Admin until one is found."""

    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(groups__name=roles.AE, kind=User.Kind.PERSON)
            | Q(kind=User.Kind.QUEUE, display_name=roles.Q_SALES_ADMIN)
        )
        .distinct()
        .order_by("kind", "username")
    )


class ConvertForm(forms.Form):
    account_choice = forms.ChoiceField(label="Account", widget=forms.RadioSelect)
    other_account = forms.IntegerField(required=False, label="Another account")
    new_account_name = forms.CharField(required=False, max_length=255, label="Account name")
    new_account_website = forms.CharField(required=False, max_length=255, label="Website")
    new_account_owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Account owner"
    )
    confirm_new_account = forms.BooleanField(
        required=False, label="Create a new account although a matching one exists"
    )
    reseller = forms.BooleanField(
        required=False, label="A reseller asks for the quote (LEAD-CONVERT-2)"
    )
    end_user_account = forms.IntegerField(required=False, label="End-user account")
    mode = forms.ChoiceField(
        choices=OppMode.CHOICES,
        initial=OppMode.SALES,
        widget=forms.RadioSelect,
        label="Opportunity",
    )
    stage = forms.ChoiceField(
        choices=[(Stage.PENDING, Stage.PENDING), (Stage.PRE, Stage.PRE)],
        initial=Stage.PENDING,
        required=False,
    )
    join_opportunity = forms.IntegerField(required=False, label="Open opportunity")
    opportunity_name = forms.CharField(required=False, max_length=255)
    close_date = forms.DateField(
        required=False, initial=_default_close_date, widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    right_person_confirmed = forms.BooleanField(
        required=False, label="Right person/profile confirmed"
    )
    business_problem = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, matches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.matches = list(matches)
        self.fields["account_choice"].choices = [(str(a.pk), a.name) for a in self.matches] + [
            ("other", "Another account"),
            ("new", "A new account"),
        ]
        self.fields["new_account_owner"].queryset = account_owner_choices()

    def clean(self):
        data = super().clean()
        choice = data.get("account_choice")
        data["account"] = None
        if choice == "other":
            data["account"] = self._account(data.get("other_account"), "other_account")
        elif choice and choice != "new":
            data["account"] = self._account(int(choice), "account_choice")
        if data.get("reseller"):
            data["end_user"] = self._account(data.get("end_user_account"), "end_user_account")
        else:
            data["end_user"] = None
        return data

    def plan(self) -> ConvertPlan:
        """The conversion the valid form asks for (LEAD-CONVERT), for `convert.convert_lead`."""
        data = self.cleaned_data
        return ConvertPlan(
            account=data["account"],
            new_account_name=data["new_account_name"],
            new_account_website=data["new_account_website"],
            new_account_owner=data["new_account_owner"],
            confirm_new_account=data["confirm_new_account"],
            mode=data["mode"],
            stage=data["stage"] or Stage.PENDING,
            join_opportunity=Opportunity.objects.select_related("owner")
            .filter(pk=data["join_opportunity"] or 0)
            .first(),
            opportunity_name=data["opportunity_name"],
            close_date=data["close_date"],
            amount=data["amount"] or 0,
            right_person_confirmed=data["right_person_confirmed"],
            business_problem=data["business_problem"],
            end_user_account=data["end_user"],
        )

    def _account(self, pk, field):
        account = (
            Account.objects.select_related("owner", "bdr_assigned")
            .filter(pk=pk or 0, merged_into__isnull=True)
            .first()
        )
        if account is None:
            self.add_error(field, "LEAD-CONVERT-1: choose an existing account.")
        return account


class ContactSearchForm(forms.Form):
    """CONTACT-CREATE step 1: who is it? (searched before anything is created)."""

    email = forms.EmailField(required=False)
    first_name = forms.CharField(required=False, max_length=100)
    last_name = forms.CharField(max_length=100)
    company = forms.CharField(required=False, max_length=255, help_text="Used to find the account.")


class ContactCreateForm(ContactSearchForm):
    account = forms.IntegerField(label="Account")
    title = forms.CharField(required=False, max_length=200)
    phone = forms.CharField(required=False, max_length=40)
    initial_source = forms.ModelChoiceField(
        queryset=InitialSource.objects.filter(active=True)
        .exclude(name=UNKNOWN_SOURCE)
        .order_by("name"),
        label="Initial source",
        error_messages={
            "invalid_choice": "CONTACT-CREATE: choose a real initial source; "
            "Unknown is not accepted for hand-made records."
        },
    )
    confirm_duplicate = forms.BooleanField(
        required=False, label="Create it although a matching person exists"
    )

    def clean_account(self):
        account = Account.objects.filter(
            pk=self.cleaned_data["account"], merged_into__isnull=True
        ).first()
        if account is None:
            raise forms.ValidationError("CONTACT-1: choose an existing account.")
        return account


class BlockedDomainForm(forms.ModelForm):
    class Meta:
        model = WordListEntry
        fields = ("value",)
        labels = {"value": "Domain"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.list = WordList.BLOCKED_DOMAIN

    def clean_value(self):
        value = (self.cleaned_data.get("value") or "").strip().lower().lstrip("@")
        if WordListEntry.objects.filter(list=WordList.BLOCKED_DOMAIN, value=value).exists():
            raise forms.ValidationError(f"{value} is already blocked.")
        return value
