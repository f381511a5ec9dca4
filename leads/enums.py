from django.db import models

from gtm_portal.core.enums import OPEN_PERSON_STATUSES, PersonStatus

LeadStatus = PersonStatus
OPEN_LEAD_STATUSES = OPEN_PERSON_STATUSES


class FormKind(models.TextChoices):
    """INTAKE-1 submission kinds (CONTRACT 6.1 names)."""

    TRIAL_SELF_MANAGED = "trial_self_managed", "Requested a self-managed trial"
    TRIAL_SAAS = "trial_saas", "Requested a SaaS trial"
    CONTACT_US = "contact_us", "Filled the contact-us form"
    PROFESSIONAL_SERVICES = "professional_services", "Requested professional services"
    WEBCAST_REGISTRATION = "webcast_registration", "Registered for a webcast"
    WEBCAST_ATTENDED_HIGH = "webcast_attended_high_intent", "Attended a high-intent live webcast"
    WEBCAST_ATTENDED_LOW = "webcast_attended_low_intent", "Attended a low-intent live webcast"
    ONDEMAND_HIGH = "ondemand_high_intent", "Watched a high-intent on-demand webcast"
    ONDEMAND_LOW = "ondemand_low_intent", "Watched a low-intent on-demand webcast"
    GATED_CONTENT = "gated_content", "Downloaded a gated asset"
    NEWSLETTER = "newsletter", "Opted into the newsletter"
    SECURITY_NEWSLETTER = "security_newsletter", "Opted into the security newsletter"
    EVENT_BOOTH = "event_booth", "Visited a trade-show booth"
    WEB_CHAT = "web_chat", "Started a web chat"
    EDUCATION_PROGRAM = "education_program", "Applied to the education program"
    OSS_PROGRAM = "oss_program", "Applied to the open-source program"
    STARTUP_PROGRAM = "startup_program", "Applied to the startup program"
    PAGE_VISIT_PRICING = "page_visit_pricing", "Visited the pricing page"
    PAGE_VISIT_FEATURES = "page_visit_features", "Visited the features page"
    PAGE_VISIT_INSTALLATION = "page_visit_installation", "Visited the installation page"
    PAGE_VISIT_ENTERPRISE_TRIAL = "page_visit_enterprise_trial", "Visited the enterprise trial page"
    PAGE_VISIT_CAREERS = "page_visit_careers", "Visited the careers page"
    UNSUBSCRIBE = "unsubscribe", "Unsubscribed from e-mail"


class ScoringKind(models.TextChoices):
    BEHAVIOUR = "behaviour", "Behaviour"
    DEMOGRAPHIC = "demographic", "Demographic"


class DemographicTest(models.TextChoices):
    """REF-4 demographic rule tests; `words` on the rule parameterises the title tests."""

    TITLE_HAS_WORD = "title_has_word", "Title has one of the words"
    TITLE_TECHNICAL_OR_BLANK = (
        "title_technical_or_blank",
        "Title blank, without letters, or has one of the words",
    )
    COMPANY_EMAIL = "company_email", "Valid company e-mail"
    FREE_EMAIL = "free_email", "E-mail on a free domain"


class RoutingLevel(models.TextChoices):
    """REF-6 routing levels; weights live on the member's level (editable via the table below)."""

    ONBOARDING = "Onboarding", "Onboarding"
    RAMPING = "Ramping", "Ramping"
    EXPERT = "Expert", "Expert"


ROUTING_WEIGHTS = {RoutingLevel.ONBOARDING: 0, RoutingLevel.RAMPING: 50, RoutingLevel.EXPERT: 100}


class IntakeOutcome(models.TextChoices):
    CREATED = "created", "Created a lead"
    MATCHED_LEAD = "matched_lead", "Matched an existing lead"
    MATCHED_CONTACT = "matched_contact", "Matched an existing contact"
    IGNORED = "ignored", "Nothing to do (unknown unsubscribe)"
    REFUSED = "refused", "Refused"


class CampaignType(models.TextChoices):
    WEBCAST = "webcast", "Webcast"
    CONFERENCE = "conference", "Conference"
    OWNED_EVENT = "owned event", "Owned event"
    FIELD_EVENT = "field event", "Field event"
    GATED_CONTENT = "gated content", "Gated content"
    EMAIL = "e-mail", "E-mail"
    DIRECT_MAIL = "direct mail", "Direct mail"
    WORKSHOP = "workshop", "Workshop"
    VIRTUAL_SPONSORSHIP = "virtual sponsorship", "Virtual sponsorship"
    SYSTEM = "system", "System"
