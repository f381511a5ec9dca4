"""What generated demo records are drawn from: names, titles, companies and weighted
statuses, and the context of one run (reference data, the reps by region, the scoring
rules) that every record reads. A record's random stream is `rng_for(seed, kind, index)`,
so the same seed always draws the same record."""

import bisect
import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from gtm_portal.activity.enums import ActivityKind
from gtm_portal.core.enums import PersonStatus
from gtm_portal.core.first_touch import holidays_by_region, minutes_to_first_touch, owner_calendar
from gtm_portal.refdata.enums import ReasonKind, WordList
from gtm_portal.refdata.models import Country, InitialSource, Reason, WordListEntry
from gtm_portal.users import roles
from gtm_portal.users.models import User
from leads import scoring
from leads.enums import FormKind, ScoringKind
from leads.rule_context import Context as ScoringContext
from opportunities.enums import OpportunityType, Stage

AW_ACCOUNTS = 400  # only the first accounts may be Actively Working: BDR limits (REF-7)
DAY = datetime.timedelta(days=1)

KIND_ACCOUNT, KIND_LEAD, KIND_CONTACT, KIND_OPPORTUNITY = 1, 2, 3, 4

FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony "
    "Sandra Mark Ashley Paul Emily Steven Donna Andrew Michelle Kenneth Carol Joshua Amanda Kevin "
    "Melissa Brian Deborah Priya Rahul Ananya Wei Mei Hiroshi Yuki Sofia Mateo Lucas Camila "
    "Hannah Lukas Lena Jonas Chloe Louis Amelie Oliver Isla Noah Freya Liam Aisha Omar Fatima "
    "Diego Valentina Kwame Amara Lars Ingrid Piotr Zofia Sven Elena Marco Giulia"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Patel Sharma "
    "Singh Chen Wang Li Zhang Tanaka Suzuki Sato Muller Schmidt Schneider Fischer Weber Meyer "
    "Dubois Moreau Laurent Rossi Russo Bianchi Silva Santos Oliveira Kowalski Nowak Jensen "
    "Nielsen Andersson Johansson Okafor Mensah"
).split()

# (title, weight): personas the scoring rules react to (REF-4) next to technical and blank ones.
# Scores come from the points table in the database, as live scoring gives them.
TITLES = (
    ("VP Engineering", 4),
    ("VP of Infrastructure", 2),
    ("CTO", 2),
    ("Director of IT", 4),
    ("Director of Engineering", 4),
    ("Head of DevOps", 3),
    ("Head of Security", 2),
    ("Engineering Manager", 5),
    ("IT Manager", 4),
    ("Senior DevOps Engineer", 4),
    ("Senior Software Engineer", 5),
    ("Software Engineer", 10),
    ("Developer", 8),
    ("Full Stack Developer", 4),
    ("DevOps Engineer", 6),
    ("Site Reliability Engineer", 3),
    ("Platform Architect", 2),
    ("Release Manager", 2),
    ("QA Analyst", 2),
    ("Student", 2),
    ("Consultant", 2),
    ("Product Manager", 3),
    ("", 12),
)

