from django.contrib import admin

from gtm_portal.core.admin import PortalModelAdmin

from .models import Activity, Enrollment, QualificationNote, Sequence, Task
from .services import require_person_edit

_LINKS = ("lead", "contact", "account", "opportunity")


class PersonLinkedAdmin(PortalModelAdmin):
    """ROLE-3 in the admin: an activity or a task on a lead/contact is an edit of the
    person, refused (403, nothing written) to a user who may not edit it."""

    what = "log an activity on"

    def save_model(self, request, obj, form, change):
        person = obj.lead or obj.contact
        if person is not None:
            require_person_edit(request.user, person, self.what)
        super().save_model(request, obj, form, change)


@admin.register(Activity)
class ActivityAdmin(PersonLinkedAdmin):
    list_display = (
        "occurred_at",
        "kind",
        "direction",
        "two_way",
        "is_sales",
        "logged_by",
        "subject",
    )
    list_filter = ("kind", "direction", "two_way", "is_sales")
    search_fields = ("subject",)
    raw_id_fields = _LINKS + ("logged_by",)
    readonly_fields = ("is_sales",)
    list_select_related = ("logged_by",)
    change_action = "admin.access"


@admin.register(Task)
class TaskAdmin(PersonLinkedAdmin):
    what = "add a task to"

    list_display = ("subject", "due_date", "status", "owner")
    list_filter = ("status",)
    search_fields = ("subject",)
    raw_id_fields = _LINKS + ("owner", "created_by")
    list_select_related = ("owner",)
    change_action = "admin.access"


@admin.register(Sequence)
class SequenceAdmin(PortalModelAdmin):
    list_display = ("name", "touch", "region", "steps", "length_days", "active")
    list_filter = ("touch", "active", "region")
    search_fields = ("name",)
    change_action = "admin.access"


@admin.register(Enrollment)
class EnrollmentAdmin(PortalModelAdmin):
    list_display = ("sequence", "lead", "contact", "state", "started_at", "step", "replied")
    list_filter = ("state", "sequence")
    raw_id_fields = ("lead", "contact", "enrolled_by")
    state_fields = ("state", "finished_at", "replied")
    list_select_related = ("sequence", "lead", "contact")
    change_action = "admin.access"


@admin.register(QualificationNote)
class QualificationNoteAdmin(PortalModelAdmin):
    list_display = ("written_at", "author", "lead", "contact", "body")
    raw_id_fields = ("lead", "contact", "author", "activity")
    list_select_related = ("author", "lead", "contact")
    change_action = "admin.access"
