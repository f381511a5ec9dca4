from django.conf import settings
from django.db import models
from django.urls import reverse

from gtm_portal.core.models import TimeStampedModel, VersionedModel

from .enums import (
    CreditRequestState,
    Edition,
    OpportunityType,
    OrderType,
    SalesQualificationSource,
    Stage,
)


class Opportunity(VersionedModel):
    """OPP-FIELDS. Stage and the stamps change only through the stage service (OPP-S1..S3)."""

    name = models.CharField(max_length=255)
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="opportunities"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_opportunities"
    )
    sdr_bdr = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credited_opportunities",
        verbose_name="SDR/BDR",
    )
    stage = models.CharField(max_length=32, choices=Stage.choices, default=Stage.PRE)
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    close_date = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    iacv = models.DecimalField("IACV", max_digits=14, decimal_places=2, default=0)
    initial_iacv = models.DecimalField(
        "Initial IACV", max_digits=14, decimal_places=2, null=True, blank=True
    )
    type = models.CharField(
        max_length=32, choices=OpportunityType.choices, default=OpportunityType.NEW_BUSINESS
    )
    order_type = models.CharField(
        max_length=16, choices=OrderType.choices, default=OrderType.SALES_ASSISTED
    )
    source = models.ForeignKey(
        "refdata.InitialSource", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sales_qualification_source = models.CharField(
        max_length=16, choices=SalesQualificationSource.choices, blank=True
    )
    right_person_confirmed = models.BooleanField("Right person/profile confirmed", default=False)
    business_problem = models.TextField(blank=True)
    seats = models.PositiveIntegerField(null=True, blank=True)
    deployment_preference = models.CharField(max_length=100, blank=True)
    technology_stack = models.TextField(blank=True)
    solutions_to_replace = models.TextField(blank=True)
    competition = models.CharField(max_length=255, blank=True)
    meddpic_notes = models.TextField("MEDDPIC notes", blank=True)
    poc_notes = models.TextField("POC notes", blank=True)
    success_criteria = models.TextField(blank=True)
    purchasing_plan = models.TextField(blank=True)
    po_expected = models.BooleanField("PO expected", null=True, blank=True)
    next_step = models.CharField(max_length=255, blank=True)
    next_step_date = models.DateField(null=True, blank=True)
    sales_accepted_date = models.DateTimeField(null=True, blank=True)
    sales_qualified = models.BooleanField(default=False)
    sales_qualified_date = models.DateTimeField(null=True, blank=True)
    closed_lost_reasons = models.ManyToManyField("refdata.Reason", blank=True, related_name="+")
    closed_lost_detail = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    merged_opportunity = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unqualified_reason = models.ForeignKey(
        "refdata.Reason", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_won_details = models.TextField(blank=True)
    edition = models.CharField(max_length=16, choices=Edition.choices, blank=True)
    referenceable = models.BooleanField(default=False)
    resale_partner = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trial_expiry = models.DateField(null=True, blank=True)
    from_trial = models.BooleanField(default=False)
    possible_duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    standard_terms_modification = models.BooleanField(default=False)
    description = models.TextField(blank=True)

    SECTIONS = (
        (
            "Opportunity",
            (
                "name",
                "account",
                "owner",
                "sdr_bdr",
                "type",
                "order_type",
                "source",
                "sales_qualification_source",
                "close_date",
                "amount",
                "iacv",
                "initial_iacv",
                "edition",
                "resale_partner",
                "trial_expiry",
                "description",
            ),
        ),
        (
            "Qualification",
            (
                "right_person_confirmed",
                "business_problem",
                "seats",
                "deployment_preference",
                "technology_stack",
                "solutions_to_replace",
                "competition",
            ),
        ),
        (
            "Plan",
            (
                "meddpic_notes",
                "poc_notes",
                "success_criteria",
                "purchasing_plan",
                "po_expected",
                "next_step",
                "next_step_date",
            ),
        ),
        ("Stamps", ("sales_accepted_date", "sales_qualified", "sales_qualified_date", "closed_at")),
        (
            "Closing",
            (
                "closed_lost_detail",
                "merged_opportunity",
                "unqualified_reason",
                "closed_won_details",
                "referenceable",
                "standard_terms_modification",
                "possible_duplicate_of",
            ),
        ),
    )

    class Meta:
        verbose_name_plural = "opportunities"
        indexes = [
            models.Index(fields=["owner", "stage"], name="opp_owner_stage"),
            models.Index(fields=["sdr_bdr", "stage"], name="opp_sdr_stage"),
            models.Index(fields=["account", "stage"], name="opp_account_stage"),
            models.Index(fields=["stage", "close_date"], name="opp_stage_close"),
            models.Index(fields=["sales_accepted_date"], name="opp_sao_date"),
            # VIEW-4 lists: "My opportunities" by close date, and the sortable columns.
            models.Index(fields=["owner", "close_date", "id"], name="opp_owner_close"),
            models.Index(fields=["close_date", "id"], name="opp_close_id"),
            models.Index(fields=["iacv", "id"], name="opp_iacv_id"),
            models.Index(fields=["name", "id"], name="opp_name_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stage__in=Stage.values), name="opp_stage_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(order_type__in=OrderType.values), name="opp_order_type_valid"
            ),
            # OPP-V1 at the database level too.
            models.CheckConstraint(
                condition=~models.Q(owner=models.F("sdr_bdr")), name="opp_owner_not_sdr_bdr"
            ),
        ]

    def __str__(self):
        return self.name

    LABEL_FIELDS = ("name",)  # a related opportunity named on a page (core.labels)

    def get_absolute_url(self):
        return reverse("opportunities:detail", args=[self.pk])


class OpportunityContactRole(models.Model):
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="contact_roles"
    )
    contact = models.ForeignKey(
        "accounts.Contact", on_delete=models.CASCADE, related_name="opportunity_roles"
    )
    is_primary = models.BooleanField("Primary", default=False)
    is_bill_to = models.BooleanField("Bill-to", default=False)
    is_sold_to = models.BooleanField("Sold-to", default=False)
    is_partner = models.BooleanField("Partner", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "contact"], name="uniq_contact_role"),
        ]

    def __str__(self):
        return f"{self.contact} on {self.opportunity}"