COMPANY_FIRST = (
    "Acme Apex Blue Bright Cedar Cobalt Crimson Delta Eagle Ember Falcon Frontier Granite Harbor "
    "Horizon Iron Juniper Keystone Lumen Maple Meridian Nimbus Northwind Nova Oak Orion Pacific "
    "Pinnacle Quantum Redwood Sierra Silver Summit Terra Titan Vertex Willow Zenith Atlas"
).split()
COMPANY_SECOND = (
    "Analytics Bank Bio Cloud Code Data Dynamics Energy Foods Freight Games Health Insurance "
    "Labs Logistics Media Mobility Networks Payments Pharma Retail Robotics Security Software "
    "Solutions Systems Telecom Travel Works Capital"
).split()
COMPANY_SUFFIX = ("Inc", "LLC", "GmbH", "Ltd", "Group", "Corp", "SA", "AG", "Holdings", "Co")
INDUSTRIES = (
    "Technology",
    "Software",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Telecommunications",
    "Education",
    "Government",
    "Media",
    "Transportation",
    "Energy",
    "Insurance",
    "Biotech",
    "Consulting",
)
CITIES = {
    "US": ("New York", "San Francisco", "Austin", "Chicago", "Seattle", "Boston", "Denver"),
    "GB": ("London", "Manchester", "Edinburgh", "Bristol"),
    "DE": ("Berlin", "Munich", "Hamburg", "Frankfurt"),
    "FR": ("Paris", "Lyon", "Toulouse"),
    "CA": ("Toronto", "Vancouver", "Montreal"),
    "AU": ("Sydney", "Melbourne", "Brisbane"),
    "IN": ("Bengaluru", "Pune", "Hyderabad"),
    "JP": ("Tokyo", "Osaka"),
    "BR": ("Sao Paulo", "Rio de Janeiro"),
    "NL": ("Amsterdam", "Utrecht"),
}
LEAD_EMPLOYEES = (None, None, 5, 20, 50, 120, 300, 800, 2500, 10000)
US_STATES = ("CA", "NY", "TX", "WA", "MA", "IL", "CO", "GA", "FL", "VA")
COUNTRY_WEIGHTS = {
    "US": 40,
    "GB": 8,
    "DE": 8,
    "FR": 5,
    "CA": 4,
    "AU": 4,
    "IN": 5,
    "JP": 3,
    "NL": 3,
    "BR": 3,
}

LEAD_STATUS_WEIGHTS = (
    (PersonStatus.RAW, 22),
    (PersonStatus.INQUIRY, 20),
    (PersonStatus.MQL, 12),
    (PersonStatus.ACCEPTED, 12),
    (PersonStatus.QUALIFYING, 10),
    (PersonStatus.QUALIFIED, 4),
    (PersonStatus.DISQUALIFIED, 7),
    (PersonStatus.RECYCLE, 7),
    (PersonStatus.BAD_DATA, 2),
    (PersonStatus.INELIGIBLE, 2),
    (PersonStatus.WEB_PORTAL_PURCHASE, 2),
)
CONTACT_STATUS_WEIGHTS = (
    (PersonStatus.INQUIRY, 8),
    (PersonStatus.MQL, 10),
    (PersonStatus.ACCEPTED, 25),
    (PersonStatus.QUALIFYING, 20),
    (PersonStatus.QUALIFIED, 15),
    (PersonStatus.DISQUALIFIED, 5),
    (PersonStatus.RECYCLE, 10),
    (PersonStatus.BAD_DATA, 1),
    (PersonStatus.INELIGIBLE, 3),
    (PersonStatus.WEB_PORTAL_PURCHASE, 3),
)
PAST_MQL = frozenset(
    {
        PersonStatus.MQL,
        PersonStatus.ACCEPTED,
        PersonStatus.QUALIFYING,
        PersonStatus.QUALIFIED,
        PersonStatus.WEB_PORTAL_PURCHASE,
    }
)
WORKED = frozenset({PersonStatus.ACCEPTED, PersonStatus.QUALIFYING, PersonStatus.QUALIFIED})
STAGE_WEIGHTS = (
    (Stage.PRE, 10),
    (Stage.PENDING, 8),
    (Stage.DISCOVERY, 12),
    (Stage.SCOPING, 10),
    (Stage.TECH_EVAL, 8),
    (Stage.PROPOSAL, 7),
    (Stage.NEGOTIATING, 5),
    (Stage.AWAITING_SIGNATURE, 3),
    (Stage.CLOSED_WON, 15),
    (Stage.CLOSED_LOST, 15),
    (Stage.UNQUALIFIED, 5),
    (Stage.DUPLICATE, 2),
)
STAGE_INDEX = {stage: i for i, stage in enumerate(Stage.values)}
ACCEPTED_STAGES = frozenset(
    Stage.values[STAGE_INDEX[Stage.DISCOVERY] : STAGE_INDEX[Stage.CLOSED_WON] + 1]
)
QUALIFIED_STAGES = ACCEPTED_STAGES - {Stage.DISCOVERY}
OPP_TYPE_WEIGHTS = (
    (OpportunityType.NEW_BUSINESS, 60),
    (OpportunityType.ADD_ON, 25),
    (OpportunityType.RENEWAL, 10),
    (OpportunityType.PROFESSIONAL_SERVICES, 5),
)
OPP_TOPICS = (
    "Platform Expansion",
    "CI/CD Consolidation",
    "Security Add-On",
    "DevOps Pilot",
    "Premium Upgrade",
    "Team Rollout",
    "Self-managed Migration",
    "Renewal",
)

