"""Comments, mentions, follows and notifications (SPEC §8)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Comment(models.Model):
    """CHAT-1: a comment on a record, replies one level deep; CHAT-4 system comments."""

    class Kind(models.TextChoices):
        USER = "user", "Comment"
        SYSTEM = "system", "System"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.USER)
    topic = models.CharField(
        max_length=40,
        blank=True,
        help_text="Workflow that posted it (transfer, sao_credit, misroute…).",
    )
    body = models.TextField()
    mention_handles = models.JSONField(
        default=list, blank=True, help_text="The handles that named someone, for display."
    )
    record_label = models.CharField(max_length=255, blank=True)
    record_url = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "-created_at"], name="comment_record"
            ),
        ]

    def __str__(self):
        return self.body[:60]


class CommentRevision(models.Model):
    """CHAT-5: the earlier bodies of an edited comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["-replaced_at"]


class Mention(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    handle = models.CharField(max_length=150)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="uniq_mention")]


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="uniq_follow"
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="follow_record")]


class Notification(models.Model):
    """CHAT-3: an inbox entry — record, who caused it, why; e-mailed once through the queue."""

    class Reason(models.TextChoices):
        MENTIONED = "mentioned", "mentioned you"
        ROUTED = "routed", "routed to you"
        FOLLOWED = "followed", "commented on a record you follow"
        DECIDE = "decide", "asks you to decide"
        DECIDED = "decided", "decided your request"
        SLA = "sla", "SLA breach"
        INFO = "info", "for your information"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    message = models.CharField(max_length=500, blank=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.BigIntegerField(null=True, blank=True)
    record_label = models.CharField(max_length=255, blank=True)
    record_url = models.CharField(max_length=255, blank=True)
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
            # The home page's newest unread, in its exact order (a rep can have 10,000s unread).
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.get_reason_display()} {self.record_label}"
