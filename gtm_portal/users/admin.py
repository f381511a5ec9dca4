from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from gtm_portal.core.admin import PortalModelAdmin

from .models import Team, User


@admin.register(User)
class UserAdmin(PortalModelAdmin, DjangoUserAdmin):
    list_display = (
        "username",
        "display_name",
        "kind",
        "email",
        "manager",
        "team",
        "region",
        "is_active",
    )
    list_filter = ("kind", "groups", "region", "team", "is_active")
    search_fields = ("username", "display_name", "first_name", "last_name", "email")
    list_select_related = ("manager", "team", "region")
    fieldsets = DjangoUserAdmin.fieldsets + (
        (
            "Portal",
            {
                "fields": (
                    "kind",
                    "display_name",
                    "manager",
                    "team",
                    "region",
                    "segments",
                    "time_zone",
                    "work_start",
                    "work_end",
                    "work_days",
                    "aw_limit_large",
                    "aw_limit_other",
                    "queue_members",
                )
            },
        ),
    )
    filter_horizontal = ("groups", "user_permissions", "queue_members")

    def _allowed(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        DjangoUserAdmin.save_model(self, request, obj, form, change)


@admin.register(Team)
class TeamAdmin(PortalModelAdmin):
    list_display = ("name", "manager")
    search_fields = ("name",)
    list_select_related = ("manager",)
