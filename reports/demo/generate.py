"""Generated demo records on top of the named set: `seed_demo --leads N` (CONTRACT 3, SPEC Q-PERF).

Each record comes from its own `random.Random` keyed by (seed, kind, index), so a seed always
gives the same records however the work is split into runs and chunks (a record that points at
an account picks among the generated accounts that exist by then). The JobRun row `seed_demo` /
`seed=S` remembers how many of each kind exist and which ids the generated accounts got: a
re-run with the same numbers writes nothing, larger numbers write only the difference.

A run claims its ids up front, then streams chunks, one transaction each, committed in order so
an interrupted run resumes where it stopped. On PostgreSQL a writer thread streams each chunk
through COPY while the calling thread builds the next; other databases get executemany. Neither
applies Django's `auto_now`, so `created_at` can lie in the past like real data. Memory stays
flat: a few chunks at a time.
"""
import bisect
import datetime
import json
import queue
import random
import threading
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, models, transaction
from django.utils import timezone

from accounts.enums import AccountType, BDRProspectingStatus, PaidTier
from accounts.matching import normalize_company
from accounts.models import Account, Contact
from accounts.segments import segment_for_employees
from gtm_portal.activity.enums import SALES_ACTIVITY_KINDS, ActivityKind, Direction
from gtm_portal.activity.models import Activity, Task
from gtm_portal.core.enums import PersonStatus, YesNoUnknown
from gtm_portal.core.models import JobRun
from gtm_portal.refdata.enums import ReasonKind, WordList
from gtm_portal.refdata.models import Country, InitialSource, Reason, WordListEntry
from gtm_portal.users import roles
from gtm_portal.users.models import User
from leads import scoring
from leads.enums import FormKind, ScoringKind
from leads.models import Lead, ScoreEvent
from leads.refs import Context as ScoringContext
from opportunities.enums import OPEN_STAGES, OpportunityType, OrderType, Stage
from opportunities.models import Opportunity, StageChange

JOB_NAME = "seed_demo"
CHUNK = 10_000
CONTACT_EVERY = 5  # one contact per five leads
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
    ("VP Engineering", 4), ("VP of Infrastructure", 2), ("CTO", 2), ("Director of IT", 4),
    ("Director of Engineering", 4), ("Head of DevOps", 3), ("Head of Security", 2),
    ("Engineering Manager", 5), ("IT Manager", 4), ("Senior DevOps Engineer", 4),
    ("Senior Software Engineer", 5), ("Software Engineer", 10), ("Developer", 8),
    ("Full Stack Developer", 4), ("DevOps Engineer", 6), ("Site Reliability Engineer", 3),
    ("Platform Architect", 2), ("Release Manager", 2), ("QA Analyst", 2), ("Student", 2),
    ("Consultant", 2), ("Product Manager", 3), ("", 12),
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
    "Technology", "Software", "Financial Services", "Healthcare", "Manufacturing", "Retail",
    "Telecommunications", "Education", "Government", "Media", "Transportation", "Energy",
    "Insurance", "Biotech", "Consulting",
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
COUNTRY_WEIGHTS = {"US": 40, "GB": 8, "DE": 8, "FR": 5, "CA": 4, "AU": 4, "IN": 5, "JP": 3,
                   "NL": 3, "BR": 3}

LEAD_STATUS_WEIGHTS = (
    (PersonStatus.RAW, 22), (PersonStatus.INQUIRY, 20), (PersonStatus.MQL, 12),
    (PersonStatus.ACCEPTED, 12), (PersonStatus.QUALIFYING, 10), (PersonStatus.QUALIFIED, 4),
    (PersonStatus.DISQUALIFIED, 7), (PersonStatus.RECYCLE, 7), (PersonStatus.BAD_DATA, 2),
    (PersonStatus.INELIGIBLE, 2), (PersonStatus.WEB_PORTAL_PURCHASE, 2),
)
CONTACT_STATUS_WEIGHTS = (
    (PersonStatus.INQUIRY, 8), (PersonStatus.MQL, 10), (PersonStatus.ACCEPTED, 25),
    (PersonStatus.QUALIFYING, 20), (PersonStatus.QUALIFIED, 15), (PersonStatus.DISQUALIFIED, 5),
    (PersonStatus.RECYCLE, 10), (PersonStatus.BAD_DATA, 1), (PersonStatus.INELIGIBLE, 3),
    (PersonStatus.WEB_PORTAL_PURCHASE, 3),
)
PAST_MQL = frozenset({PersonStatus.MQL, PersonStatus.ACCEPTED, PersonStatus.QUALIFYING,
                      PersonStatus.QUALIFIED, PersonStatus.WEB_PORTAL_PURCHASE})
WORKED = frozenset({PersonStatus.ACCEPTED, PersonStatus.QUALIFYING, PersonStatus.QUALIFIED})
STAGE_WEIGHTS = (
    (Stage.PRE, 10), (Stage.PENDING, 8), (Stage.DISCOVERY, 12), (Stage.SCOPING, 10),
    (Stage.TECH_EVAL, 8), (Stage.PROPOSAL, 7), (Stage.NEGOTIATING, 5),
    (Stage.AWAITING_SIGNATURE, 3), (Stage.CLOSED_WON, 15), (Stage.CLOSED_LOST, 15),
    (Stage.UNQUALIFIED, 5), (Stage.DUPLICATE, 2),
)
STAGE_INDEX = {stage: i for i, stage in enumerate(Stage.values)}
ACCEPTED_STAGES = frozenset(Stage.values[STAGE_INDEX[Stage.DISCOVERY]:
                                         STAGE_INDEX[Stage.CLOSED_WON] + 1])
QUALIFIED_STAGES = ACCEPTED_STAGES - {Stage.DISCOVERY}
OPP_TYPE_WEIGHTS = ((OpportunityType.NEW_BUSINESS, 60), (OpportunityType.ADD_ON, 25),
                    (OpportunityType.RENEWAL, 10), (OpportunityType.PROFESSIONAL_SERVICES, 5))
OPP_TOPICS = ("Platform Expansion", "CI/CD Consolidation", "Security Add-On", "DevOps Pilot",
              "Premium Upgrade", "Team Rollout", "Self-managed Migration", "Renewal")

MARKETING_KINDS = (ActivityKind.FORM_FILL, ActivityKind.WEB_VISIT, ActivityKind.WEBCAST,
                   ActivityKind.EVENT_VISIT)
SALES_KIND_WEIGHTS = ((ActivityKind.EMAIL, 40), (ActivityKind.CALL, 30),
                      (ActivityKind.LINKEDIN, 10), (ActivityKind.MEETING, 8),
                      (ActivityKind.NOTE, 8), (ActivityKind.CHAT, 4))
