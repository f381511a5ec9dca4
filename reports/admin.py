from django.contrib import admin

from gtm_portal.core.admin import FieldChangeAdmin

from .models import FrozenCompRow, QuarterClose


class FrozenCompRowInline(admin.TabularInline):
    model = FrozenCompRow
    extra = 0
    can_delete = False
    readonly_fields = ("rep", "plan", "values", "credited_ids")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(QuarterClose)
class QuarterCloseAdmin(FieldChangeAdmin):
    """REPORT-COMP: closed quarters and their frozen rows — read only (as history is), pay
    never moves."""

    list_display = ("quarter", "closed_at", "closed_by")
    list_filter = ()
    search_fields = ("quarter",)
    list_select_related = ("closed_by",)
    inlines = [FrozenCompRowInline]
