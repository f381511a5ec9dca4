"""Seeded defaults of SPEC §2 (REF-1..7). Admins edit them in the browser afterwards;
`load_reference_data` creates each once and never overwrites later edits."""
from gtm_portal.users import roles

REGIONS = [
    ("AMER", "AMER", None), ("US East", "US East", "AMER"), ("US West", "US West", "AMER"),
    ("Canada", "Canada", "AMER"), ("LATAM", "LATAM", None), ("EMEA", "EMEA", None),
    ("APAC", "APAC", None), ("PUBSEC", "US public sector", None),
]

# (name, ISO 3166-1 alpha-2, region, sub-region, EU/EEA)
COUNTRIES = [
    ("United States", "US", "AMER", None, False), ("Canada", "CA", "AMER", "Canada", False),
    ("Mexico", "MX", "LATAM", None, False), ("Brazil", "BR", "LATAM", None, False),
    ("Argentina", "AR", "LATAM", None, False), ("Chile", "CL", "LATAM", None, False),
    ("Colombia", "CO", "LATAM", None, False), ("Peru", "PE", "LATAM", None, False),
    ("Uruguay", "UY", "LATAM", None, False), ("Costa Rica", "CR", "LATAM", None, False),
    ("Panama", "PA", "LATAM", None, False), ("Ecuador", "EC", "LATAM", None, False),
    ("Venezuela", "VE", "LATAM", None, False), ("Guatemala", "GT", "LATAM", None, False),
    ("Dominican Republic", "DO", "LATAM", None, False), ("Bolivia", "BO", "LATAM", None, False),
    ("Paraguay", "PY", "LATAM", None, False),
    ("United Kingdom", "GB", "EMEA", None, False), ("Ireland", "IE", "EMEA", None, True),
    ("Germany", "DE", "EMEA", None, True), ("France", "FR", "EMEA", None, True),
    ("Netherlands", "NL", "EMEA", None, True), ("Belgium", "BE", "EMEA", None, True),
    ("Luxembourg", "LU", "EMEA", None, True), ("Spain", "ES", "EMEA", None, True),
    ("Portugal", "PT", "EMEA", None, True), ("Italy", "IT", "EMEA", None, True),
    ("Austria", "AT", "EMEA", None, True), ("Switzerland", "CH", "EMEA", None, False),
    ("Sweden", "SE", "EMEA", None, True), ("Norway", "NO", "EMEA", None, True),
    ("Denmark", "DK", "EMEA", None, True), ("Finland", "FI", "EMEA", None, True),
    ("Iceland", "IS", "EMEA", None, True), ("Poland", "PL", "EMEA", None, True),
    ("Czechia", "CZ", "EMEA", None, True), ("Slovakia", "SK", "EMEA", None, True),
    ("Hungary", "HU", "EMEA", None, True), ("Romania", "RO", "EMEA", None, True),
    ("Bulgaria", "BG", "EMEA", None, True), ("Greece", "GR", "EMEA", None, True),
    ("Croatia", "HR", "EMEA", None, True), ("Slovenia", "SI", "EMEA", None, True),
    ("Estonia", "EE", "EMEA", None, True), ("Latvia", "LV", "EMEA", None, True),
    ("Lithuania", "LT", "EMEA", None, True), ("Cyprus", "CY", "EMEA", None, True),
    ("Malta", "MT", "EMEA", None, True), ("Liechtenstein", "LI", "EMEA", None, True),
    ("Ukraine", "UA", "EMEA", None, False), ("Turkey", "TR", "EMEA", None, False),
    ("Israel", "IL", "EMEA", None, False), ("United Arab Emirates", "AE", "EMEA", None, False),
    ("Saudi Arabia", "SA", "EMEA", None, False), ("Qatar", "QA", "EMEA", None, False),
    ("Egypt", "EG", "EMEA", None, False), ("South Africa", "ZA", "EMEA", None, False),
    ("Nigeria", "NG", "EMEA", None, False), ("Kenya", "KE", "EMEA", None, False),
    ("Morocco", "MA", "EMEA", None, False), ("Serbia", "RS", "EMEA", None, False),
    ("Australia", "AU", "APAC", None, False), ("New Zealand", "NZ", "APAC", None, False),
    ("Japan", "JP", "APAC", None, False), ("South Korea", "KR", "APAC", None, False),
    ("China", "CN", "APAC", None, False), ("Hong Kong", "HK", "APAC", None, False),
    ("Taiwan", "TW", "APAC", None, False), ("Singapore", "SG", "APAC", None, False),
    ("India", "IN", "APAC", None, False), ("Indonesia", "ID", "APAC", None, False),
    ("Malaysia", "MY", "APAC", None, False), ("Philippines", "PH", "APAC", None, False),
    ("Thailand", "TH", "APAC", None, False), ("Vietnam", "VN", "APAC", None, False),
    ("Pakistan", "PK", "APAC", None, False), ("Bangladesh", "BD", "APAC", None, False),
    ("Sri Lanka", "LK", "APAC", None, False),
]

