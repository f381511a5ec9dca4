"""Rows the scheduled jobs keep (SPEC §10): what a job already did once, and the hygiene
flags AUTO-2 raises for the hygiene report."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class JobMark(models.Model):
    """ "Done once" for a job that sends or creates something (a breach notified, a warning
    sent, a trial task created, an enrollment recycled): the unique (job, key) is the
    database's guarantee that two runs, or two workers, never do it twice."""

    job = models.CharField(max_length=64)
    key = models.CharField(max_length=200)
    subject_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "key"], name="uniq_job_mark")]
        indexes = [models.Index(fields=["job", "subject_id"], name="job_mark_subject")]

    def __str__(self):
        return f"{self.job} {self.key}"


class HygieneFlag(models.Model):
    """AUTO-2 hygiene: one open flag per (kind, record) while the problem lasts; the daily
    run clears it (`cleared_at`) when the problem is gone. The hygiene report counts the open
    flags (`cleared_at IS NULL`) by kind and owner."""

    class Kind(models.TextChoices):
        BDR_NEXT_STEP = "bdr_next_step", "Overdue BDR next step"
        SEQUENCE_STEP = "sequence_step", "Overdue sequence step"
        NO_OUTREACH = "no_outreach", "Qualifying without outreach"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due = models.DateTimeField(null=True, blank=True, help_text="What was due, and when.")
    raised_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id"],
                condition=models.Q(cleared_at__isnull=True),
                name="uniq_open_hygiene_flag",
            )
        ]
        indexes = [models.Index(fields=["kind", "owner", "cleared_at"], name="hygiene_owner")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.content_type_id}:{self.object_id}"
