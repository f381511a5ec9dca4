from django.db import models


class AccountType(models.TextChoices):
    PROSPECT = "Prospect"
    PROSPECT_CE = "Prospect - CE User"
    CUSTOMER = "Customer"
    FORMER_CUSTOMER = "Former Customer"
    INTEGRATOR = "Integrator"
    RESELLER = "Reseller"
    PROSPECTIVE_RESELLER = "Prospective Reseller"
    PARTNER = "Partner"


class BDRProspectingStatus(models.TextChoices):
    """ACCT-BPS."""

    NONE = "", "—"
    QUEUED = "Queued"
    ACTIVELY_WORKING = "Actively Working"
    WORKED_IN_FY = "Worked in FY"
    RESTRICTED = "Restricted"


class PaidTier(models.TextChoices):
    NONE = "none", "None"
    CI_STORAGE = "ci_storage", "CI minutes or storage only"
    PREMIUM = "premium", "Premium"
    ULTIMATE = "ultimate", "Ultimate"


class TransferState(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"