class StageChange(models.Model):
    """OPP-S3: every stage change — from, to, who, when."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(max_length=32, blank=True)
    to_stage = models.CharField(max_length=32)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["opportunity", "changed_at"], name="stage_change_opp")]

    def __str__(self):
        return f"{self.from_stage or '∅'} → {self.to_stage}"


class SAOCreditRequest(TimeStampedModel):
    """SAO-WD: a web-direct SAO credit request, decided by the requester's manager."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="credit_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_requests"
    )
    evidence = models.ForeignKey("activity.Activity", on_delete=models.PROTECT, related_name="+")
    explanation = models.TextField()
    state = models.CharField(
        max_length=10, choices=CreditRequestState.choices, default=CreditRequestState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    # SAO-WD 3: a second requester's request disputes the open one; both managers resolve it.
    disputes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="challenges"
    )
    # What the approval replaced, so that a dispute moving the credit restores it exactly.
    prior_sales_accepted_date = models.DateTimeField(null=True, blank=True)
    prior_qualification_source = models.CharField(max_length=16, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "requester"], name="credit_request_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity"],
                condition=models.Q(state__in=["pending", "approved"]),
                name="one_open_credit_request_per_opportunity",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=CreditRequestState.values),
                name="credit_request_state_valid",
            ),
        ]

    def __str__(self):
        return f"SAO credit for {self.requester} on {self.opportunity}"


class LostDeal(models.Model):
    """OPP-NOTIFY: an entry of the lost-deals feed (a big New Business deal closed lost)."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="lost_deal_posts"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField(db_index=True)
    iacv = models.DecimalField("IACV", max_digits=14, decimal_places=2)
    segment = models.CharField(max_length=16)
    reasons = models.CharField(max_length=500, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self):
        return f"Lost: {self.opportunity}"


class LostDealFollower(models.Model):
    """OPP-NOTIFY: a user following the lost-deals feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return str(self.user)


class WebOrder(models.Model):
    """ORDER-1: idempotent by invoice number (Q-IDEM)."""

    invoice_number = models.CharField(max_length=100, unique=True)
    subscription_id = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    response = models.JSONField(default=dict)
    account = models.ForeignKey(
        "accounts.Account", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opportunity = models.ForeignKey(
        Opportunity, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField()

    def __str__(self):
        return self.invoice_number


class StageChecklistItem(models.Model):
    """OPP-CHECKLIST reference data: what to complete in a stage (admin-edited). It guides;
    the hard rules (OPP-V1..V12) block."""

    stage = models.CharField(max_length=32, choices=Stage.choices)
    text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["stage", "position", "id"]

    def __str__(self):
        return f"{self.stage}: {self.text}"


class ChecklistTick(models.Model):
    """OPP-CHECKLIST: an item ticked on one opportunity, by whom and when."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="checklist_ticks"
    )
    item = models.ForeignKey(StageChecklistItem, on_delete=models.CASCADE, related_name="+")
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "item"], name="uniq_checklist_tick")
        ]

    def __str__(self):
        return f"{self.opportunity_id}: {self.item_id}"
