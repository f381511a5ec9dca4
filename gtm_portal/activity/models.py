"""Activities, tasks, sequences and enrollments (SPEC §6), and qualification notes."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from gtm_portal.core.models import TimeStampedModel

from .enums import ActivityKind, Direction, EnrollmentState, Outcome, TaskStatus, Touch


class RecordLinks(models.Model):
    """Links to the records a row is about: a person (lead or contact), account, opportunity."""

    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def person(self):
        return self.lead if self.lead_id else self.contact

    def clean(self):
        if self.lead_id and self.contact_id:
            raise ValidationError("Link a lead or a contact, not both.")
        if not (self.lead_id or self.contact_id or self.account_id or self.opportunity_id):
            raise ValidationError("Link the row to a person, an account or an opportunity.")


class Activity(RecordLinks):
    """ACT-1."""

    kind = models.CharField(max_length=16, choices=ActivityKind.choices)
    direction = models.CharField(
        max_length=8, choices=Direction.choices, default=Direction.OUTBOUND
    )
    two_way = models.BooleanField(
        default=False, help_text="A reply, a connected call, a held meeting."
    )
    is_sales = models.BooleanField(
        default=False,
        help_text="Derived (ACT-1): a call, e-mail, meeting, LinkedIn, chat or note logged by a user.",
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField()
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    form_kind = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Set by the logging service, not stored: the activity also changed the person or an
    # enrollment (LEAD-STATUS 5, SEQ-2, LEAD-ACTIVE), so it is offered no undo.
    moved_on = False

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["lead", "-occurred_at"], name="activity_lead"),
            models.Index(fields=["contact", "-occurred_at"], name="activity_contact"),
            models.Index(fields=["account", "-occurred_at"], name="activity_account"),
            models.Index(fields=["opportunity", "-occurred_at"], name="activity_opp"),
            models.Index(fields=["logged_by", "-occurred_at"], name="activity_logged_by"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ActivityKind.values), name="activity_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject}".strip()


class Task(RecordLinks, TimeStampedModel):
    """ACT-2."""

    subject = models.CharField(max_length=255)
    due_date = models.DateField()
    status = models.CharField(max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_date", "id"], name="task_owner_due_id"),
            models.Index(fields=["lead", "status"], name="task_lead"),
            models.Index(fields=["contact", "status"], name="task_contact"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=TaskStatus.values), name="task_status_valid"
            ),
        ]

    def __str__(self):
        return self.subject


class Sequence(TimeStampedModel):
    """SEQ-1."""

    name = models.CharField(max_length=200, unique=True)
    touch = models.CharField(max_length=8, choices=Touch.choices, default=Touch.HIGH)
    region = models.ForeignKey(
        "refdata.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    steps = models.PositiveSmallIntegerField(default=5)
    length_days = models.PositiveSmallIntegerField(default=14)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Enrollment(models.Model):
    """SEQ-1 enrollment of a person in a sequence."""

    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    sequence = models.ForeignKey(Sequence, on_delete=models.PROTECT, related_name="enrollments")
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        max_length=10, choices=EnrollmentState.choices, default=EnrollmentState.ACTIVE
    )
    started_at = models.DateTimeField()
    step = models.PositiveSmallIntegerField(default=1)
    next_step_due = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    replied = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["lead", "state"], name="enrollment_lead"),
            models.Index(fields=["contact", "state"], name="enrollment_contact"),
            models.Index(fields=["state", "finished_at"], name="enrollment_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(lead__isnull=False, contact__isnull=True)
                    | models.Q(lead__isnull=True, contact__isnull=False)
                ),
                name="enrollment_one_person",
            ),
            # SEQ-3: a person is active in at most one sequence at a time.
            models.UniqueConstraint(
                fields=["lead"],
                condition=models.Q(state="active"),
                name="one_active_enrollment_per_lead",
            ),
            models.UniqueConstraint(
                fields=["contact"],
                condition=models.Q(state="active"),
                name="one_active_enrollment_per_contact",
            ),
        ]

    def __str__(self):
        return f"{self.lead or self.contact} in {self.sequence}"


class QualificationNote(models.Model):
    """LEAD-FIELDS qualification notes: timestamped entries on a person (SAO-WD 1 reads them)."""

    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["-written_at"]
        indexes = [
            models.Index(fields=["lead", "-written_at"], name="qual_note_lead"),
            models.Index(fields=["contact", "-written_at"], name="qual_note_contact"),
        ]

    def __str__(self):
        return self.body[:60]
