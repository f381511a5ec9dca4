"""ROLE-1 role names (Django groups, exact names) and ROLE-4 queues."""

SDR = "SDR"
BDR = "BDR"
SDR_MANAGER = "SDR Manager"
BDR_MANAGER = "BDR Manager"
AE = "AE"
SALES_ADMIN = "Sales Admin"
SALES_SUPPORT = "Sales Support"
MARKETING_OPS = "Marketing Ops"
ACCOUNT_RESEARCH = "Account Research"
EXECUTIVE = "Executive"

ALL_ROLES = (
    SDR,
    BDR,
    SDR_MANAGER,
    BDR_MANAGER,
    AE,
    SALES_ADMIN,
    SALES_SUPPORT,
    MARKETING_OPS,
    ACCOUNT_RESEARCH,
    EXECUTIVE,
)
REPS = frozenset({SDR, BDR})
MANAGERS = frozenset({SDR_MANAGER, BDR_MANAGER})

# ROLE-4 queues: named owners nobody logs in as.
Q_SALES_ADMIN = "Sales Admin"
Q_INQUIRY = "Inquiry Queue"
Q_COMMUNITY = "Community Advocate Queue"
Q_MARKETING_INTEGRATION = "Marketing Integration"
Q_MKTGOPS_SUPPORT = "Mktgops Support"
Q_SALES_SUPPORT = "Sales Support"
Q_EVENT_SPONSORSHIP = "Event Sponsorship"
ALL_QUEUES = (
    Q_SALES_ADMIN,
    Q_INQUIRY,
    Q_COMMUNITY,
    Q_MARKETING_INTEGRATION,
    Q_MKTGOPS_SUPPORT,
    Q_SALES_SUPPORT,
    Q_EVENT_SPONSORSHIP,
)
# ACCT-CLAIM 1: records owned by these queues (or by nobody) are adoptable.
ADOPTABLE_QUEUES = frozenset({Q_SALES_ADMIN, Q_INQUIRY})


def queue_username(name: str) -> str:
    return "queue." + name.lower().replace(" ", "-")


def is_adoptable(owner) -> bool:
    """ACCT-CLAIM 1: a record owned by Sales Admin, by the Inquiry Queue, or by nobody."""
    return owner is None or (owner.is_queue and owner.display_name in ADOPTABLE_QUEUES)
