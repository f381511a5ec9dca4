"""Admin base (STYLE: admin displays, searches and filters; state fields are read-only;
every change writes field history through the same helper the services use)."""

from django.contrib import admin

from . import access, history
from .models import FieldChange, JobRun, Tombstone
from .services import check_version, touch, version_from

# Person fields only the lead/contact services change (LEAD-STATUS, ROUTE, scoring).
PERSON_STATE_FIELDS = (
    "status",
    "owner",
    "behaviour_score",
    "demographic_score",
    "person_score",
    "mql_date",
    "mql_count",
    "sla_due",
    "first_touch_at",
    "first_touch_minutes",
    "region",
    "version",
    "updated_by",
)


class PortalModelAdmin(admin.ModelAdmin):
    """Who may use the admin is the access helper's call (ROLE-3); superusers may too."""

    # Fields only a workflow service may change (status, stage, owner, stamps …).
    state_fields: tuple[str, ...] = ()
    # Fields that are set once at creation and never change afterwards (LEAD-SOURCE-1).
    create_only_fields: tuple[str, ...] = ()
    # The access action that governs changing one object; None = reference data.
    change_action: str | None = "reference.manage"
    list_per_page = 50
    show_full_result_count = False
    # Carries the version the change form showed (Q-CONC).
    change_form_template = "admin/portal_change_form.html"

    def _allowed(self, request, obj=None) -> bool:
        user = request.user
        if user.is_superuser:
            return True
        if not access.can(user, "admin.access"):
            return False
        return self.change_action is None or access.can(user, self.change_action, obj)

    def has_module_permission(self, request):
        return request.user.is_superuser or access.can(request.user, "admin.access")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser or (
            self.change_action == "reference.manage" and self._allowed(request, obj)
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj)) + list(self.state_fields)
        if obj is not None:
            fields += list(self.create_only_fields)
        return fields

    @staticmethod
    def seen_version(request) -> int | None:
        """The version the change form showed (Q-CONC), for `save_model` overrides that hand
        the save to a domain service."""
        return version_from({"version": request.POST.get("_seen_version")})

    def save_model(self, request, obj, form, change):
        if hasattr(obj, "derive"):
            obj.derive()
        if not change:
            super().save_model(request, obj, form, change)
            return
        model = type(obj)
        fields = history.tracked_fields(model)
        stored = model.objects.select_for_update().get(pk=obj.pk)
        before = history.snapshot(stored, fields)
        before_display = history.display_snapshot(stored, fields)
        if hasattr(obj, "version"):
            # Q-CONC: refuse (409, rolled back) when the record changed since the form opened.
            check_version(stored, self.seen_version(request))
            if history.changed_fields(obj, before):
                obj.version = stored.version
                touch(obj, request.user)
        super().save_model(request, obj, form, change)
        history.record_changes(
            obj, before, before_display, by=request.user, reason="Edited in admin"
        )


@admin.register(FieldChange)
class FieldChangeAdmin(PortalModelAdmin):
    list_display = (
        "changed_at",
        "content_type",
        "object_id",
        "field",
        "old_value",
        "new_value",
        "changed_by",
        "reason",
    )
    list_filter = ("content_type", "field")
    search_fields = ("field", "old_value", "new_value", "reason")
    list_select_related = ("content_type", "changed_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tombstone)
class TombstoneAdmin(FieldChangeAdmin):
    list_display = (
        "content_type",
        "object_id",
        "reason",
        "redirect_object_id",
        "processed_by",
        "processed_at",
    )
    list_filter = ("reason", "content_type")
    search_fields = ("object_id",)
    list_select_related = ("content_type", "processed_by")


@admin.register(JobRun)
class JobRunAdmin(FieldChangeAdmin):
    list_display = ("name", "state", "started_at", "finished_at", "total", "done", "counts")
    list_filter = ("name", "state")
    search_fields = ("name", "key")
    list_select_related = ()