# REF-3: the full table of page 003 (name, bucket, active).
INITIAL_SOURCES = [
    ("CE Download", "core", True), ("CE Usage Ping", "core", True),
    ("CORE Check-Up", "core", True), ("Demo", "inbound", True), ("Education", "inbound", True),
    ("Email Request", "inbound", True), ("Email Subscription", "inbound", True),
    ("Gated Content - General", "inbound", True), ("Gated Content - eBook", "inbound", True),
    ("Gated Content - Report", "inbound", True), ("Gated Content - Video", "inbound", True),
    ("Gated Content - Whitepaper", "inbound", True), ("GitLab.com", "inbound", True),
    ("Newsletter", "inbound", True), ("OSS", "inbound", True),
    ("Request - Contact", "inbound", True), ("Request - Professional Services", "inbound", True),
    ("Security Newsletter", "inbound", True), ("Trial - Enterprise", "trial", True),
    ("Trial - GitLab.com", "trial", True), ("Web", "inbound", True), ("Drift", "inbound", True),
    ("Request - Community", "inbound", True), ("Request - Public Sector", "inbound", True),
    ("Other", "other", True), ("AE Generated", "outbound", True), ("LinkedIn", "outbound", True),
    ("Prospecting", "outbound", True), ("Prospecting - General", "outbound", True),
    ("SDR Generated", "outbound", True), ("Zoominfo", "outbound", True),
    ("Cognism", "outbound", True), ("Conference", "paid demand gen", True),
    ("Owned Event", "paid demand gen", True), ("Virtual Sponsorship", "paid demand gen", True),
    ("Purchased List", "purchased list", True), ("Employee Referral", "referral", True),
    ("Partner Qualified Lead", "referral", True), ("Word of Mouth", "referral", True),
    ("Existing Client", "referral", True), ("External Referral", "referral", True),
    ("Webcast", "virtual event", True), ("Workshop", "virtual event", True),
    ("Web Direct", "web direct", True), ("Investor", "outbound", True),
    ("GitLab DataMart", "core", True), ("GitLab Subscription Portal", "other", True),
    ("Free Registration", "core", True), ("Paid Social", "inbound", True),
    ("Web Chat", "inbound", False), ("Startup Application", "inbound", False),
    ("Consultancy Request", "inbound", False), ("Promotion", "paid demand gen", False),
    # CONTACT-CREATE names `Unknown` as a value hand-made records may not use; imports and
    # legacy data may carry it, so it exists but is inactive.
    ("Unknown", "other", False),
]

