from django.db import models


class SourceBucket(models.TextChoices):
    CORE = "core", "Core"
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"
    PAID_DEMAND_GEN = "paid demand gen", "Paid demand gen"
    PURCHASED_LIST = "purchased list", "Purchased list"
    REFERRAL = "referral", "Referral"
    VIRTUAL_EVENT = "virtual event", "Virtual event"
    WEB_DIRECT = "web direct", "Web direct"
    TRIAL = "trial", "Trial"
    OTHER = "other", "Other"


class Segment(models.TextChoices):
    STRATEGIC = "Strategic", "Strategic"
    LARGE = "Large", "Large"
    MID_MARKET = "Mid-Market", "Mid-Market"
    SMB = "SMB", "SMB"
    UNKNOWN = "Unknown", "Unknown"


# REF-2 order for "max": Strategic > Large > Mid-Market > SMB > Unknown.
SEGMENT_RANK = {
    Segment.UNKNOWN: 0,
    Segment.SMB: 1,
    Segment.MID_MARKET: 2,
    Segment.LARGE: 3,
    Segment.STRATEGIC: 4,
}


class ReasonKind(models.TextChoices):
    CLOSED_LOST = "closed_lost", "Closed-lost reason"
    DISQUALIFY = "disqualify", "Disqualify reason"
    UNQUALIFIED = "unqualified", "Unqualified reason"


class WordList(models.TextChoices):
    PUBSEC = "pubsec", "PubSec indicator words"
    FREE_DOMAIN = "free_domain", "Free e-mail domains"
    BLOCKED_DOMAIN = "blocked_domain", "Blocked e-mail domains"


class Setting(models.TextChoices):
    MQL_THRESHOLD = "mql_threshold", "MQL threshold (points)"
    INQUIRY_THRESHOLD = "inquiry_threshold", "Inquiry threshold (behaviour points, exclusive)"
    FISCAL_YEAR_START_MONTH = "fiscal_year_start_month", "Fiscal year start month (1-12)"
    AW_LIMIT_LARGE = "aw_limit_large", "BDR Actively Working limit, Large and Strategic"
    AW_LIMIT_OTHER = "aw_limit_other", "BDR Actively Working limit, Mid-Market, SMB, Unknown"
    SEGMENT_LARGE_MIN = "segment_large_min", "Segment Large from (employees, REF-2)"
    SEGMENT_MID_MARKET_MIN = "segment_mid_market_min", "Segment Mid-Market from (employees, REF-2)"
    SEGMENT_SMB_MIN = "segment_smb_min", "Segment SMB from (employees, REF-2)"
