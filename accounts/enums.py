from django.db import models


class AccountType(models.TextChoices):
    PROSPECT = "Prospect", "Prospect"
    PROSPECT_CE = "Prospect - CE User", "Prospect - CE User"
    CUSTOMER = "Customer", "Customer"
    FORMER_CUSTOMER = "Former Customer", "Former Customer"
    INTEGRATOR = "Integrator", "Integrator"
    RESELLER = "Reseller", "Reseller"
    PROSPECTIVE_RESELLER = "Prospective Reseller", "Prospective Reseller"
    PARTNER = "Partner", "Partner"


class BDRProspectingStatus(models.TextChoices):
    """ACCT-BPS."""

    NONE = "", "—"
    QUEUED = "Queued", "Queued"
    ACTIVELY_WORKING = "Actively Working", "Actively Working"
    WORKED_IN_FY = "Worked in FY", "Worked in FY"
    RESTRICTED = "Restricted", "Restricted"


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