# REF-4 defaults: (code, name, kind, triggers or test, words, points)
SCORING_RULES = [
    ("trial-form", "Self-managed or SaaS trial form", "behaviour",
     ["trial_self_managed", "trial_saas"], [], 100),
    ("contact-us-form", "Contact-us form", "behaviour", ["contact_us"], [], 100),
    ("ps-request-form", "Professional-services request form", "behaviour",
     ["professional_services"], [], 100),
    ("high-intent-live", "Attends high-intent live webcast / livestream / demo", "behaviour",
     ["webcast_attended_high_intent"], [], 90),
    ("enterprise-trial-page", "Visits enterprise trial page without completing the form",
     "behaviour", ["page_visit_enterprise_trial"], [], 50),
    ("high-intent-ondemand", "Watches high-intent on-demand webcast / demo", "behaviour",
     ["ondemand_high_intent"], [], 45),
    ("booth-event-gated", "Visits booth at trade show; attends in-person event; downloads gated asset",
     "behaviour", ["event_booth", "gated_content"], [], 30),
    ("register-low-intent", "Registers for livestream/webcast/demo; attends low-intent live webcast; watches low-intent on-demand",
     "behaviour", ["webcast_registration", "webcast_attended_low_intent", "ondemand_low_intent"],
     [], 15),
    ("optin-pricing-features", "Opts into newsletter / security newsletter; visits pricing page; visits features page",
     "behaviour", ["newsletter", "security_newsletter", "page_visit_pricing",
                   "page_visit_features"], [], 10),
    ("installation-page", "Visits installation page", "behaviour", ["page_visit_installation"],
     [], 2),
    ("unsubscribe", "E-mail unsubscribe", "behaviour", ["unsubscribe"], [], -25),
    ("careers-visits", "Multiple careers-page visits within 7 days", "behaviour",
     ["careers_repeat"], [], -25),
    ("persona-title", "Title has one of the words vp, manager, director, senior, head",
     "demographic", "title_has_word", ["vp", "manager", "director", "senior", "head"], 50),
    ("company-email", "Valid company e-mail", "demographic", "company_email", [], 5),
    ("free-email", "E-mail on a free domain", "demographic", "free_email", [], -5),
    ("technical-title", "Title blank, without letters, or has one of the words developer(s), engineer(s)",
     "demographic", "title_technical_or_blank",
     ["developer", "developers", "engineer", "engineers"], -10),
]

SETTINGS = {
    "mql_threshold": 100,
    "inquiry_threshold": 10,
    "fiscal_year_start_month": 2,
    "aw_limit_large": 100,
    "aw_limit_other": 150,
}

# REF-6 seed pools: (name, regions, segments)
POOLS = [
    ("US/APAC SDR", ["AMER", "APAC"], []),
    ("EMEA SDR", ["EMEA"], []),
    ("LATAM SDR", ["LATAM"], []),
    ("US PubSec SDR", ["PUBSEC"], []),
    ("SMB Advocates EMEA", ["EMEA"], ["SMB"]),
    ("SMB Advocates NCSA", ["AMER", "LATAM"], ["SMB"]),
    ("SMB Advocates APAC", ["APAC"], ["SMB"]),
    ("Chat (Drift) Expert SDR", [], []),
]

PUBSEC_WORDS = [
    "County", "City Of", "State", "University", "College", "Defense", "Intelligence", "Agency",
    "Mission", "Mission Critical", "Mission Support", "Speed to Mission", "System Integrator",
    "Contract Vehicle", "Government Bid", "Government Contract", "Civilian", "Task Order",
]

FREE_DOMAINS = [
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.co.uk", "yahoo.com", "yahoo.co.uk",
    "aol.com", "outlook.com", "live.com", "msn.com", "icloud.com", "me.com", "mac.com",
    "protonmail.com", "proton.me", "gmx.com", "gmx.de", "web.de", "mail.com", "yandex.com",
    "yandex.ru", "mail.ru", "qq.com", "163.com", "126.com", "zoho.com", "fastmail.com",
]

REASONS = {
    "closed_lost": [
        "Lost to competitor", "No budget", "No decision / non-responsive", "Timing",
        "Product fit", "Price", "Went with free version", "Merged into another opportunity",
        "Consolidating order - part of another subscription", "Other",
    ],
    "disqualify": [
        "Student / personal use", "Competitor", "Spam form fill", "Job seeker",
        "Not a buyer, no influence", "Existing customer - routed to account team",
        "Invalid contact information", "Other",
    ],
    "unqualified": [
        "No budget", "No authority", "No need", "No timeline", "Duplicate of existing work",
        "Wrong persona", "Other",
    ],
}

# Regional holiday calendars (REF-7), seeded from the `holidays` package for two years.
HOLIDAY_CALENDARS = {"AMER": "US", "PUBSEC": "US", "LATAM": "BR", "EMEA": "GB", "APAC": "AU"}

QUEUES = list(roles.ALL_QUEUES)
ROLES = list(roles.ALL_ROLES)
