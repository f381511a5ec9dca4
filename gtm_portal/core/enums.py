from django.db import models


class PersonStatus(models.TextChoices):
    """LEAD-STATUS values; contacts use the same values except Raw (CONTACT-1)."""

    RAW = "Raw", "Raw"
    INQUIRY = "Inquiry", "Inquiry"
    MQL = "MQL", "MQL"
    ACCEPTED = "Accepted", "Accepted"
    QUALIFYING = "Qualifying", "Qualifying"
    QUALIFIED = "Qualified", "Qualified"
    DISQUALIFIED = "Disqualified", "Disqualified"
    RECYCLE = "Recycle", "Recycle (Nurture)"
    BAD_DATA = "Bad Data", "Bad Data"
    INELIGIBLE = "Ineligible", "Ineligible"
    WEB_PORTAL_PURCHASE = "Web Portal Purchase", "Web Portal Purchase"


OPEN_PERSON_STATUSES = (
    PersonStatus.RAW,
    PersonStatus.INQUIRY,
    PersonStatus.MQL,
    PersonStatus.ACCEPTED,
    PersonStatus.QUALIFYING,
    PersonStatus.RECYCLE,
)


class YesNoUnknown(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    YES = "yes", "Yes"
    NO = "no", "No"


class PartnerProspectingStatus(models.TextChoices):
    NONE = "", "—"
    PROSPECTING = "Partner Prospecting", "Partner prospecting"
    ENGAGED = "Partner Engaged", "Partner engaged"
