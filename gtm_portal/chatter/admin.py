from django.contrib import admin

from gtm_portal.core.admin import PortalModelAdmin

from .models import Comment, Follow, Mention, Notification


class ReadOnlyAdmin(PortalModelAdmin):
    """Conversation is written through the chatter service, never edited in the admin."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "content_type", "object_id", "author", "kind", "topic", "body")
    list_filter = ("kind", "topic", "content_type")
    search_fields = ("body",)
    list_select_related = ("author", "content_type")


@admin.register(Mention)
class MentionAdmin(ReadOnlyAdmin):
    list_display = ("comment", "user", "handle")
    list_select_related = ("comment", "user")


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ("user", "content_type", "object_id", "created_at")
    list_select_related = ("user", "content_type")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "recipient",
        "actor",
        "reason",
        "record_label",
        "read_at",
        "emailed_at",
    )
    list_filter = ("reason",)
    search_fields = ("record_label", "message", "recipient__username")
    list_select_related = ("recipient", "actor")
