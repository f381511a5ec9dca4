"""Shared model pieces: timestamps, field history (Q-AUDIT), tombstones, job runs, and the
person fields leads and contacts share (LEAD-FIELDS, CONTACT-1)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.urls import reverse

from .enums import PartnerProspectingStatus, PersonStatus, YesNoUnknown


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """Records edited by people: `version` guards against lost updates (Q-CONC)."""

    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class FieldChange(models.Model):
    """Q-AUDIT / STYLE 2.8: one row per changed field — who, when, old, new, why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    field = models.CharField(max_length=64)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(db_index=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "-changed_at"], name="fieldchange_record"
            ),
        ]

    def __str__(self):
        return f"{self.field}: {self.old_value!r} → {self.new_value!r}"


class Tombstone(models.Model):
    """What is left of a purged, erased or merged record: no personal data (LEAD-SPAM-1,
    LEAD-DSR-1, LEAD-MERGE-1)."""

    class Reason(models.TextChoices):
        MERGED = "merged", "Merged"
        SPAM = "spam", "Spam deletion"
        TEST = "test", "Test record purge"
        ERASED = "erased", "Data subject erasure"

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    reason = models.CharField(max_length=16, choices=Reason.choices)
    redirect_object_id = models.BigIntegerField(null=True, blank=True)
    redirect_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    processed_at = models.DateTimeField()
    request_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="uniq_tombstone")
        ]

    def __str__(self):
        return f"{self.content_type.model} #{self.object_id} ({self.get_reason_display()})"


class JobRun(models.Model):
    """One run of a scheduled job or long task (§10): last run and counts on the jobs page."""

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    name = models.CharField(max_length=100, db_index=True)
    key = models.CharField(
        max_length=200, blank=True, help_text="Idempotency key: one run per key (Q-IDEM)."
    )
    state = models.CharField(max_length=8, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    log = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "key"], condition=~models.Q(key=""), name="uniq_job_run_key"
            )
        ]

    def __str__(self):
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.finished_at else 0)