FORMS = (FormKind.CONTACT_US, FormKind.TRIAL_SAAS, FormKind.TRIAL_SELF_MANAGED,
         FormKind.GATED_CONTENT, FormKind.WEBCAST_REGISTRATION, FormKind.NEWSLETTER,
         FormKind.WEB_CHAT, FormKind.PROFESSIONAL_SERVICES)
WEB_PAGES = (FormKind.PAGE_VISIT_PRICING, FormKind.PAGE_VISIT_FEATURES,
             FormKind.PAGE_VISIT_INSTALLATION, FormKind.PAGE_VISIT_ENTERPRISE_TRIAL)
HIGH_INTENT = (FormKind.CONTACT_US, FormKind.TRIAL_SAAS, FormKind.TRIAL_SELF_MANAGED,
               FormKind.PROFESSIONAL_SERVICES)
MARKETING_KIND = {**dict.fromkeys(FORMS, ActivityKind.FORM_FILL),
                  **dict.fromkeys(WEB_PAGES + (FormKind.PAGE_VISIT_CAREERS,),
                                  ActivityKind.WEB_VISIT),
                  FormKind.WEBCAST_ATTENDED_LOW: ActivityKind.WEBCAST,
                  FormKind.EVENT_BOOTH: ActivityKind.EVENT_VISIT}
CAREERS_SHARE = 0.04  # people who visit the careers page two or three times within days
FORM_LABELS = dict(FormKind.choices)
SALES_SUBJECTS = {
    ActivityKind.EMAIL: "E-mail: {topic}", ActivityKind.CALL: "Call: {topic}",
    ActivityKind.LINKEDIN: "LinkedIn message: {topic}", ActivityKind.MEETING: "Meeting: {topic}",
    ActivityKind.NOTE: "Note: {topic}", ActivityKind.CHAT: "Chat: {topic}",
}
SALES_TOPICS = ("introduction", "follow-up", "discovery", "pricing questions", "trial check-in",
                "security review", "next steps")


def _weights(pairs):
    values, cum, total = [], [], 0
    for value, weight in pairs:
        total += weight
        values.append(value)
        cum.append(total)
    return values, cum, total


def _pick(rng, table):
    values, cum, total = table
    return values[bisect.bisect_right(cum, rng.random() * total)]


def _between(rng, start, end):
    span = (end - start).total_seconds()
    return start + datetime.timedelta(seconds=int(rng.random() * max(span, 0)))


def _slug(text):
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def _rng(seed, kind, index):
    return random.Random((((seed % (1 << 32)) * 8 + kind) << 40) + index)


# --------------------------------------------------------------------------------------------
# Writing rows: one column layout per table, defaults filled in once.

class _Table:
    """A table's column layout: rows are dicts of attnames; missing columns get the field's
    default (COPY and raw inserts apply no Django defaults, auto_now included). Derived
    columns a model declares (`DERIVED_FIELDS`, `derive()`) that a row leaves out are computed
    through a model instance: correct whatever gets added, fast for those the rows carry."""

    def __init__(self, model, now, *, with_id=False):
        self.model = model
        self.name = model._meta.db_table
        fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.fields = fields
        self.columns = [f.column for f in fields]
        self.defaults = []
        self.required = set()
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default() or not f.null:
                value = f.get_default()
            else:
                value = None
            if value is None and not f.null:
                self.required.add(f.attname)
            self.defaults.append((f.attname, value))
        self.derived = tuple(getattr(model, "DERIVED_FIELDS", ()))
        self.derive_missing: tuple | None = None

    def tuple(self, row: dict) -> tuple:
        if self.derive_missing is None:
            missing = self.required - row.keys()
            if missing:
                raise ValueError(f"{self.name}: no value for {', '.join(sorted(missing))}")
            self.derive_missing = tuple(name for name in self.derived if name not in row)
        get = row.get
        values = [get(name, default) for name, default in self.defaults]
        if self.derive_missing:
            obj = self.model(**{name: value for (name, _d), value in zip(self.defaults, values,
                                                                          strict=True)})
            obj.derive()
            row = {name: getattr(obj, name) for name in self.derive_missing}
            values = [row.get(name, value) for (name, _d), value in zip(self.defaults, values,
                                                                        strict=True)]
        return tuple(values)


class _CopySink:
    """PostgreSQL: COPY FROM STDIN through the raw psycopg 3 connection."""

    def __init__(self):
        self.cursor = connection.cursor()

    def write(self, table: _Table, rows) -> int:
        json_at = [i for i, f in enumerate(table.fields) if isinstance(f, models.JSONField)]
        columns = ", ".join(connection.ops.quote_name(c) for c in table.columns)
        n = 0
        with self.cursor.copy(
            f"COPY {connection.ops.quote_name(table.name)} ({columns}) FROM STDIN"
        ) as copy:
            for row in rows:
                values = table.tuple(row)
                if json_at:
                    values = list(values)
                    for i in json_at:
                        values[i] = json.dumps(values[i])
                copy.write_row(values)
                n += 1
        return n

    def close(self):
        self.cursor.close()


class _InsertSink:
    """Any other database: executemany in batches, values prepared by the model fields."""

    BATCH = 5000

    def __init__(self):
        self.cursor = connection.cursor()

    def write(self, table: _Table, rows) -> int:
        preps = [f.get_db_prep_save for f in table.fields]
        qn = connection.ops.quote_name
        sql = (f"INSERT INTO {qn(table.name)} ({', '.join(qn(c) for c in table.columns)}) "
               f"VALUES ({', '.join(['%s'] * len(table.columns))})")
        batch, n = [], 0
        for row in rows:
            values = table.tuple(row)
            batch.append([prep(v, connection) for prep, v in zip(preps, values, strict=True)])
            if len(batch) >= self.BATCH:
                self.cursor.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            self.cursor.executemany(sql, batch)
            n += len(batch)
        return n

    def close(self):
        self.cursor.close()


