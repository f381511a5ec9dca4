from django.contrib import admin

from accounts.admin import ContactAdmin
from accounts.models import Contact
from gtm_portal.core.admin import PERSON_STATE_FIELDS, PortalModelAdmin

from .models import (
    Campaign,
    CampaignMember,
    CampaignMemberStatus,
    ImportRun,
    IntakeSubmission,
    Lead,
    LifecycleStamp,
    PoolMember,
    RoutingDecision,
    RoutingPool,
    ScoreEvent,
    ScoringRule,
)
from .services.person_rows import person_read_only
from .services.persons import person_update


class PersonAdminMixin:
    """LEAD-STATUS 10 and LEAD-SCORE-1/ROUTE-1 in the admin: a read-only person opens
    read-only, and a change goes through the one person write path (`person_update`: the
    guard, LEAD-SOURCE-1, the demographic re-score and the routing of an MQL crossing)."""

    def has_change_permission(self, request, obj=None):
        if obj is not None and person_read_only(obj):
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            return
        data = {
            name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data
        }
        person_update(
            person=type(obj).objects.get(pk=obj.pk),
            by=request.user,
            data=data,
            expected_version=self.seen_version(request),  # type: ignore[attr-defined]
            reason="Edited in admin",
        )


admin.site.unregister(Contact)


@admin.register(Contact)
class PersonContactAdmin(PersonAdminMixin, ContactAdmin):
    pass


@admin.register(Lead)
class LeadAdmin(PersonAdminMixin, PortalModelAdmin):
    list_display = (
        "__str__",
        "email",
        "company",
        "status",
        "person_score",
        "owner",
        "initial_source",
        "created_at",
    )
    list_filter = ("status", "initial_source", "region", "is_hot")
    search_fields = ("email", "last_name", "company")
    list_select_related = ("owner", "initial_source")
    raw_id_fields = (
        "matched_account",
        "converted_contact",
        "converted_account",
        "converted_opportunity",
        "merged_into",
        "country",
    )
    state_fields = PERSON_STATE_FIELDS + ("converted_at", "merged_into")
    create_only_fields = ("initial_source",)
    change_action = "person.edit"


@admin.register(ScoringRule)
class ScoringRuleAdmin(PortalModelAdmin):
    list_display = ("name", "kind", "points", "active", "code")
    list_filter = ("kind", "active")
    search_fields = ("name", "code")


class PoolMemberInline(admin.TabularInline):
    model = PoolMember
    extra = 0
    raw_id_fields = ("user",)
    readonly_fields = ("assigned", "last_assigned_at")


@admin.register(RoutingPool)
class RoutingPoolAdmin(PortalModelAdmin):
    list_display = ("name", "active")
    filter_horizontal = ("regions",)
    inlines = [PoolMemberInline]


@admin.register(ScoreEvent)
class ScoreEventAdmin(PortalModelAdmin):
    list_display = ("created_at", "lead", "contact", "rule_name", "kind", "points")
    list_filter = ("kind",)
    raw_id_fields = ("lead", "contact", "activity", "rule")
    list_select_related = ("lead", "contact")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(LifecycleStamp)
class LifecycleStampAdmin(PortalModelAdmin):
    """REPORT-FUNNEL stamps: read only (the status service writes them)."""

    list_display = ("reached_at", "status", "lead", "contact")
    list_filter = ("status",)
    raw_id_fields = ("lead", "contact")
    list_select_related = ("lead", "contact")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(ScoreEventAdmin):
    list_display = ("decided_at", "lead", "contact", "rule", "owner", "pool", "sla_due")
    list_filter = ("rule", "pool")
    raw_id_fields = ("lead", "contact", "owner", "decided_by")
    list_select_related = ("lead", "contact", "owner", "pool")


class CampaignMemberStatusInline(admin.TabularInline):
    model = CampaignMemberStatus
    extra = 1


@admin.register(Campaign)
class CampaignAdmin(PortalModelAdmin):
    list_display = ("name", "type", "start_date", "end_date", "cost", "high_priority")
    list_filter = ("type", "high_priority")
    search_fields = ("name",)
    inlines = [CampaignMemberStatusInline]
    change_action = "admin.access"


@admin.register(CampaignMember)
class CampaignMemberAdmin(PortalModelAdmin):
    list_display = ("campaign", "lead", "contact", "status", "created_at")
    raw_id_fields = ("lead", "contact")
    list_select_related = ("campaign", "lead", "contact", "status")
    change_action = "admin.access"


@admin.register(IntakeSubmission)
class IntakeSubmissionAdmin(ScoreEventAdmin):
    list_display = ("received_at", "submission_id", "form", "email", "outcome", "status_code")
    list_filter = ("outcome", "form")
    search_fields = ("submission_id", "email")
    raw_id_fields = ("lead", "contact")
    list_select_related = ()


@admin.register(ImportRun)
class ImportRunAdmin(ScoreEventAdmin):
    list_display = ("created_at", "file_name", "uploaded_by", "state", "total_rows", "errors")
    exclude = ("table",)
    list_filter = ("state",)
    raw_id_fields = ("uploaded_by",)
    list_select_related = ("uploaded_by",)

    def get_queryset(self, request):
        return super().get_queryset(request).without_files()
