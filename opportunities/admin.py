from django import forms
from django.contrib import admin

from gtm_portal.core.admin import PortalModelAdmin

from .models import (
    LostDeal,
    LostDealFollower,
    Opportunity,
    OpportunityContactRole,
    SAOCreditRequest,
    StageChange,
    StageChecklistItem,
    WebOrder,
)
from .services import edit_refusals


class ContactRoleInline(admin.TabularInline):
    model = OpportunityContactRole
    extra = 0
    raw_id_fields = ("contact",)


class OpportunityAdminForm(forms.ModelForm):
    """The admin's change form refuses what the edit form refuses (OPP-V11/V12, REF-3); the
    admin names its model and fields."""

    def clean(self):
        cleaned = super().clean()
        changed = {name: cleaned[name] for name in self.changed_data if name in cleaned}
        for name, error in edit_refusals(self.instance, changed).items():
            self.add_error(name if name in self.fields else None, error)
        return cleaned


@admin.register(Opportunity)
class OpportunityAdmin(PortalModelAdmin):
    form = OpportunityAdminForm
    list_display = (
        "name",
        "account",
        "stage",
        "close_date",
        "iacv",
        "owner",
        "sdr_bdr",
        "order_type",
    )
    list_filter = ("stage", "type", "order_type", "sales_qualification_source")
    search_fields = ("name", "account__name")
    list_select_related = ("account", "owner", "sdr_bdr")
    raw_id_fields = ("account", "merged_opportunity", "resale_partner", "possible_duplicate_of")
    # OPP-S1..S3: stage and stamps change only through the stage service; never typed.
    state_fields = (
        "stage",
        "stage_changed_at",
        "sales_accepted_date",
        "sales_qualified",
        "sales_qualified_date",
        "initial_iacv",
        "closed_at",
        "version",
        "updated_by",
    )
    # Owner, SDR/BDR, account and order type move through their own workflows (the edit
    # form's note says so): set when the record is made, never typed afterwards.
    create_only_fields = ("owner", "sdr_bdr", "account", "order_type")
    change_action = "opportunity.edit"
    inlines = [ContactRoleInline]


class ReadOnlyLog(PortalModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyLog):
    list_display = ("changed_at", "opportunity", "from_stage", "to_stage", "changed_by")
    list_select_related = ("opportunity", "changed_by")
    list_filter = ("to_stage",)


@admin.register(SAOCreditRequest)
class SAOCreditRequestAdmin(ReadOnlyLog):
    list_display = ("created_at", "opportunity", "requester", "state", "decided_by", "disputes")
    list_filter = ("state",)
    list_select_related = ("opportunity", "requester", "decided_by")


@admin.register(WebOrder)
class WebOrderAdmin(ReadOnlyLog):
    list_display = ("received_at", "invoice_number", "subscription_id", "account", "opportunity")
    search_fields = ("invoice_number", "subscription_id")
    list_select_related = ("account", "opportunity")


@admin.register(LostDeal)
class LostDealAdmin(ReadOnlyLog):
    """OPP-NOTIFY feed entries, written by the stage service only."""

    list_display = ("occurred_at", "opportunity", "segment", "iacv", "closed_by")
    list_select_related = ("opportunity", "closed_by")


@admin.register(LostDealFollower)
class LostDealFollowerAdmin(PortalModelAdmin):
    list_display = ("user", "created_at")
    list_select_related = ("user",)


@admin.register(StageChecklistItem)
class StageChecklistItemAdmin(PortalModelAdmin):
    """OPP-CHECKLIST reference data."""

    list_display = ("stage", "position", "text", "active")
    list_filter = ("stage", "active")
    change_action = "reference.manage"