def _reserve_ids(model, n: int) -> int:
    """Claim `n` consecutive ids for explicit-id rows; returns the first. On PostgreSQL the
    sequence moves past them, under a table lock so no concurrent insert takes one meanwhile."""
    table = model._meta.db_table
    qn = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {qn} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT setval(%s, GREATEST(nextval(%s), (SELECT COALESCE(MAX(id), 0) + 1 "
                f"FROM {qn})) + %s - 1)", [sequence, sequence, n])
            return cursor.fetchone()[0] - n + 1
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {qn}")
        first = cursor.fetchone()[0] + 1
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            if found and found[0] is not None:
                first = max(first, found[0] + 1)
        return first


def _assign_ids(model, rows) -> None:
    """Give rows their ids before writing (other rows point at them): on PostgreSQL drawn
    from the table's sequence, elsewhere reserved after the current maximum."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                           "FROM generate_series(1, %s)", [model._meta.db_table, len(rows)])
            ids = [pk for (pk,) in cursor.fetchall()]
    else:
        first = _reserve_ids(model, len(rows))
        ids = range(first, first + len(rows))
    for row, pk in zip(rows, ids, strict=True):
        row["id"] = pk


# --------------------------------------------------------------------------------------------
# What the generated records are drawn from.

@dataclass
class _AccountProfile:
    name: str
    domain: str
    employees: int
    country: Country
    owner_id: int
    bdr_id: int | None


class _Context:
    def __init__(self, seed: int, now: datetime.datetime):
        self.seed = seed
        self.now = now
        self.today = timezone.localdate(now)
        self.free_domains = list(WordListEntry.objects.filter(list=WordList.FREE_DOMAIN)
                                 .order_by("value").values_list("value", flat=True)) or [
            "gmail.com", "yahoo.com", "outlook.com"]
        countries = list(Country.objects.select_related("region").order_by("iso2"))
        if not countries:
            raise RuntimeError("No countries: run `manage.py load_reference_data` first.")
        self.countries = _weights((c, COUNTRY_WEIGHTS.get(c.iso2, 1)) for c in countries)
        sources = list(InitialSource.objects.filter(active=True).order_by("name"))
        self.sources = [s.pk for s in sources]
        self.source_by_name = {s.name: s.pk for s in sources}
        reasons = {kind: list(Reason.objects.filter(kind=kind, active=True).order_by("name")
                              .values_list("pk", flat=True)) for kind in ReasonKind.values}
        self.disqualify_reasons = reasons[ReasonKind.DISQUALIFY]
        self.closed_lost_reasons = reasons[ReasonKind.CLOSED_LOST]
        self.unqualified_reasons = reasons[ReasonKind.UNQUALIFIED]

        def people(role):
            return list(User.objects.people().filter(groups__name=role, is_active=True)
                        .select_related("region").order_by("username"))

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
        self.lead_statuses = _weights(LEAD_STATUS_WEIGHTS)
        self.contact_statuses = _weights(CONTACT_STATUS_WEIGHTS)
        self.stages = _weights(STAGE_WEIGHTS)
        self.opp_types = _weights(OPP_TYPE_WEIGHTS)
        self.titles = _weights(TITLES)
        self.sales_kinds = _weights(SALES_KIND_WEIGHTS)
        self.account_ranges: list[list[int]] = []
        self.n_accounts = 0
        # LEAD-SCORE-1: the points table, thresholds and free domains scoring uses.
        scoring_ctx = ScoringContext()
        self.mql_threshold = scoring_ctx.mql_threshold
        self.inquiry_threshold = scoring_ctx.inquiry_threshold
        self.scoring_free_domains = scoring_ctx.free_domains
        self.behaviour = scoring.BehaviourTable(scoring_ctx.rules)
        self.rules_for = {trigger: tuple((r.id, r.name[:200], r.points) for r in
                                         scoring.behaviour_rules_for(scoring_ctx.rules, trigger))
                          for trigger in (*MARKETING_KIND, scoring.CAREERS_REPEAT)}
        self.demographic_rules = [r for r in scoring_ctx.rules
                                  if r.kind == ScoringKind.DEMOGRAPHIC]
        points = self.behaviour.points
        # What a touch that would not fit the status becomes instead: the cheapest that fits.
        self.fallbacks = sorted((f for f in MARKETING_KIND if points.get(f, 0) > 0),
                                key=lambda f: (points[f], f))
        self._demographic: dict[tuple, tuple] = {}

    def demographic(self, title: str, email: str) -> tuple[int, tuple]:
        """(demographic score, the matching rules as (id, name, points)) of a person."""
        valid = scoring.is_valid_email(email)
        free = valid and scoring.email_domain(email) in self.scoring_free_domains
        key = (title, valid, free)
        found = self._demographic.get(key)
        if found is None:
            words = frozenset(scoring.title_words(title))
            rules = tuple((r.id, r.name[:200], r.points) for r in self.demographic_rules
                          if r.points and scoring.traits_match(r, words, valid, free))
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
        ids = pool.get(region_code) or (self.bdr_ids if pool is self.bdrs_by_region
                                        else self.sdr_ids)
        return ids[rng.randrange(len(ids))]

    def account_id(self, k: int) -> int:
        for first, n in self.account_ranges:
            if k < n:
                return first + k
            k -= n
        raise IndexError(k)

    def account(self, k: int) -> _AccountProfile:
        return self.account_draw(k)[0]

    def account_draw(self, k: int):
        """The facts other records copy from generated account `k` (same seed, same facts),
        and the account's random stream for the rest of its fields."""
        rng = _rng(self.seed, KIND_ACCOUNT, k)
        combos = len(COMPANY_FIRST) * len(COMPANY_SECOND) * len(COMPANY_SUFFIX)
        x = (k * 7919 + self.seed * 104_729) % combos  # 7919 is prime to combos: no repeats
        a, rest = x % len(COMPANY_FIRST), x // len(COMPANY_FIRST)
        b, c = rest % len(COMPANY_SECOND), rest // len(COMPANY_SECOND)
        name = f"{COMPANY_FIRST[a]} {COMPANY_SECOND[b]} {COMPANY_SUFFIX[c]}"
        if k >= combos:
            name += f" {k // combos + 1}"
        domain = _slug(name) + ("" if self.seed == 1 else f"-s{self.seed}") + ".example"
        roll = rng.random()
        if roll < 0.55:
            employees = rng.randint(1, 99)
        elif roll < 0.85:
            employees = rng.randint(100, 1999)
        else:
            employees = int(2000 * (1 + rng.paretovariate(1.2)))
        country = _pick(rng, self.countries)
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
        profile = _AccountProfile(name, domain, min(employees, 400_000), country, owner_id,
                                  bdr_id)
        return profile, rng

    def random_account(self, rng):
        k = rng.randrange(self.n_accounts)
        return self.account_id(k), self.account(k)


# --------------------------------------------------------------------------------------------
# Records.

def _account_row(ctx: _Context, k: int, pk: int) -> dict:
    p, rng = ctx.account_draw(k)
    created = ctx.now - datetime.timedelta(days=30 + rng.random() * 1500)
    strategic = p.employees >= 20_000 and rng.random() < 0.3
    roll = rng.random()
    if roll < 0.15:
        kind = AccountType.CUSTOMER
    elif roll < 0.20:
        kind = AccountType.FORMER_CUSTOMER
    elif roll < 0.28:
        kind = AccountType.PROSPECT_CE
    elif roll < 0.30:
        kind = rng.choice((AccountType.PARTNER, AccountType.RESELLER))
    else:
        kind = AccountType.PROSPECT
    row = {
        "id": pk, "created_at": created, "updated_at": created, "name": p.name,
        "normalized_name": normalize_company(p.name), "domain": p.domain,
        "website": f"https://www.{p.domain}", "type": kind,
        "account_source_id": ctx.sources[rng.randrange(len(ctx.sources))],
        "employees": p.employees, "industry": rng.choice(INDUSTRIES),
        "billing_city": rng.choice(CITIES.get(p.country.iso2, ("",))),
        "billing_state": rng.choice(US_STATES) if p.country.iso2 == "US" else "",
        "country_id": p.country.pk, "region_id": p.country.region_id,
        "segment": segment_for_employees(p.employees, strategic), "is_strategic": strategic,
        "ultimate_parent_id": pk, "owner_id": p.owner_id, "bdr_assigned_id": p.bdr_id,
        "priority": rng.choice((None, None, 1, 2, 3)),
        "intent_score": rng.randint(0, 100) if rng.random() < 0.5 else None,
        "lam_dev_count": max(1, p.employees // rng.randint(3, 12)),
        "first_order_available": kind != AccountType.CUSTOMER,
        "is_public_sector": rng.random() < 0.03,
    }
    if kind == AccountType.CUSTOMER:
        row["paid_tier"] = rng.choice((PaidTier.PREMIUM, PaidTier.ULTIMATE, PaidTier.CI_STORAGE))
        row["total_carr"] = Decimal(rng.randint(20, 5000) * 100)
    elif kind == AccountType.PROSPECT_CE:
        row.update(using_ce=True, active_ce_users=rng.randint(1, 500), ce_instances=1)
    if p.bdr_id:
        if k < AW_ACCOUNTS and rng.random() < 0.5:
            status = BDRProspectingStatus.ACTIVELY_WORKING
            row["actively_working_since"] = ctx.now - datetime.timedelta(days=rng.random() * 9)
            row["bdr_research"] = f"{p.name}: {row['industry'].lower()} company evaluating tools."
            row["bdr_comments"] = "Champion identified; sequence running."
        else:
            roll = rng.random()
            status = (BDRProspectingStatus.QUEUED if roll < 0.55
                      else BDRProspectingStatus.WORKED_IN_FY if roll < 0.9
                      else BDRProspectingStatus.RESTRICTED)
            if status == BDRProspectingStatus.RESTRICTED:
                row["bdr_research"] = "Restricted: the account owner is negotiating a renewal."
        row["bdr_prospecting_status"] = status
    return row


def _person(ctx: _Context, rng, domain: str | None, token: str):
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    title = _pick(rng, ctx.titles)
    if domain is None or rng.random() < 0.15:
        domain = ctx.free_domains[rng.randrange(len(ctx.free_domains))]
    email = f"{first}.{last}{token}@{domain}".lower()
    return first, last, title, email


def _marketing_form(rng, kind):
    return (rng.choice(FORMS) if kind == ActivityKind.FORM_FILL
            else rng.choice(WEB_PAGES) if kind == ActivityKind.WEB_VISIT
            else FormKind.WEBCAST_ATTENDED_LOW if kind == ActivityKind.WEBCAST
            else FormKind.EVENT_BOOTH)


def _behaviour_limit(ctx, status, demographic):
    """LEAD-STATUS 1-3 as constraints on a generated history: the highest behaviour score
    (since the last reset) a person can have and still be in `status`, and whether it may
    have filled a form (None: no limit; MQL and later statuses do not move back)."""
    below_mql = ctx.mql_threshold - 1 - demographic
    if status == PersonStatus.RAW:
        return min(ctx.inquiry_threshold, below_mql), False
    if status in (PersonStatus.INQUIRY, PersonStatus.RECYCLE):
        return below_mql, True
    return None, True


def _person_activities(ctx, rng, created, status, owner_id, links, demographic):
    """About three activities: the person's own marketing touches first, then the reps' sales
    activity once somebody works the record (ACT-1: only the latter is sales activity); a few
    people visit the careers page repeatedly. The marketing touches are drawn so that the
    scores they give (through the points table, as live scoring would) fit the status."""
    n = rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5))
    worker = owner_id if owner_id in ctx.people_ids else None
    worked = status in WORKED or (status not in (PersonStatus.RAW, PersonStatus.INQUIRY,
                                                 PersonStatus.MQL) and rng.random() < 0.5)
    n_sales = 0
    if worked:
        n_sales = max(1, n - rng.randint(1, 2))
    times = sorted(_between(rng, created, ctx.now) for _ in range(n))
    slots = [(at, j >= n - n_sales, None) for j, at in enumerate(times)]
    if rng.random() < CAREERS_SHARE:
        first = _between(rng, created, ctx.now)
        slots += [(min(ctx.now, first + datetime.timedelta(seconds=int(rng.random() * 10 * 86400))),
                   False, FormKind.PAGE_VISIT_CAREERS) for _ in range(rng.randint(2, 3))]
        slots.sort(key=lambda slot: slot[0])
    limit, forms_ok = _behaviour_limit(ctx, status, demographic[0])
    reset_at = None
    if status == PersonStatus.RECYCLE and not slots[0][1]:
        reset_at = _between(rng, slots[0][0], ctx.now)  # recycled after its first touch
    rows, lim, first_touch = [], None, None
    touches = []  # (activity row, form kind, time) of the marketing touches
    counted = []  # (form kind, time) since the reset, as the re-score replays them
    for at, sales, form in slots:
        if sales:
            kind = _pick(rng, ctx.sales_kinds)
            two_way = (status == PersonStatus.QUALIFYING and at == times[-1]) or rng.random() < 0.2
            rows.append({**links, "kind": kind, "is_sales": kind in SALES_ACTIVITY_KINDS,
                         "direction": Direction.INBOUND if two_way and kind == ActivityKind.EMAIL
                         else Direction.OUTBOUND,
                         "two_way": two_way, "logged_by_id": worker or ctx.rep_for(rng, None),
                         "occurred_at": at, "created_at": at,
                         "subject": SALES_SUBJECTS[kind].format(topic=rng.choice(SALES_TOPICS))})
            first_touch = first_touch or at
            continue
        if form is None:
            if status in PAST_MQL and not touches or status == PersonStatus.RECYCLE and at == slots[0][0]:
                form = rng.choice(HIGH_INTENT)  # the hand-raise that made it an MQL
            elif not forms_ok:
                form = rng.choice(WEB_PAGES)
            else:
                form = _marketing_form(rng, rng.choice(MARKETING_KINDS))
        if (limit is not None and (reset_at is None or at > reset_at)
                and ctx.behaviour.score(counted + [(form, at)]) > limit):
            form = next((f for f in ctx.fallbacks if (forms_ok or not scoring.is_form(f))
                         and ctx.behaviour.score(counted + [(f, at)]) <= limit), None)
            if form is None:
                continue  # no touch fits the status: the person did less
        if reset_at is None or at > reset_at:
            counted.append((form, at))
        subject = FORM_LABELS[form]
        row = {**links, "kind": MARKETING_KIND[form], "is_sales": False,
               "direction": Direction.INBOUND, "two_way": False, "logged_by_id": None,
               "occurred_at": at, "created_at": at, "subject": subject, "form_kind": form}
        rows.append(row)
        touches.append((row, form, at))
        lim = (subject, at)
    return rows, lim, first_touch, (touches, reset_at)


def _score_history(ctx, links, created, demographic, touches, reset_at):
    """The score events live scoring would have written for this history (demographic rules
    when the person appeared, each touch's behaviour rules and careers penalties, the reset
    on the move to Recycle), the behaviour score they add up to and the reset time (none when
    there was no behaviour score to reset, as LEAD-STATUS 3 does it)."""
    events = []
    score = 0
    for rule_id, name, points in demographic[1]:
        score += points
        events.append({**links, "rule_id": rule_id, "rule_name": name,
                       "kind": ScoringKind.DEMOGRAPHIC, "points": points,
                       "created_at": created, "score_after": score})
    parts = [touches]
    if reset_at is not None:
        before = [t for t in touches if t[2] <= reset_at]
        if ctx.behaviour.score([(form, at) for _row, form, at in before]):
            parts = [before, [t for t in touches if t[2] > reset_at]]
        else:
            reset_at = None
    behaviour = 0
    for n, part in enumerate(parts):
        if n:
            score -= behaviour
            events.append({**links, "rule_id": None, "kind": "reset", "points": -behaviour,
                           "rule_name": "Moved to Recycle: behaviour score reset",
                           "created_at": reset_at, "score_after": score})
            behaviour = 0
        careers = [i for i, (_row, form, _at) in enumerate(part)
                   if form == FormKind.PAGE_VISIT_CAREERS]
        penalised = () if len(careers) < 2 else {
            careers[k] for k in ctx.behaviour.penalised([part[i][2] for i in careers])}
        for i, (row, form, at) in enumerate(part):
            fired = ctx.rules_for.get(form, ())
            if i in penalised:
                fired = fired + ctx.rules_for[scoring.CAREERS_REPEAT]
            for rule_id, name, points in fired:
                behaviour += points
                score += points
                events.append({**links, "rule_id": rule_id, "rule_name": name,
                               "kind": ScoringKind.BEHAVIOUR, "points": points,
                               "activity": row, "created_at": at, "score_after": score})
    return behaviour, events, reset_at


def _person_fields(ctx, rng, status, created):
    row = {"status": status}
    if status in PAST_MQL or (status in (PersonStatus.RECYCLE, PersonStatus.DISQUALIFIED)
                              and rng.random() < 0.5):
        if status == PersonStatus.MQL:
            mql = ctx.now - datetime.timedelta(
                seconds=rng.random() * min((ctx.now - created).total_seconds(), 20 * 86400))
            row["sla_due"] = mql + DAY
            row["is_hot"] = rng.random() < 0.05
        else:
            mql = _between(rng, created, ctx.now)
        row["mql_date"] = mql
        row["mql_count"] = 1 if rng.random() < 0.85 else 2
    if status == PersonStatus.DISQUALIFIED and ctx.disqualify_reasons:
        row["disqualify_reason_id"] = rng.choice(ctx.disqualify_reasons)
    if status in WORKED:
        row.update(bant_budget=rng.choice(YesNoUnknown.values),
                   bant_authority=rng.choice(YesNoUnknown.values),
                   bant_need=rng.choice(YesNoUnknown.values),
                   bant_timeline=rng.choice(YesNoUnknown.values))
    return row


def _scores(ctx, row, links, demographic, history):
    """Scores, reset time and score events of a generated person (LEAD-SCORE-1)."""
    touches, reset_at = history
    behaviour, events, reset_at = _score_history(ctx, links, row["created_at"], demographic,
                                                 touches, reset_at)
    row.update(behaviour_score=behaviour, demographic_score=demographic[0],
               person_score=behaviour + demographic[0], score_reset_at=reset_at)
    return events


def _domain_of(email: str) -> str:
    return email.rsplit("@", 1)[-1] if "@" in email else ""


def _phone(rng, country):
    if country.iso2 == "US":
        return f"+1 {rng.randint(201, 989)} 555 {rng.randint(1000, 9999)}"
    return f"+{rng.randint(30, 99)} {rng.randint(20, 999)} {rng.randint(100000, 9999999)}"


def _lead(ctx: _Context, i: int, pk: int):
    rng = _rng(ctx.seed, KIND_LEAD, i)
    status = _pick(rng, ctx.lead_statuses)
    account_id, profile = None, None
    if ctx.n_accounts and (rng.random() < 0.3 or status == PersonStatus.QUALIFIED):
        account_id, profile = ctx.random_account(rng)
    if profile:
        company, domain, country = profile.name, profile.domain, profile.country
    else:
        company = (f"{rng.choice(COMPANY_FIRST)} {rng.choice(COMPANY_SECOND)} "
                   f"{rng.choice(COMPANY_SUFFIX)}")
        domain = _slug(company) + ".example" if rng.random() < 0.9 else None
        country = _pick(rng, ctx.countries)
        if domain is None:
            company = ""
    first, last, title, email = _person(ctx, rng, domain, ctx.token(".", i))
    created = ctx.now - datetime.timedelta(days=730 * rng.random() ** 1.5)
    region = country.region.code
    if status in (PersonStatus.RAW, PersonStatus.INQUIRY) and rng.random() < 0.7:
        owner = ctx.inquiry_queue
    else:
        owner = ctx.rep_for(rng, region)
    phone = _phone(rng, country) if rng.random() < 0.6 else ""
    if status == PersonStatus.BAD_DATA:
        email, phone = "", ""
    demographic = ctx.demographic(title, email)
    row = {
        "id": pk, "created_at": created, "first_name": first, "last_name": last,
        "email": email, "email_domain": _domain_of(email), "phone": phone, "title": title,
        "company": company,
        "website": f"https://www.{domain}" if domain and company else "",
        "country_id": country.pk, "region_id": country.region_id,
        "state": rng.choice(US_STATES) if country.iso2 == "US" else "",
        "city": rng.choice(CITIES.get(country.iso2, ("",))),
        "initial_source_id": ctx.sources[rng.randrange(len(ctx.sources))],
        "owner_id": owner, "matched_account_id": account_id,
        "employees": profile.employees if profile else rng.choice(LEAD_EMPLOYEES),
        "email_opt_out": rng.random() < 0.03, "gdpr_opt_in": country.is_eu_eea
        and rng.random() < 0.6,
        **_person_fields(ctx, rng, status, created),
    }
    if status == PersonStatus.QUALIFIED:
        row["converted_account_id"] = account_id
        row["converted_at"] = _between(rng, row.get("mql_date") or created, ctx.now)
    activities, lim, first_touch, history = _person_activities(
        ctx, rng, created, status, owner, {"lead_id": pk}, demographic)
    events = _scores(ctx, row, {"lead_id": pk}, demographic, history)
    row["updated_at"] = max([created] + [a["occurred_at"] for a in activities])
    if lim:
        row["last_interesting_moment"], row["last_interesting_moment_at"] = lim
    row["first_touch_at"] = first_touch
    task = None
    if owner in ctx.people_ids and status in (PersonStatus.MQL, PersonStatus.ACCEPTED,
                                              PersonStatus.QUALIFYING) and rng.random() < 0.3:
        task = {"lead_id": pk, "subject": f"Follow up with {first} {last}",
                "due_date": ctx.today + datetime.timedelta(days=rng.randint(-5, 14)),
                "owner_id": owner, "created_by_id": owner, "created_at": row["updated_at"],
                "updated_at": row["updated_at"]}
    return row, activities, task, events


def _contact(ctx: _Context, c: int, pk: int):
    rng = _rng(ctx.seed, KIND_CONTACT, c)
    account_id, profile = ctx.random_account(rng)
    status = _pick(rng, ctx.contact_statuses)
    first, last, title, email = _person(ctx, rng, profile.domain, ctx.token("", c))
    created = ctx.now - datetime.timedelta(days=900 * rng.random() ** 1.5)
    owner = profile.bdr_id or (profile.owner_id if rng.random() < 0.5
                               else ctx.rep_for(rng, profile.country.region.code))
    phone = _phone(rng, profile.country) if rng.random() < 0.7 else ""
    if status == PersonStatus.BAD_DATA:
        email, phone = "", ""
    demographic = ctx.demographic(title, email)
    row = {
        "id": pk, "created_at": created, "account_id": account_id, "first_name": first,
        "last_name": last, "email": email, "email_domain": _domain_of(email), "phone": phone,
        "title": title,
        "country_id": profile.country.pk, "region_id": profile.country.region_id,
        "initial_source_id": ctx.sources[rng.randrange(len(ctx.sources))], "owner_id": owner,
        **_person_fields(ctx, rng, status, created),
    }
    activities, lim, first_touch, history = _person_activities(
        ctx, rng, created, status, owner, {"contact_id": pk, "account_id": account_id},
        demographic)
    events = _scores(ctx, row, {"contact_id": pk}, demographic, history)
    row["updated_at"] = max([created] + [a["occurred_at"] for a in activities])
    if lim:
        row["last_interesting_moment"], row["last_interesting_moment_at"] = lim
    row["first_touch_at"] = first_touch
    return row, activities, events


def _opportunity(ctx: _Context, o: int, pk: int):
    rng = _rng(ctx.seed, KIND_OPPORTUNITY, o)
    account_id, profile = ctx.random_account(rng)
    region = profile.country.region.code
    if profile.owner_id in ctx.ae_ids:
        owner = profile.owner_id
    else:
        ids = ctx.aes_by_region.get(region) or ctx.ae_ids
        owner = ids[rng.randrange(len(ids))]
    stage = _pick(rng, ctx.stages)
    web_direct = stage == Stage.CLOSED_WON and rng.random() < 0.2
    sdr_bdr = None
    if not web_direct and rng.random() < 0.6:
        sdr_bdr = profile.bdr_id or ctx.rep_for(rng, region, bdr_share=0.3)
    if sdr_bdr == owner:  # OPP-V1, also a database check
        sdr_bdr = None
    kind = _pick(rng, ctx.opp_types)
    created = ctx.now - datetime.timedelta(days=5 + 540 * rng.random())
    iacv = Decimal(int(3000 * rng.paretovariate(1.3)) // 100 * 100)
    closed = stage not in OPEN_STAGES
    row = {
        "id": pk, "created_at": created, "account_id": account_id, "owner_id": owner,
        "sdr_bdr_id": sdr_bdr, "stage": stage,
        "name": f"{profile.name} - {rng.choice(OPP_TOPICS)}", "type": kind,
        "order_type": OrderType.WEB_DIRECT if web_direct else OrderType.SALES_ASSISTED,
        "iacv": iacv, "amount": iacv,
        "source_id": ctx.source_by_name.get("Web Direct") if web_direct
        else ctx.sources[rng.randrange(len(ctx.sources))],
        "sales_qualification_source": (
            "" if web_direct else "BDR Generated" if ctx.rep_role.get(sdr_bdr) == roles.BDR
            else "SDR Generated" if sdr_bdr else "AE Generated"),
        "seats": rng.randint(5, 2000),
    }
    changes = [{"from_stage": "", "to_stage": Stage.PRE if not web_direct else stage,
                "changed_by_id": sdr_bdr or owner, "changed_at": created}]
    at = created
    if not web_direct and stage != Stage.PRE:
        if stage != Stage.DUPLICATE or rng.random() < 0.5:
            at = _between(rng, created, min(ctx.now, created + 10 * DAY))
            changes.append({"from_stage": Stage.PRE, "to_stage": Stage.PENDING,
                            "changed_by_id": sdr_bdr or owner, "changed_at": at})
            row.update(right_person_confirmed=True,
                       business_problem="Wants one platform instead of several CI tools.")
        accepted = stage in ACCEPTED_STAGES or stage == Stage.CLOSED_LOST and rng.random() < 0.6
        if accepted:  # OPP-S1
            at = _between(rng, at, min(ctx.now, at + 20 * DAY))
            row["sales_accepted_date"] = at
            if stage in QUALIFIED_STAGES or rng.random() < 0.5:  # OPP-S2
                at = _between(rng, at, min(ctx.now, at + 30 * DAY))
                row.update(sales_qualified=True, sales_qualified_date=at, initial_iacv=iacv)
        if stage != changes[-1]["to_stage"]:
            at = _between(rng, at, min(ctx.now, at + 60 * DAY))
            changes.append({"from_stage": changes[-1]["to_stage"], "to_stage": stage,
                            "changed_by_id": owner, "changed_at": at})
    row["stage_changed_at"] = changes[-1]["changed_at"]
    if closed:
        row["closed_at"] = at
        row["close_date"] = timezone.localdate(at)
    else:
        row["close_date"] = ctx.today + datetime.timedelta(days=rng.randint(-20, 180))
        row["next_step"] = rng.choice(("Discovery call", "Demo for the platform team",
                                       "Send proposal", "Security questionnaire",
                                       "Align on pricing"))
        row["next_step_date"] = ctx.today + datetime.timedelta(days=rng.randint(-5, 21))
    index = STAGE_INDEX[stage]
    if STAGE_INDEX[Stage.PROPOSAL] <= index <= STAGE_INDEX[Stage.CLOSED_WON]:
        row["po_expected"] = rng.random() < 0.6
    if stage in (Stage.AWAITING_SIGNATURE, Stage.CLOSED_WON):
        row["closed_won_details"] = ("Web direct order" if web_direct
                                     else "Signed order form; standard terms.")
        row["edition"] = rng.choice(("Premium", "Ultimate", "Starter"))
    reasons = []
    if stage == Stage.CLOSED_LOST:
        row["closed_lost_detail"] = "Budget went to another project this year."
        if ctx.closed_lost_reasons:
            reasons.append({"opportunity_id": pk,
                            "reason_id": rng.choice(ctx.closed_lost_reasons)})
    elif stage == Stage.UNQUALIFIED and ctx.unqualified_reasons:
        row["unqualified_reason_id"] = rng.choice(ctx.unqualified_reasons)
    for change in changes:
        change["opportunity_id"] = pk
    activities = []
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
        when = _between(rng, created, row.get("closed_at") or ctx.now)
        kind = _pick(rng, ctx.sales_kinds)
        activities.append({
            "opportunity_id": pk, "account_id": account_id, "kind": kind,
            "is_sales": kind in SALES_ACTIVITY_KINDS, "direction": Direction.OUTBOUND,
            "two_way": rng.random() < 0.4,
            "logged_by_id": owner if rng.random() < 0.7 else (sdr_bdr or owner),
            "occurred_at": when, "created_at": when,
            "subject": SALES_SUBJECTS[kind].format(topic=rng.choice(SALES_TOPICS))})
    row["updated_at"] = max([row["stage_changed_at"]] + [a["occurred_at"] for a in activities])
    task = None
    if not closed:  # OPP-TASK: an open opportunity carries its next action
        task = {"opportunity_id": pk, "account_id": account_id,
                "subject": f"Next step: {row['next_step']}", "due_date": row["next_step_date"],
                "owner_id": owner, "created_by_id": owner, "created_at": created,
                "updated_at": created}
    return row, changes, reasons, activities, task


# --------------------------------------------------------------------------------------------
# The run: chunks are built in order by the calling thread and written by writer threads.

KINDS = ("accounts", "leads", "contacts", "opportunities", "activities", "score_events", "tasks")
# Writer threads (own connections) on PostgreSQL. Overlapping generation with COPY saves ~20%;
# a second writer measured no faster here: the load is bound by the server's buffers and WAL.
WRITERS = 1


@dataclass
class _Chunk:
    seq: int
    kind: str
    end: int  # the kind's generated count once this chunk is committed
    of: int  # ... and once the whole run is
    tables: list  # [(table name, rows)] in write order
    new_accounts: tuple[int, int] | None = None  # (first id, n) for an account chunk


class _Failed(Exception):
    pass


class _Run:
    def __init__(self, seed, now, stdout):
        self.ctx = _Context(seed, now)
        self.stdout = stdout
        self.tables = {
            "accounts": _Table(Account, now, with_id=True),
            "leads": _Table(Lead, now, with_id=True),
            "contacts": _Table(Contact, now, with_id=True),
            "opportunities": _Table(Opportunity, now, with_id=True),
            "activities": _Table(Activity, now, with_id=True),
            "score_events": _Table(ScoreEvent, now),
            "tasks": _Table(Task, now),
            "stage_changes": _Table(StageChange, now),
            "closed_lost_reasons": _Table(Opportunity.closed_lost_reasons.through, now),
        }
        self.created = dict.fromkeys(KINDS, 0)
        self.job, _ = JobRun.objects.get_or_create(
            name=JOB_NAME, key=f"seed={seed}", defaults={"started_at": now, "counts": {}})
        self.counts = {k: int(self.job.counts.get(k, 0)) for k in KINDS}
        # Committed account ids (stored in the job) and the ones records may point at (these
        # include accounts of this run that are still on their way to the database).
        self.account_ranges = [list(r) for r in self.job.counts.get("account_ids", [])]
        self.ctx.account_ranges = [list(r) for r in self.account_ranges]
        self.ctx.n_accounts = sum(n for _first, n in self.ctx.account_ranges)
        self.parallel = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.turn = threading.Condition()
        self.committed = -1
        self.failure: BaseException | None = None
        self.started = time.monotonic()
        self.last_print = 0.0

    def say(self, message, force=False):
        if self.stdout is None:
            return
        elapsed = time.monotonic() - self.started
        if force or elapsed - self.last_print >= 5:
            self.last_print = elapsed
            self.stdout.write(f"[{elapsed:7.1f}s] {message}")

    # -- building chunks (calling thread, no database access) ----------------------------

    def plan(self, accounts, leads, opportunities):
        """Claim the ids of everything this run adds, then yield its chunks in order."""
        ctx, done = self.ctx, dict(self.counts)
        new_accounts = max(0, accounts - done["accounts"])
        new_leads = max(0, leads - done["leads"])
        with transaction.atomic():
            first_account = _reserve_ids(Account, new_accounts) if new_accounts else 0
        if new_accounts:
            ranges = ctx.account_ranges
            if ranges and ranges[-1][0] + ranges[-1][1] == first_account:
                ranges[-1][1] += new_accounts
            else:
                ranges.append([first_account, new_accounts])
            ctx.n_accounts += new_accounts
        contact_start = -(-done["leads"] // CONTACT_EVERY)
        contact_end = -(-max(leads, done["leads"]) // CONTACT_EVERY)
        new_contacts = contact_end - contact_start if ctx.n_accounts else 0
        new_opps = max(0, opportunities - done["opportunities"]) if ctx.n_accounts else 0
        with transaction.atomic():
            first_lead = _reserve_ids(Lead, new_leads) if new_leads else 0
            first_contact = _reserve_ids(Contact, new_contacts) if new_contacts else 0
            first_opp = _reserve_ids(Opportunity, new_opps) if new_opps else 0
        if opportunities > done["opportunities"] and not ctx.n_accounts:
            self.say("opportunities: skipped, no generated accounts to put them on", force=True)

        seq = 0
        for start in range(done["accounts"], accounts, CHUNK):
            end = min(accounts, start + CHUNK)
            first = first_account + start - done["accounts"]
            rows = [_account_row(ctx, k, first + k - start) for k in range(start, end)]
            yield _Chunk(seq, "accounts", end, accounts, [("accounts", rows)],
                         (first, end - start))
            seq += 1
        for start in range(done["leads"], leads, CHUNK):
            end = min(leads, start + CHUNK)
            rows, contacts, activities, tasks, events = [], [], [], [], []
            for i in range(start, end):
                lead, acts, task, evs = _lead(ctx, i, first_lead + i - done["leads"])
                rows.append(lead)
                activities += acts
                events += evs
                if task:
                    tasks.append(task)
                if new_contacts and i % CONTACT_EVERY == 0:
                    c = i // CONTACT_EVERY
                    contact, acts, evs = _contact(ctx, c, first_contact + c - contact_start)
                    contacts.append(contact)
                    activities += acts
                    events += evs
            yield _Chunk(seq, "leads", end, leads, [
                ("leads", rows), ("contacts", contacts), ("activities", activities),
                ("score_events", events), ("tasks", tasks)])
            seq += 1
        for start in range(done["opportunities"], done["opportunities"] + new_opps, CHUNK):
            end = min(done["opportunities"] + new_opps, start + CHUNK)
            opps, changes, reasons, activities, tasks = [], [], [], [], []
            for o in range(start, end):
                pk = first_opp + o - done["opportunities"]
                opp, ch, rs, acts, task = _opportunity(ctx, o, pk)
                opps.append(opp)
                changes += ch
                reasons += rs
                activities += acts
                if task:
                    tasks.append(task)
            yield _Chunk(seq, "opportunities", end, done["opportunities"] + new_opps, [
                ("opportunities", opps), ("stage_changes", changes),
                ("closed_lost_reasons", reasons), ("activities", activities), ("tasks", tasks)])
            seq += 1

    # -- writing chunks ------------------------------------------------------------------

    def commit(self, chunk: _Chunk, sink) -> None:
        """One transaction per chunk; chunks commit in order, so the job's counts always
        describe a prefix of the plan and an interrupted run resumes cleanly."""
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit = off")
                tables = dict(chunk.tables)
                if tables.get("activities"):
                    _assign_ids(Activity, tables["activities"])
                for event in tables.get("score_events", ()):
                    if "activity" in event:  # the touch that scored, now that it has an id
                        event["activity_id"] = event.pop("activity")["id"]
                written = {name: sink.write(self.tables[name], rows) if rows else 0
                           for name, rows in chunk.tables}
                with self.turn:
                    self.turn.wait_for(lambda: self.failure or self.committed == chunk.seq - 1)
                    if self.failure:
                        raise _Failed
                for name, n in written.items():
                    if name in self.counts:
                        self.counts[name] += n
                        self.created[name] += n
                if chunk.new_accounts:
                    first, n = chunk.new_accounts
                    ranges = self.account_ranges
                    if ranges and ranges[-1][0] + ranges[-1][1] == first:
                        ranges[-1][1] += n
                    else:
                        ranges.append([first, n])
                self.save_job()
        except BaseException as exc:
            with self.turn:
                self.failure = self.failure or exc
                self.turn.notify_all()
            raise
        with self.turn:
            self.committed = chunk.seq
            self.turn.notify_all()
        self.say(f"{chunk.kind}: {chunk.end:,}/{chunk.of:,}", force=chunk.end == chunk.of)

    def save_job(self, state=JobRun.State.RUNNING):
        self.job.counts = {**self.counts, "account_ids": self.account_ranges}
        self.job.state = state
        self.job.done = sum(self.counts[k] for k in ("accounts", "leads", "opportunities"))
        fields = ["counts", "state", "done"]
        if state == JobRun.State.DONE:
            self.job.finished_at = timezone.now()
            fields.append("finished_at")
        self.job.save(update_fields=fields)

    def writer(self, chunks: queue.Queue):
        sink = _CopySink()
        try:
            while (chunk := chunks.get()) is not None:
                if self.failure is None:
                    try:
                        self.commit(chunk, sink)
                    except BaseException:  # kept in self.failure for the calling thread
                        pass
        finally:
            sink.close()
            connection.close()

    def execute(self, accounts, leads, opportunities):
        plan = self.plan(accounts, leads, opportunities)
        if not self.parallel:
            sink = _CopySink() if connection.vendor == "postgresql" else _InsertSink()
            try:
                for chunk in plan:
                    self.commit(chunk, sink)
            finally:
                sink.close()
            return
        chunks: queue.Queue = queue.Queue(maxsize=WRITERS)
        threads = [threading.Thread(target=self.writer, args=(chunks,), daemon=True)
                   for _ in range(WRITERS)]
        for thread in threads:
            thread.start()
        try:
            for chunk in plan:
                while self.failure is None:
                    try:
                        chunks.put(chunk, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if self.failure is not None:
                    break
        finally:
            # Chunks built before a failure here are sound: the writers still commit them.
            for _thread in threads:
                chunks.put(None)
            for thread in threads:
                thread.join()
        if self.failure is not None:
            raise self.failure

    def analyze(self):
        if connection.vendor != "postgresql" or not any(self.created.values()):
            return
        with connection.cursor() as cursor:
            for table in self.tables.values():
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table.name)}")
        self.say("analyzed the generated tables", force=True)


def generate(*, leads: int, accounts: int, opportunities: int, seed: int, stdout=None,
             now: datetime.datetime | None = None) -> dict[str, int]:
    """Top the generated demo data for `seed` up to the given numbers; returns what this run
    created per kind (all zero when the numbers are already there)."""
    run = _Run(seed, now or timezone.now(), stdout)
    run.execute(accounts, leads, opportunities)
    run.save_job(JobRun.State.DONE)
    run.analyze()
    if any(run.created.values()):
        run.say("generated " + ", ".join(f"{n:,} {kind}" for kind, n in run.created.items()),
                force=True)
    return run.created