class PersonBase(VersionedModel):
    """Fields a lead and a contact share (LEAD-FIELDS, CONTACT-1)."""

    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254, blank=True)
    email_domain = models.CharField(
        max_length=254,
        blank=True,
        db_index=True,
        editable=False,
        help_text="Derived from the e-mail: related people by domain (ROUTE-2 step 10).",
    )
    phone = models.CharField(max_length=40, blank=True)
    mobile = models.CharField(max_length=40, blank=True)
    phone_dnc = models.BooleanField("Phone on external do-not-call list", default=False)
    mobile_dnc = models.BooleanField("Mobile on external do-not-call list", default=False)
    title = models.CharField(max_length=200, blank=True)
    website = models.CharField(max_length=200, blank=True)
    linkedin_url = models.URLField("LinkedIn URL", max_length=300, blank=True)
    employees = models.PositiveIntegerField("Employee count", null=True, blank=True)
    country = models.ForeignKey(
        "refdata.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("State/province", max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    address1 = models.CharField("Address 1", max_length=200, blank=True)
    address2 = models.CharField("Address 2", max_length=200, blank=True)
    postal_code = models.CharField("Zip/postal code", max_length=20, blank=True)
    region = models.ForeignKey(
        "refdata.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Derived from the country (REF-1).",
    )
    description = models.TextField(blank=True)
    initial_source = models.ForeignKey(
        "refdata.InitialSource",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Set once, never changed (LEAD-SOURCE-1).",
    )
    lead_source = models.CharField("Lead source (latest)", max_length=100, blank=True)
    status = models.CharField(max_length=24, choices=PersonStatus.choices, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    behaviour_score = models.IntegerField(default=0)
    demographic_score = models.IntegerField(default=0)
    person_score = models.IntegerField(default=0, help_text="Behaviour + demographic score.")
    score_reset_at = models.DateTimeField(
        null=True, blank=True, help_text="Behaviour score counts from here (LEAD-STATUS 3)."
    )
    mql_date = models.DateTimeField("MQL date", null=True, blank=True)
    mql_count = models.PositiveIntegerField("MQL count", default=0)
    last_interesting_moment = models.CharField(max_length=255, blank=True)
    last_interesting_moment_at = models.DateTimeField(null=True, blank=True)
    is_hot = models.BooleanField("High priority (hot)", default=False)
    active_until = models.DateField(null=True, blank=True, help_text="LEAD-ACTIVE window end.")
    sla_due = models.DateTimeField("SLA due", null=True, blank=True)
    first_touch_at = models.DateTimeField(null=True, blank=True)
    first_touch_minutes = models.FloatField(
        "Business minutes to first touch",
        null=True,
        blank=True,
        editable=False,
        help_text="ROUTE-4: the owner's business minutes from MQL to first touch.",
    )
    do_not_call = models.BooleanField("Do Not Call", default=False)
    email_opt_out = models.BooleanField("E-mail opt-out", default=False)
    opt_out_until = models.DateField("30-day opt-out until", null=True, blank=True)
    gdpr_opt_in = models.BooleanField("Opted in (GDPR)", default=False)
    is_inactive = models.BooleanField("Inactive (left the company)", default=False)
    is_core_user = models.BooleanField("Core user", default=False)
    setup_for_team = models.BooleanField("Set up for team", default=False)
    partner_prospecting_status = models.CharField(
        max_length=40, choices=PartnerProspectingStatus.choices, blank=True
    )
    bant_budget = models.CharField(
        "Budget", max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    bant_authority = models.CharField(
        "Authority", max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    bant_need = models.CharField(
        "Need", max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    bant_timeline = models.CharField(
        "Timeline", max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    disqualify_reason = models.ForeignKey(
        "refdata.Reason", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Scores have their own log (score events, LEAD-SCORE-1); the interesting moment changes
    # with every form fill. Neither belongs in the field history.
    HISTORY_EXCLUDE = (
        "email_domain",
        "behaviour_score",
        "demographic_score",
        "person_score",
        "score_reset_at",
        "last_interesting_moment",
        "last_interesting_moment_at",
        "first_touch_minutes",
    )

    # Fields the record page groups into sections, in order (UX: record pages).
    SECTIONS = (
        (
            "Contact info",
            (
                "first_name",
                "last_name",
                "title",
                "email",
                "phone",
                "mobile",
                "linkedin_url",
                "website",
                "employees",
            ),
        ),
        ("Address", ("address1", "address2", "city", "state", "postal_code", "country", "region")),
        (
            "Qualification",
            (
                "bant_budget",
                "bant_authority",
                "bant_need",
                "bant_timeline",
                "disqualify_reason",
                "description",
            ),
        ),
        (
            "Marketing",
            (
                "initial_source",
                "lead_source",
                "behaviour_score",
                "demographic_score",
                "person_score",
                "mql_date",
                "mql_count",
                "last_interesting_moment",
                "last_interesting_moment_at",
                "is_hot",
                "active_until",
                "partner_prospecting_status",
                "is_core_user",
                "setup_for_team",
            ),
        ),
        (
            "Compliance",
            (
                "do_not_call",
                "phone_dnc",
                "mobile_dnc",
                "email_opt_out",
                "opt_out_until",
                "gdpr_opt_in",
                "is_inactive",
            ),
        ),
    )

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    LABEL_FIELDS = ("first_name", "last_name")  # a related person named on a page

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    DERIVED_FIELDS = ("email_domain",)

    def derive(self) -> None:
        """Recompute the stored derived columns from this row's own fields."""
        email = (self.email or "").strip()
        self.email_domain = email.rsplit("@", 1)[-1].lower() if "@" in email else ""

    # LEAD-DNC-1: a number on an external do-not-call list is hidden on every page, view,
    # export and API answer (the value is kept).
    DNC_NUMBERS = {"phone": "phone_dnc", "mobile": "mobile_dnc"}
    HIDDEN_NUMBER = "Hidden (external do-not-call list)"

    def number_hidden(self, name: str) -> bool:
        flag = self.DNC_NUMBERS.get(name)
        return bool(flag and getattr(self, flag))

    def shown_number(self, name: str) -> str:
        return "" if self.number_hidden(name) else getattr(self, name)

    @property
    def is_test(self) -> bool:
        """LEAD-TEST: title exactly `Test`."""
        return self.title == "Test"


def email_key(email: str) -> str:
    """An e-mail as the lower(email) indexes compare it (matching is case-insensitive)."""
    return (email or "").strip().lower()


def email_is(email: str):
    """A filter on a person's e-mail, any case, that uses the lower(email) index (Django's
    `iexact` compares UPPER(...) on PostgreSQL and would read the whole table)."""

    return Exact(Lower("email"), email_key(email))


def record_url(kind: str, pk: int) -> str:
    return reverse(f"{kind}:detail", args=[pk])


class SavedView(TimeStampedModel):
    """VIEW-4: a user's named copy of a list view with its filters and sort; a manager can
    share one with their team."""

    KINDS = (("leads", "Leads"), ("contacts", "Contacts"), ("accounts", "Accounts"))

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=KINDS)
    base_code = models.CharField(max_length=4)
    params = models.CharField(
        max_length=1000, blank=True, help_text="The view's query string: filters, sort, page size."
    )
    shared_with_team = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="uniq_saved_view")]

    def __str__(self):
        return self.name

    @property
    def url(self) -> str:
        return f"/{self.kind}/views/{self.base_code}/?{self.params}{'&' if self.params else ''}saved={self.pk}"


class CacheEntry(models.Model):
    """The table of Django's database cache (the shape `createcachetable` gives it), made by
    a migration so it exists wherever the portal runs: production without `CACHE_URL` keeps
    its rate-limit and log-in counts here, shared by every worker (Q-SEC), instead of one
    count per process."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "gtm_cache"
