from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from gtm_portal.core.enums import PersonStatus
from gtm_portal.core.models import PersonBase, TimeStampedModel, VersionedModel
from gtm_portal.refdata.enums import Segment

from .enums import AccountType, BDRProspectingStatus, PaidTier, TransferState
from .querysets import AccountQuerySet, ContactQuerySet


class Account(VersionedModel):
    """ACCT-FIELDS."""

    name = models.CharField(max_length=255)
    normalized_name = models.CharField(
        max_length=255,
        blank=True,
        db_index=True,
        editable=False,
        help_text="Derived from the name for account matching (ROUTE, LEAD-DUP-1).",
    )
    domain = models.CharField(max_length=255, blank=True, help_text="e.g. example.com")
    website = models.CharField(max_length=255, blank=True)
    type = models.CharField(
        max_length=32, choices=AccountType.choices, default=AccountType.PROSPECT
    )
    account_source = models.ForeignKey(
        "refdata.InitialSource", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    employees = models.PositiveIntegerField("Total employee count", null=True, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    billing_street = models.CharField(max_length=255, blank=True)
    billing_city = models.CharField(max_length=100, blank=True)
    billing_state = models.CharField(max_length=100, blank=True)
    billing_postal_code = models.CharField(max_length=20, blank=True)
    country = models.ForeignKey(
        "refdata.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "refdata.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    territory = models.CharField(max_length=100, blank=True)
    segment = models.CharField(
        max_length=16,
        choices=Segment.choices,
        default=Segment.UNKNOWN,
        db_index=True,
        help_text="Derived: the maximum segment in the ultimate parent's tree (ACCT-SEG).",
    )
    is_strategic = models.BooleanField("Named/strategic", default=False)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    ultimate_parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tree_members",
        help_text="Top of the hierarchy (itself when it has no parent).",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_accounts",
    )
    bdr_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bdr_accounts",
        verbose_name="BDR Assigned",
    )
    bdr_prospecting_status = models.CharField(
        "BDR Prospecting Status", max_length=20, choices=BDRProspectingStatus.choices, blank=True
    )
    actively_working_since = models.DateTimeField(null=True, blank=True)
    bps_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the BDR Prospecting Status last changed (ACCT-BPS 6 / AUTO-3).",
    )
    bdr_research = models.TextField("BDR account research", blank=True)
    bdr_next_step = models.CharField("BDR next step", max_length=255, blank=True)
    bdr_next_step_date = models.DateField("BDR next step date", null=True, blank=True)
    bdr_comments = models.TextField("BDR comments", blank=True)
    priority = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(1, "1"), (2, "2"), (3, "3")]
    )
    account_rank = models.PositiveIntegerField(null=True, blank=True)
    lam_dev_count = models.PositiveIntegerField("LAM developer count", null=True, blank=True)
    intent_score = models.IntegerField("Intent/qualification score", null=True, blank=True)
    tech_used = models.TextField("Technology used", blank=True)
    triggers = models.TextField(blank=True)
    total_carr = models.DecimalField("Total CARR", max_digits=14, decimal_places=2, default=0)
    paid_tier = models.CharField(max_length=16, choices=PaidTier.choices, default=PaidTier.NONE)
    first_order_available = models.BooleanField(
        default=True, help_text="Derived: false in a customer hierarchy (ACCT-CUSTOMER)."
    )
    using_ce = models.BooleanField("Using CE", default=False)
    active_ce_users = models.PositiveIntegerField("Active CE users", null=True, blank=True)
    ce_instances = models.PositiveIntegerField("CE instances", null=True, blank=True)
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Customer-success manager",
    )
    is_public_sector = models.BooleanField("Public sector", default=False)
    referenceable_details = models.TextField("Referenceable customer details", blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AccountQuerySet.as_manager()

    SECTIONS = (
        (
            "Account",
            (
                "name",
                "domain",
                "website",
                "type",
                "account_source",
                "industry",
                "employees",
                "segment",
                "is_strategic",
                "parent",
                "owner",
                "priority",
                "account_rank",
            ),
        ),
        (
            "Billing address",
            (
                "billing_street",
                "billing_city",
                "billing_state",
                "billing_postal_code",
                "country",
                "region",
                "territory",
            ),
        ),
        (
            "BDR",
            (
                "bdr_assigned",
                "bdr_prospecting_status",
                "actively_working_since",
                "bdr_research",
                "bdr_next_step",
                "bdr_next_step_date",
                "bdr_comments",
            ),
        ),
        ("ICP", ("lam_dev_count", "intent_score", "tech_used", "triggers")),
        (
            "Customer",
            (
                "total_carr",
                "paid_tier",
                "first_order_available",
                "using_ce",
                "active_ce_users",
                "ce_instances",
                "csm",
                "is_public_sector",
                "referenceable_details",
                "duplicate_of",
            ),
        ),
    )

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(Lower("domain"), name="account_domain_lower"),
            models.Index(Lower("name"), name="account_name_lower"),
            models.Index(fields=["bdr_assigned", "bdr_prospecting_status"], name="account_bdr"),
            models.Index(fields=["region", "segment"], name="account_territory"),
            models.Index(fields=["owner"], name="account_owner"),
            models.Index(fields=["ultimate_parent"], name="account_ultimate_parent"),
            # VIEW-3 B1/B2 in name order, read from an index (no sort over 10,000s of rows).
            models.Index(
                fields=["name", "id"],
                condition=models.Q(merged_into__isnull=True),
                name="account_live_name",
            ),
            models.Index(
                fields=["bdr_assigned", "name", "id"],
                condition=models.Q(merged_into__isnull=True),
                name="account_bdr_name",
            ),
            # B1's capped count of a territory's accounts from the index alone.
            models.Index(
                fields=["region", "segment"],
                condition=models.Q(merged_into__isnull=True),
                name="account_live_territory",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=AccountType.values), name="account_type_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(bdr_prospecting_status__in=BDRProspectingStatus.values),
                name="account_bps_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(segment__in=Segment.values), name="account_segment_valid"
            ),
        ]

    def __str__(self):
        return self.name

    LABEL_FIELDS = ("name",)  # a related account named on a page (core.labels)

    def get_absolute_url(self):
        return reverse("accounts:detail", args=[self.pk])

    DERIVED_FIELDS = ("normalized_name",)
    HISTORY_EXCLUDE = (*DERIVED_FIELDS, "bps_changed_at")

    def derive(self) -> None:
        """Recompute the stored derived columns from this row's own fields."""
        from .matching import normalize_company  # noqa: PLC0415  matching reads Account

        self.normalized_name = normalize_company(self.name)

    @property
    def contact_owner(self):
        """CONTACT-OWNER: the BDR Assigned if set, else the account owner. (routing.py holds
        the same sentence over plain facts, for the pure decision tree.)"""
        return self.bdr_assigned or self.owner

    @property
    def is_customer(self) -> bool:
        return self.type == AccountType.CUSTOMER


