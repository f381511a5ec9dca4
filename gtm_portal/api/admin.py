from django.contrib import admin, messages
from django.utils import timezone

from gtm_portal.core.admin import PortalModelAdmin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(PortalModelAdmin):
    """Tokens are issued by `create_api_token` (the key is shown once); here they are listed
    and revoked (Q-SEC)."""

    list_display = ("name", "scope", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    search_fields = ("name", "prefix")
    readonly_fields = (
        "name",
        "scope",
        "prefix",
        "key_hash",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        n = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, f"{n} token(s) revoked.")
