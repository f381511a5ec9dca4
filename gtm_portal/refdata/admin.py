from django import forms
from django.contrib import admin

from gtm_portal.core.admin import PortalModelAdmin

from . import setting_hooks
from .models import (
    CompPlan,
    CompPlanPart,
    Country,
    Holiday,
    InitialSource,
    PortalSetting,
    Reason,
    Region,
    SaoQuota,
    WordListEntry,
)


@admin.register(Region)
class RegionAdmin(PortalModelAdmin):
    list_display = ("code", "name", "parent")
    search_fields = ("code", "name")
    list_select_related = ("parent",)


@admin.register(Country)
class CountryAdmin(PortalModelAdmin):
    list_display = ("name", "iso2", "region", "subregion", "is_eu_eea")
    list_filter = ("region", "is_eu_eea")
    search_fields = ("name", "iso2")
    list_select_related = ("region", "subregion")


@admin.register(InitialSource)
class InitialSourceAdmin(PortalModelAdmin):
    list_display = ("name", "bucket", "active")
    list_filter = ("bucket", "active")
    search_fields = ("name",)


@admin.register(Reason)
class ReasonAdmin(PortalModelAdmin):
    list_display = ("name", "kind", "active")
    list_filter = ("kind", "active")
    search_fields = ("name",)


@admin.register(WordListEntry)
class WordListEntryAdmin(PortalModelAdmin):
    list_display = ("value", "list", "created_by", "created_at")
    list_filter = ("list",)
    search_fields = ("value",)
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class PortalSettingForm(forms.ModelForm):
    class Meta:
        model = PortalSetting
        fields = ("key", "value")

    def clean(self):
        data = super().clean()
        if data.get("key") and data.get("value") is not None and not self.errors:
            setting_hooks.check(data["key"], data["value"])  # the owning app's rule
        return data


@admin.register(PortalSetting)
class PortalSettingAdmin(PortalModelAdmin):
    list_display = ("key", "value")
    form = PortalSettingForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        setting_hooks.changed(obj.key)


@admin.register(Holiday)
class HolidayAdmin(PortalModelAdmin):
    list_display = ("date", "name", "region")
    list_filter = ("region",)
    search_fields = ("name",)
    date_hierarchy = "date"


class CompPlanPartInline(admin.TabularInline):
    model = CompPlanPart
    extra = 0


@admin.register(CompPlan)
class CompPlanAdmin(PortalModelAdmin):
    """REPORT-COMP plans and rates (reference data)."""

    list_display = ("name", "base_pct", "variable_pct")
    inlines = [CompPlanPartInline]


@admin.register(SaoQuota)
class SaoQuotaAdmin(PortalModelAdmin):
    """REPORT-REP: the editable monthly SAO quotas (a rep's or a team's)."""

    list_display = ("month", "user", "team", "sao_quota", "net_arr_quota", "plan")
    list_filter = ("plan", "team")
    search_fields = ("user__username", "team__name")
    list_select_related = ("user", "team", "plan")
    raw_id_fields = ("user",)