RELATED = models.Q(merged_into__isnull=True) & models.Q(
    status__in=("Accepted", "Qualifying", "MQL")
)


class Contact(PersonBase):
    """CONTACT-1: the person fields of a lead plus a required account."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="contacts")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ContactQuerySet.as_manager()

    SECTIONS = (
        (PersonBase.SECTIONS[0][0], PersonBase.SECTIONS[0][1] + ("account",)),
        *PersonBase.SECTIONS[1:],
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(Lower("email"), name="contact_email_lower"),
            models.Index(fields=["owner", "status"], name="contact_owner_status"),
            models.Index(fields=["account", "status"], name="contact_account_status"),
            # The account page's people, by name (no sort over an account's 10,000 contacts).
            models.Index(
                fields=["account", "last_name", "first_name", "id"], name="contact_account_name"
            ),
            models.Index(fields=["sla_due"], name="contact_sla_due"),
            # VIEW-2 B1 (MQL and hot contacts I own) oldest SLA first, from the index.
            models.Index(
                fields=["owner", "sla_due", "id", "status"],
                condition=(
                    models.Q(merged_into__isnull=True)
                    & ~models.Q(title="Test")
                    & (models.Q(status="MQL") | models.Q(is_hot=True))
                ),
                name="contact_b1_sla",
            ),
            # ROUTE-2 step 10 (related people): a key's people oldest MQL first.
            models.Index(
                fields=["account", "mql_date", "id"],
                condition=RELATED,
                name="contact_related_account",
            ),
            models.Index(
                fields=["email_domain", "mql_date", "id"],
                condition=RELATED,
                name="contact_related_domain",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s for s in PersonStatus.values if s != "Raw"]),
                name="contact_status_valid",
            ),
        ]

    def get_absolute_url(self):
        return reverse("contacts:detail", args=[self.pk])


class AccountTeamMember(TimeStampedModel):
    """CONTACT-OWNER: SDRs added to the account's team appear on its contacts' team."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=50, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="uniq_account_team_member")
        ]

    def __str__(self):
        return f"{self.user} on {self.account}"


class TransferRequest(TimeStampedModel):
    """ACCT-CLAIM 2/3: a request to take a lead, contact or account from its owner."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="transfer_requests"
    )
    owner_at_request = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    state = models.CharField(
        max_length=10, choices=TransferState.choices, default=TransferState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["content_type", "object_id", "state"], name="transfer_record")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "requester"],
                condition=models.Q(state="pending"),
                name="uniq_pending_transfer_per_requester",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=TransferState.values), name="transfer_state_valid"
            ),
        ]

    def __str__(self):
        return f"Transfer of {self.content_type.model} #{self.object_id} to {self.requester}"
