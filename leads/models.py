import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from gtm_portal.core.models import PersonBase, TimeStampedModel

from .enums import (
    CampaignType,
    DemographicTest,
    FormKind,
    IntakeOutcome,
    LeadStatus,
    RoutingLevel,
    ScoringKind,
)
from .querysets import LeadQuerySet

# LeadQuerySet.workable(): what every lead view starts from.
WORKABLE = models.Q(converted_at__isnull=True, merged_into__isnull=True) & ~models.Q(title="Test")


# ROUTE-2 step 10: the people whose owner may already be working the company.
RELATED = models.Q(merged_into__isnull=True) & models.Q(
    status__in=("Accepted", "Qualifying", "MQL")
)


class Lead(PersonBase):
    """LEAD-FIELDS."""

    company = models.CharField(max_length=255, blank=True)
    matched_account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    converted_contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    converted_account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    converted_opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    converted_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = LeadQuerySet.as_manager()

    SECTIONS = (
        (PersonBase.SECTIONS[0][0], PersonBase.SECTIONS[0][1] + ("company", "matched_account")),
        *PersonBase.SECTIONS[1:],
        (
            "Conversion",
            ("converted_contact", "converted_account", "converted_opportunity", "converted_at"),
        ),
    )

    class Meta:
        indexes = [
            models.Index(Lower("email"), name="lead_email_lower"),
            # LEAD-DUP-1: same first + last name (and company).
            models.Index(Lower("last_name"), Lower("first_name"), name="lead_name_lower"),
            models.Index(fields=["owner", "status"], name="lead_owner_status"),
            models.Index(fields=["matched_account", "status"], name="lead_account_status"),
            models.Index(fields=["status", "mql_date"], name="lead_status_mql"),
            models.Index(fields=["sla_due"], name="lead_sla_due"),
            models.Index(fields=["last_interesting_moment_at"], name="lead_lim_at"),
            # VIEW-1 at scale: a rep's workable leads (not converted, merged or test) — counted
            # from the index alone, and listed in each view's default order without a sort.
            models.Index(
                fields=["owner", "status", "is_hot", "lead_source"],
                condition=WORKABLE,
                name="lead_workable_owner",
            ),
            models.Index(
                fields=["owner", "sla_due", "id"], condition=WORKABLE, name="lead_workable_sla"
            ),
            # ROUTE-2 step 10 (related people): a key's people oldest MQL first.
            models.Index(
                fields=["matched_account", "mql_date", "id"],
                condition=RELATED,
                name="lead_related_account",
            ),
            models.Index(
                fields=["email_domain", "mql_date", "id"],
                condition=RELATED,
                name="lead_related_domain",
            ),
            # The "newest moment first" orders (NULLS LAST) are PostgreSQL-only indexes:
            # migration 0009 (SQLite cannot declare NULLS LAST in an index).
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=LeadStatus.values), name="lead_status_valid"
            ),
        ]

    def get_absolute_url(self):
        return reverse("leads:detail", args=[self.pk])