MARKETING_KINDS = (
    ActivityKind.FORM_FILL,
    ActivityKind.WEB_VISIT,
    ActivityKind.WEBCAST,
    ActivityKind.EVENT_VISIT,
)
SALES_KIND_WEIGHTS = (
    (ActivityKind.EMAIL, 40),
    (ActivityKind.CALL, 30),
    (ActivityKind.LINKEDIN, 10),
    (ActivityKind.MEETING, 8),
    (ActivityKind.NOTE, 8),
    (ActivityKind.CHAT, 4),
)
FORMS = (
    FormKind.CONTACT_US,
    FormKind.TRIAL_SAAS,
    FormKind.TRIAL_SELF_MANAGED,
    FormKind.GATED_CONTENT,
    FormKind.WEBCAST_REGISTRATION,
    FormKind.NEWSLETTER,
    FormKind.WEB_CHAT,
    FormKind.PROFESSIONAL_SERVICES,
)
WEB_PAGES = (
    FormKind.PAGE_VISIT_PRICING,
    FormKind.PAGE_VISIT_FEATURES,
    FormKind.PAGE_VISIT_INSTALLATION,
    FormKind.PAGE_VISIT_ENTERPRISE_TRIAL,
)
HIGH_INTENT = (
    FormKind.CONTACT_US,
    FormKind.TRIAL_SAAS,
    FormKind.TRIAL_SELF_MANAGED,
    FormKind.PROFESSIONAL_SERVICES,
)
MARKETING_KIND = {
    **dict.fromkeys(FORMS, ActivityKind.FORM_FILL),
    **dict.fromkeys(WEB_PAGES + (FormKind.PAGE_VISIT_CAREERS,), ActivityKind.WEB_VISIT),
    FormKind.WEBCAST_ATTENDED_LOW: ActivityKind.WEBCAST,
    FormKind.EVENT_BOOTH: ActivityKind.EVENT_VISIT,
}
CAREERS_SHARE = 0.04  # people who visit the careers page two or three times within days
FORM_LABELS = dict(FormKind.choices)
SALES_SUBJECTS = {
    ActivityKind.EMAIL: "E-mail: {topic}",
    ActivityKind.CALL: "Call: {topic}",
    ActivityKind.LINKEDIN: "LinkedIn message: {topic}",
    ActivityKind.MEETING: "Meeting: {topic}",
    ActivityKind.NOTE: "Note: {topic}",
    ActivityKind.CHAT: "Chat: {topic}",
}
SALES_TOPICS = (
    "introduction",
    "follow-up",
    "discovery",
    "pricing questions",
    "trial check-in",
    "security review",
    "next steps",
)


def weights(pairs):
    values, cum, total = [], [], 0
    for value, weight in pairs:
        total += weight
        values.append(value)
        cum.append(total)
    return values, cum, total


def pick(rng, table):
    values, cum, total = table
    return values[bisect.bisect_right(cum, rng.random() * total)]


def between(rng, start, end):
    span = (end - start).total_seconds()
    return start + datetime.timedelta(seconds=int(rng.random() * max(span, 0)))


def slug(text):
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def rng_for(seed, kind, index):
    return random.Random((((seed % (1 << 32)) * 8 + kind) << 40) + index)


@dataclass
class AccountProfile:
    name: str
    domain: str
    employees: int
    country: Country
    owner_id: int
    bdr_id: int | None


