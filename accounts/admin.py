from django.contrib import admin

from gtm_portal.core.admin import PERSON_STATE_FIELDS, PortalModelAdmin

from .models import Account, AccountTeamMember, Contact, TransferRequest
from .services import account_create, account_update


class AccountTeamInline(admin.TabularInline):
    model = AccountTeamMember
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Account)
class AccountAdmin(PortalModelAdmin):
    list_display = (
        "name",
        "domain",
        "type",
        "segment",
        "owner",
        "bdr_assigned",
        "bdr_prospecting_status",
    )
    list_filter = ("type", "segment", "bdr_prospecting_status", "region", "is_public_sector")
    search_fields = ("name", "domain")
    list_select_related = ("owner", "bdr_assigned")
    raw_id_fields = ("parent", "ultimate_parent", "duplicate_of", "merged_into", "csm", "country")
    # ACCT-SEG / ACCT-CUSTOMER are derived, the region follows the country (REF-1);
    # ownership and the BDR status move through their workflows (ACCT-CLAIM, ACCT-BPS), never
    # by typing in the admin.
    state_fields = (
        "segment",
        "first_order_available",
        "ultimate_parent",
        "owner",
        "region",
        "bdr_prospecting_status",
        "actively_working_since",
        "merged_into",
        "duplicate_of",
        "version",
        "updated_by",
    )
    change_action = "account.edit"
    inlines = [AccountTeamInline]

    def save_model(self, request, obj, form, change):
        """The admin goes through the one account write path (ROLE-3 field groups, ACCT-SEG /
        ACCT-CUSTOMER recompute, CONTACT-OWNER, history)."""
        data = {
            name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data
        }
        if not change:
            # The admin's inlines, log entry and redirect need the new row's id on `obj`.
            obj.pk = account_create(by=request.user, data=data).pk
            return
        stored = type(obj).objects.get(pk=obj.pk)
        account_update(
            account=stored,
            by=request.user,
            data=data,
            reason="Edited in admin",
            expected_version=self.seen_version(request),
            enforce=not request.user.is_superuser,
        )


@admin.register(Contact)
class ContactAdmin(PortalModelAdmin):
    list_display = ("__str__", "email", "account", "status", "person_score", "owner")
    list_filter = ("status", "region")
    search_fields = ("email", "last_name", "account__name")
    list_select_related = ("account", "owner")
    raw_id_fields = ("account", "merged_into", "country")
    state_fields = PERSON_STATE_FIELDS + ("merged_into",)
    create_only_fields = ("initial_source",)
    change_action = "person.edit"


@admin.register(TransferRequest)
class TransferRequestAdmin(PortalModelAdmin):
    list_display = ("created_at", "content_type", "object_id", "requester", "state", "decided_by")
    list_filter = ("state", "content_type")
    list_select_related = ("content_type", "requester", "decided_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