class ScoringRule(TimeStampedModel):
    """REF-4 points table. Behaviour rules fire on the form kinds in `triggers`; demographic
    rules test a field (`test`) with `words` where the test needs them."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=ScoringKind.choices)
    triggers = models.JSONField(
        default=list, blank=True, help_text="Form kinds that fire a behaviour rule."
    )
    test = models.CharField(max_length=32, choices=DemographicTest.choices, blank=True)
    words = models.JSONField(default=list, blank=True)
    points = models.IntegerField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "-points", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ScoringKind.values), name="scoring_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.points:+d})"

    def clean(self):
        if self.kind == ScoringKind.BEHAVIOUR:
            if not self.triggers:
                raise ValidationError({"triggers": "A behaviour rule needs at least one trigger."})
            unknown = set(self.triggers) - set(FormKind.values) - {"careers_repeat"}
            if unknown:
                raise ValidationError(
                    {"triggers": f"Unknown trigger(s): {', '.join(sorted(unknown))}."}
                )
        elif not self.test:
            raise ValidationError({"test": "A demographic rule needs a test."})


class RoutingPool(TimeStampedModel):
    """REF-6."""

    name = models.CharField(max_length=100, unique=True)
    regions = models.ManyToManyField("refdata.Region", blank=True, related_name="+")
    segments = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PoolMember(models.Model):
    """REF-6 / ROUTE-3: a member's level sets its weight; `assigned` counts its hand-outs."""

    pool = models.ForeignKey(RoutingPool, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pool_memberships"
    )
    level = models.CharField(
        max_length=16, choices=RoutingLevel.choices, default=RoutingLevel.RAMPING
    )
    active = models.BooleanField(default=True)
    out_of_office_from = models.DateField(null=True, blank=True)
    out_of_office_until = models.DateField(null=True, blank=True)
    assigned = models.PositiveIntegerField(default=0)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pool", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "user"], name="uniq_pool_member"),
            models.CheckConstraint(
                condition=models.Q(level__in=RoutingLevel.values), name="pool_member_level_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.pool} ({self.level})"

    def clean(self):
        if (
            self.out_of_office_from
            and self.out_of_office_until
            and self.out_of_office_until < self.out_of_office_from
        ):
            raise ValidationError(
                {"out_of_office_until": "Out of office must end after it starts."}
            )


class PersonRef(models.Model):
    """A row about a person: a lead or a contact, exactly one."""

    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def person(self):
        return self.lead if self.lead_id else self.contact


def _one_person(name):
    return models.CheckConstraint(
        condition=(
            models.Q(lead__isnull=False, contact__isnull=True)
            | models.Q(lead__isnull=True, contact__isnull=False)
        ),
        name=name,
    )


class ScoreEvent(PersonRef):
    """LEAD-SCORE-1: every point change, so the lead page answers "why is this an MQL"."""

    rule = models.ForeignKey(
        ScoringRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=ScoringKind.choices + [("reset", "Reset")])
    points = models.IntegerField()
    activity = models.ForeignKey(
        "activity.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    score_after = models.IntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["lead", "-created_at"], name="score_event_lead"),
            models.Index(fields=["contact", "-created_at"], name="score_event_contact"),
        ]
        constraints = [_one_person("score_event_one_person")]

    def __str__(self):
        return f"{self.rule_name} {self.points:+d}"


class RoutingDecision(PersonRef):
    """ROUTE-1: the stored decision — owner, deciding rule, explanation, SLA."""

    rule = models.CharField(max_length=16)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pool = models.ForeignKey(
        RoutingPool, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    explanation = models.JSONField(default=list)
    notifications = models.JSONField(default=list, blank=True)
    sla_due = models.DateTimeField(null=True, blank=True)
    trigger = models.CharField(max_length=64, blank=True)
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [
            models.Index(fields=["lead", "-decided_at"], name="routing_lead"),
            models.Index(fields=["contact", "-decided_at"], name="routing_contact"),
            models.Index(fields=["pool", "-decided_at"], name="routing_pool"),
        ]
        constraints = [_one_person("routing_one_person")]

    def __str__(self):
        return f"{self.rule} → {self.owner}"


class Campaign(TimeStampedModel):
    """CAMP-1."""

    name = models.CharField(max_length=200, unique=True, help_text="YYYYMMDD_Title")
    type = models.CharField(max_length=32, choices=CampaignType.choices)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    cost = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    high_priority = models.BooleanField(default=False)

    class Meta:
        ordering = ["-start_date", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("campaigns:detail", args=[self.pk])

    @property
    def is_system(self) -> bool:
        return self.type == CampaignType.SYSTEM

    def clean(self):

        if not re.fullmatch(r"\d{8}_.+", self.name or "") and self.type != CampaignType.SYSTEM:
            raise ValidationError({"name": "Name campaigns YYYYMMDD_Title (CAMP-1)."})
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date is before the start date."})


class CampaignMemberStatus(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="statuses")
    name = models.CharField(max_length=64)
    responded = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "campaign member statuses"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="uniq_campaign_status")
        ]

    def __str__(self):
        return f"{self.name}{' (responded)' if self.responded else ''}"


class CampaignMember(PersonRef, TimeStampedModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    status = models.ForeignKey(CampaignMemberStatus, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            _one_person("campaign_member_one_person"),
            models.UniqueConstraint(fields=["campaign", "lead"], name="uniq_campaign_lead"),
            models.UniqueConstraint(fields=["campaign", "contact"], name="uniq_campaign_contact"),
        ]

    def __str__(self):
        return f"{self.person} in {self.campaign}"


class IntakeSubmission(models.Model):
    """INTAKE-2 / Q-IDEM: one row per submission id; the intake log (kept 90 days)."""

    submission_id = models.CharField(max_length=200, unique=True, null=True, blank=True)
    token_name = models.CharField(max_length=100, blank=True)
    form = models.CharField(max_length=40, blank=True)
    email = models.CharField(max_length=254, blank=True)
    payload = models.JSONField(default=dict)
    outcome = models.CharField(max_length=16, choices=IntakeOutcome.choices)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict)
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.submission_id or '—'} {self.form} {self.outcome}"