class DemoContext:
    """What every record of one run reads: reference data, the reps and queues, the weighted
    tables and the scoring rules (read once), and the generated accounts records may point
    at (`account_ranges`, kept up to date by the run)."""

    def __init__(self, seed: int, now: datetime.datetime):
        self.seed = seed
        self.now = now
        self.today = timezone.localdate(now)
        self._read_reference_data()
        self._read_people()
        self.lead_statuses = weights(LEAD_STATUS_WEIGHTS)
        self.contact_statuses = weights(CONTACT_STATUS_WEIGHTS)
        self.stages = weights(STAGE_WEIGHTS)
        self.opp_types = weights(OPP_TYPE_WEIGHTS)
        self.titles = weights(TITLES)
        self.sales_kinds = weights(SALES_KIND_WEIGHTS)
        self.account_ranges: list[list[int]] = []
        self.n_accounts = 0
        self._read_scoring()
        self._demographic: dict[tuple, tuple] = {}

    def _read_reference_data(self):
        self.free_domains = list(
            WordListEntry.objects.filter(list=WordList.FREE_DOMAIN)
            .order_by("value")
            .values_list("value", flat=True)
        ) or ["gmail.com", "yahoo.com", "outlook.com"]
        countries = list(Country.objects.select_related("region").order_by("iso2"))
        if not countries:
            raise RuntimeError("No countries: run `manage.py load_reference_data` first.")
        self.countries = weights((c, COUNTRY_WEIGHTS.get(c.iso2, 1)) for c in countries)
        sources = list(InitialSource.objects.filter(active=True).order_by("name"))
        self.sources = [s.pk for s in sources]
        self.source_by_name = {s.name: s.pk for s in sources}
        reasons = {
            kind: list(
                Reason.objects.filter(kind=kind, active=True)
                .order_by("name")
                .values_list("pk", flat=True)
            )
            for kind in ReasonKind.values
        }
        self.disqualify_reasons = reasons[ReasonKind.DISQUALIFY]
        self.closed_lost_reasons = reasons[ReasonKind.CLOSED_LOST]
        self.unqualified_reasons = reasons[ReasonKind.UNQUALIFIED]

    def _read_people(self):
        def people(role):
            return list(
                User.objects.people()
                .filter(groups__name=role, is_active=True)
                .select_related("region")
                .order_by("username")
            )

        self.aes, sdrs, bdrs = people(roles.AE), people(roles.SDR), people(roles.BDR)
        if not (self.aes and sdrs and bdrs):
            raise RuntimeError("No AE, SDR or BDR users: seed the named demo data first.")
        self.sdr_ids = [u.pk for u in sdrs]
        self.bdr_ids = [u.pk for u in bdrs]
        self.reps = self.sdr_ids + self.bdr_ids
        self.rep_role = {**{u.pk: roles.SDR for u in sdrs}, **{u.pk: roles.BDR for u in bdrs}}
        self.sdrs_by_region = self._by_region(sdrs)
        self.bdrs_by_region = self._by_region(bdrs)
        self.aes_by_region = self._by_region(self.aes)
        self.ae_ids = [u.pk for u in self.aes]
        self.inquiry_queue = User.objects.queue(roles.Q_INQUIRY).pk
        self.sales_admin_queue = User.objects.queue(roles.Q_SALES_ADMIN).pk
        self.people_ids = set(self.reps) | set(self.ae_ids)
        holidays = holidays_by_region()
        self.calendars = {u.pk: (u, owner_calendar(u, holidays)) for u in self.aes + sdrs + bdrs}

    def first_touch_minutes(self, mql_date, first_touch_at, owner_id) -> float | None:
        """ROUTE-4's stored minutes, as the first touch writes them, in the owner's calendar."""
        if owner_id not in self.calendars:
            return None
        return minutes_to_first_touch(mql_date, first_touch_at, *self.calendars[owner_id])

    def _read_scoring(self):
        """LEAD-SCORE-1: the points table, thresholds and free domains scoring uses."""
        scoring_ctx = ScoringContext()
        self.mql_threshold = scoring_ctx.mql_threshold
        self.inquiry_threshold = scoring_ctx.inquiry_threshold
        self.scoring_free_domains = scoring_ctx.free_domains
        self.behaviour = scoring.BehaviourTable(scoring_ctx.rules)
        self.rules_for = {
            trigger: tuple(
                (r.id, r.name[:200], r.points)
                for r in scoring.behaviour_rules_for(scoring_ctx.rules, trigger)
            )
            for trigger in (*MARKETING_KIND, scoring.CAREERS_REPEAT)
        }
        self.demographic_rules = [r for r in scoring_ctx.rules if r.kind == ScoringKind.DEMOGRAPHIC]
        points = self.behaviour.points
        # What a touch that would not fit the status becomes instead: the cheapest that fits.
        self.fallbacks = sorted(
            (f for f in MARKETING_KIND if points.get(f, 0) > 0), key=lambda f: (points[f], f)
        )

    def demographic(self, title: str, email: str) -> tuple[int, tuple]:
        """(demographic score, the matching rules as (id, name, points)) of a person."""
        valid = scoring.is_valid_email(email)
        free = valid and scoring.email_domain(email) in self.scoring_free_domains
        key = (title, valid, free)
        found = self._demographic.get(key)
        if found is None:
            words = frozenset(scoring.title_words(title))
            rules = tuple(
                (r.id, r.name[:200], r.points)
                for r in self.demographic_rules
                if r.points and scoring.traits_match(r, words, valid, free)
            )
            found = self._demographic[key] = (sum(p for _i, _n, p in rules), rules)
        return found

    @staticmethod
    def _by_region(users):
        out: dict[str, list[int]] = {}
        for user in users:
            if user.region_id:
                out.setdefault(user.region.code, []).append(user.pk)
        return out

    def token(self, sep: str, index: int) -> str:
        """Makes generated e-mail addresses unique: leads `.N`, contacts `N`, per seed."""
        return f"{sep}{index}" if self.seed == 1 else f"{sep}{self.seed}x{index}"

    def rep_for(self, rng, region_code, bdr_share=0.15):
        pool = self.bdrs_by_region if rng.random() < bdr_share else self.sdrs_by_region
        ids = pool.get(region_code) or (
            self.bdr_ids if pool is self.bdrs_by_region else self.sdr_ids
        )
        return ids[rng.randrange(len(ids))]

    def account_id(self, k: int) -> int:
        for first, n in self.account_ranges:
            if k < n:
                return first + k
            k -= n
        raise IndexError(k)

    def account(self, k: int) -> AccountProfile:
        return self.account_draw(k)[0]

    def account_draw(self, k: int):
        """The facts other records copy from generated account `k` (same seed, same facts),
        and the account's random stream for the rest of its fields."""
        rng = rng_for(self.seed, KIND_ACCOUNT, k)
        combos = len(COMPANY_FIRST) * len(COMPANY_SECOND) * len(COMPANY_SUFFIX)
        x = (k * 7919 + self.seed * 104_729) % combos  # 7919 is prime to combos: no repeats
        a, rest = x % len(COMPANY_FIRST), x // len(COMPANY_FIRST)
        b, c = rest % len(COMPANY_SECOND), rest // len(COMPANY_SECOND)
        name = f"{COMPANY_FIRST[a]} {COMPANY_SECOND[b]} {COMPANY_SUFFIX[c]}"
        if k >= combos:
            name += f" {k // combos + 1}"
        domain = slug(name) + ("" if self.seed == 1 else f"-s{self.seed}") + ".example"
        roll = rng.random()
        if roll < 0.55:
            employees = rng.randint(1, 99)
        elif roll < 0.85:
            employees = rng.randint(100, 1999)
        else:
            employees = int(2000 * (1 + rng.paretovariate(1.2)))
        country = pick(rng, self.countries)
        region = country.region.code
        if rng.random() < 0.75:
            ids = self.aes_by_region.get(region) or self.ae_ids
            owner_id = ids[rng.randrange(len(ids))]
        else:
            owner_id = self.sales_admin_queue
        bdr_id = None
        if rng.random() < 0.2:
            ids = self.bdrs_by_region.get(region) or self.bdr_ids
            bdr_id = ids[rng.randrange(len(ids))]
        profile = AccountProfile(name, domain, min(employees, 400_000), country, owner_id, bdr_id)
        return profile, rng

    def random_account(self, rng):
        k = rng.randrange(self.n_accounts)
        return self.account_id(k), self.account(k)
