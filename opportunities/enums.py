from django.db import models


class Stage(models.TextChoices):
    """OPP-STAGES."""

    PRE = "00-Pre Opportunity", "00-Pre Opportunity"
    PENDING = "0-Pending Acceptance", "0-Pending Acceptance"
    DISCOVERY = "1-Discovery", "1-Discovery"
    SCOPING = "2-Scoping", "2-Scoping"
    TECH_EVAL = "3-Technical Evaluation", "3-Technical Evaluation"
    PROPOSAL = "4-Proposal", "4-Proposal"
    NEGOTIATING = "5-Negotiating", "5-Negotiating"
    AWAITING_SIGNATURE = "6-Awaiting Signature", "6-Awaiting Signature"
    CLOSED_WON = "7-Closed Won", "7-Closed Won"
    CLOSED_LOST = "8-Closed Lost", "8-Closed Lost"
    UNQUALIFIED = "9-Unqualified", "9-Unqualified"
    DUPLICATE = "10-Duplicate", "10-Duplicate"


OPEN_STAGES = (
    Stage.PRE,
    Stage.PENDING,
    Stage.DISCOVERY,
    Stage.SCOPING,
    Stage.TECH_EVAL,
    Stage.PROPOSAL,
    Stage.NEGOTIATING,
    Stage.AWAITING_SIGNATURE,
)


class OpportunityType(models.TextChoices):
    NEW_BUSINESS = "New Business", "New Business"
    ADD_ON = "Add-On", "Add-On"
    RENEWAL = "Renewal", "Renewal"
    PROFESSIONAL_SERVICES = "Professional Services", "Professional Services"


class OrderType(models.TextChoices):
    SALES_ASSISTED = "Sales-assisted", "Sales-assisted"
    WEB_DIRECT = "Web Direct", "Web Direct"


class SalesQualificationSource(models.TextChoices):
    NONE = "", "—"
    BDR = "BDR Generated", "BDR Generated"
    SDR = "SDR Generated", "SDR Generated"
    AE = "AE Generated", "AE Generated"


class Edition(models.TextChoices):
    NONE = "", "—"
    STARTER = "Starter", "Starter"
    PREMIUM = "Premium", "Premium"
    ULTIMATE = "Ultimate", "Ultimate"


class CreditRequestState(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    DISPUTED = "disputed", "Disputed"