class ImportRunQuerySet(models.QuerySet):
    def without_files(self):
        """The runs without the rows they keep (up to 20 MB): for every read but the rows'
        own (the history list, the progress poll, the commit's per-batch locks, the admin)."""
        return self.defer("table")


class ImportRun(TimeStampedModel):
    """IMPORT-1/2: an uploaded list — its rows as read once at upload (the preview and the
    commit task read those; the file itself is not kept, only its SHA-256), its preview
    totals and its commit's progress and counts (CONTRACT 6.6)."""

    class State(models.TextChoices):
        PREVIEW = "preview", "Preview"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Mode(models.TextChoices):
        ALL = "all", "All or nothing"
        SKIP_INVALID = "skip_invalid", "Skip invalid rows"

    objects = ImportRunQuerySet.as_manager()

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    file_kind = models.CharField(max_length=8, default="csv")
    table = models.BinaryField(
        default=bytes, help_text="the file's rows as read at upload (UTF-8 CSV)"
    )
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PREVIEW)
    mode = models.CharField(max_length=16, choices=Mode.choices, blank=True)
    initial_source = models.ForeignKey(
        "refdata.InitialSource", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member_status = models.CharField(max_length=64, blank=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, help_text="file header → field")
    total_rows = models.PositiveIntegerField(default=0)
    to_create = models.PositiveIntegerField(default=0)
    to_update = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    samples = models.JSONField(default=dict, help_text="the first rows of each outcome")
    done_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    routed = models.PositiveIntegerField(default=0)
    log = models.TextField(blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["preview", "queued", "running", "done", "failed"]),
                name="import_state_valid",
            )
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_state_display()})"

    def get_absolute_url(self):
        return reverse("imports:detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(100 * self.done_rows / self.total_rows) if self.total_rows else 0


class ImportRowError(models.Model):
    """IMPORT-2: a refused row of an import, as `errors.csv` lists it."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField()
    column = models.CharField(max_length=100, blank=True)
    value = models.TextField(blank=True)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["run", "row"], name="import_error_row")]


class ImportedRow(PersonRef):
    """A row an import wrote: who it created or updated and the membership it added — what
    the commit resumes from (Q-IDEM) and what an undo removes."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="written")
    row = models.PositiveIntegerField()
    created = models.BooleanField(default=False)
    membership = models.ForeignKey(
        CampaignMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "row"], name="uniq_imported_row"),
        ]


class ImportMapping(models.Model):
    """IMPORT-1: the mapping of unknown headers chosen on the preview page, remembered for
    the next file with the same headers."""

    key = models.CharField(max_length=64, unique=True, help_text="hash of the header set")
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return ", ".join(self.headers)[:100]


class DuplicateSuggestion(models.Model):
    """AUTO-6: two live leads the weekly job found alike (same e-mail, or same normalised
    first + last name and company), for Marketing Ops to merge or dismiss. One row per pair,
    ever: "not a duplicate" is remembered, and the job never suggests the pair again."""

    class Reason(models.TextChoices):
        EMAIL = "email", "Same e-mail"
        NAME_COMPANY = "name_company", "Same name and company"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        MERGED = "merged", "Merged"
        DISMISSED = "dismissed", "Not a duplicate"

    first = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    found_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-found_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="uniq_duplicate_pair"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="duplicate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["state", "-found_at"], name="duplicate_state")]

    def __str__(self):
        return f"{self.first_id} ~ {self.second_id} ({self.reason})"


class LifecycleStamp(PersonRef):
    """REPORT-FUNNEL: the first moment a person reached a lifecycle status. Written by the
    status service (`services.lifecycle`), moved to the survivor on merge and conversion
    (the earlier moment wins), never moved by a re-score or a recycle."""

    status = models.CharField(max_length=24)
    reached_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["status", "reached_at"], name="lifecycle_status_at")]
        constraints = [
            _one_person("lifecycle_one_person"),
            models.UniqueConstraint(fields=["lead", "status"], name="uniq_lifecycle_lead"),
            models.UniqueConstraint(fields=["contact", "status"], name="uniq_lifecycle_contact"),
        ]

    def __str__(self):
        return f"{self.person} reached {self.status} at {self.reached_at:%Y-%m-%d %H:%M}"
