"""The named demo data set of CONTRACT 4. Idempotent: every row is found by its name first."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.enums import AccountType, BDRProspectingStatus, PaidTier
from accounts.matching import normalize_company
from accounts.models import Account, Contact
from accounts.segments import segment_for_employees
from gtm_portal.activity.enums import ActivityKind, Direction, EnrollmentState, Touch
from gtm_portal.activity.models import Activity, Enrollment, QualificationNote, Sequence, Task
from gtm_portal.core.enums import PersonStatus
from gtm_portal.refdata.models import Country, InitialSource, Region
from gtm_portal.users import roles
from gtm_portal.users.models import Team, User
from leads.enums import RoutingLevel
from leads.models import PoolMember, RoutingPool
from opportunities.enums import OrderType, Stage
from opportunities.models import Opportunity, OpportunityContactRole, StageChange

PASSWORD = "demo"

# username, first, last, roles, region, manager, time zone, pools [(pool, level)]
USERS = [
    ("mops", "Morgan", "Ops", [roles.MARKETING_OPS], None, None, "America/Los_Angeles", []),
    ("sdr.mgr", "Sam", "Manager", [roles.SDR_MANAGER], None, None, "America/New_York", []),
    (
        "sdr.amer1",
        "Alex",
        "Amer",
        [roles.SDR],
        "AMER",
        "sdr.mgr",
        "America/New_York",
        [("US/APAC SDR", RoutingLevel.EXPERT)],
    ),
    (
        "sdr.amer2",
        "Avery",
        "Amer",
        [roles.SDR],
        "AMER",
        "sdr.mgr",
        "America/Chicago",
        [("US/APAC SDR", RoutingLevel.RAMPING)],
    ),
    (
        "sdr.apac1",
        "Aki",
        "Apac",
        [roles.SDR],
        "APAC",
        "sdr.mgr",
        "Australia/Sydney",
        [("US/APAC SDR", RoutingLevel.EXPERT), ("Chat (Drift) Expert SDR", RoutingLevel.EXPERT)],
    ),
    (
        "sdr.emea1",
        "Emma",
        "Emea",
        [roles.SDR],
        "EMEA",
        "sdr.mgr",
        "Europe/Berlin",
        [("EMEA SDR", RoutingLevel.EXPERT)],
    ),
    (
        "sdr.emea2",
        "Elias",
        "Emea",
        [roles.SDR],
        "EMEA",
        "sdr.mgr",
        "Europe/London",
        [("EMEA SDR", RoutingLevel.ONBOARDING)],
    ),
    (
        "sdr.latam1",
        "Lucia",
        "Latam",
        [roles.SDR],
        "LATAM",
        "sdr.mgr",
        "America/Sao_Paulo",
        [("LATAM SDR", RoutingLevel.EXPERT)],
    ),
    (
        "sdr.pubsec1",
        "Pat",
        "Pubsec",
        [roles.SDR],
        "PUBSEC",
        "sdr.mgr",
        "America/New_York",
        [("US PubSec SDR", RoutingLevel.EXPERT)],
    ),
    (
        "adv.smb1",
        "Sasha",
        "Advocate",
        [roles.SDR],
        None,
        "sdr.mgr",
        "America/Denver",
        [
            ("SMB Advocates EMEA", RoutingLevel.EXPERT),
            ("SMB Advocates NCSA", RoutingLevel.EXPERT),
            ("SMB Advocates APAC", RoutingLevel.EXPERT),
        ],
    ),
    ("bdr.mgr", "Blair", "Manager", [roles.BDR_MANAGER], None, None, "America/New_York", []),
    ("bdr.amer1", "Bo", "Amer", [roles.BDR], "AMER", "bdr.mgr", "America/New_York", []),
    ("bdr.emea1", "Bea", "Emea", [roles.BDR], "EMEA", "bdr.mgr", "Europe/Dublin", []),
    ("ae.amer1", "Ari", "Amer", [roles.AE], "AMER", None, "America/New_York", []),
    ("ae.emea1", "Eli", "Emea", [roles.AE], "EMEA", None, "Europe/Berlin", []),
    ("salesadmin", "Sal", "Admin", [roles.SALES_ADMIN], None, None, "UTC", []),
    ("salessupport", "Sue", "Support", [roles.SALES_SUPPORT], None, None, "UTC", []),
    ("research", "Rey", "Research", [roles.ACCOUNT_RESEARCH], None, None, "UTC", []),
    ("exec", "Evelyn", "Exec", [roles.EXECUTIVE], None, None, "America/New_York", []),
]

STAFF = {"mops", "salesadmin", "salessupport"}


def _user(username):
    return User.objects.get(username=username)


def seed_users() -> dict[str, User]:
    groups = {g.name: g for g in Group.objects.all()}
    regions = {r.code: r for r in Region.objects.all()}
    teams = {
        "sdr.mgr": Team.objects.get_or_create(name="SDR team")[0],
        "bdr.mgr": Team.objects.get_or_create(name="BDR team")[0],
    }
    users: dict[str, User] = {}
    for username, first, last, role_names, region, _manager, tz, _pools in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@gtm-portal.example",
                time_zone=tz,
                region=regions.get(region) if region else None,
                is_staff=username in STAFF,
            )
            user.set_password(PASSWORD)
            user.save()
            user.groups.set([groups[r] for r in role_names])
        users[username] = user
    for username, _first, _last, _roles, _region, manager, _tz, _pools in USERS:
        user = users[username]
        if manager and user.manager_id is None:
            user.manager = users[manager]
            user.team = teams[manager]
            user.save(update_fields=["manager", "team"])
    for manager, team in teams.items():
        if team.manager_id is None:
            team.manager = users[manager]
            team.save(update_fields=["manager"])
    pools = {p.name: p for p in RoutingPool.objects.all()}
    for username, *_rest, pool_levels in USERS:
        for pool_name, level in pool_levels:
            PoolMember.objects.get_or_create(
                pool=pools[pool_name], user=users[username], defaults={"level": level}
            )
    sales_admin_queue = User.objects.queue(roles.Q_SALES_ADMIN)
    sales_admin_queue.queue_members.add(users["salesadmin"])
    User.objects.queue(roles.Q_INQUIRY).queue_members.add(users["sdr.mgr"])
    User.objects.queue(roles.Q_MKTGOPS_SUPPORT).queue_members.add(users["mops"])
    User.objects.queue(roles.Q_SALES_SUPPORT).queue_members.add(users["salessupport"])
    return users


ACCOUNTS = [
    # name, domain, employees, country iso2, extra
    (
        "Globex Corporation",
        "globex.example",
        5000,
        "US",
        {
            "owner": "ae.amer1",
            "bdr_assigned": "bdr.amer1",
            "bdr_prospecting_status": BDRProspectingStatus.ACTIVELY_WORKING,
            "aw_days": 20,
            "bdr_research": "Platform team of 400 engineers on a home-grown CI; renewal of their "
            "current tool in Q3.",
            "bdr_comments": "VP Engineering sponsor identified; running a 5-person sequence.",
            "industry": "Manufacturing",
        },
    ),
    (
        "Hooli",
        "hooli.example",
        3000,
        "US",
        {
            "owner": "ae.amer1",
            "bdr_assigned": "bdr.amer1",
            "bdr_prospecting_status": BDRProspectingStatus.ACTIVELY_WORKING,
            "aw_days": 40,
            "bdr_research": "Consolidating three SCM tools; security team drives the evaluation.",
            "bdr_comments": "Sequence running; no replies yet.",
            "industry": "Technology",
        },
    ),
    (
        "Initech",
        "initech.example",
        800,
        "DE",
        {
            "owner": "ae.emea1",
            "bdr_assigned": "bdr.emea1",
            "bdr_prospecting_status": BDRProspectingStatus.RESTRICTED,
            "bdr_research": "Restricted: the account owner is in an active renewal negotiation and "
            "asked that nobody prospects until it closes.",
            "industry": "Software",
        },
    ),
    (
        "Umbrella Labs",
        "umbrella.example",
        50,
        "US",
        {
            "owner": "ae.amer1",
            "type": AccountType.CUSTOMER,
            "paid_tier": PaidTier.PREMIUM,
            "total_carr": Decimal("12000"),
            "industry": "Biotech",
        },
    ),
    (
        "Springfield County",
        "springfieldcounty.example",
        1200,
        "US",
        {"owner": "ae.amer1", "is_public_sector": True, "industry": "Government"},
    ),
    (
        "Vandelay Industries",
        "vandelay.example",
        150,
        "AU",
        {
            "owner": roles.Q_SALES_ADMIN,
            "bdr_prospecting_status": BDRProspectingStatus.QUEUED,
            "industry": "Import/Export",
        },
    ),
]

PEOPLE = {
    "Globex Corporation": [
        ("Hank", "Scorpio", "VP Engineering"),
        ("Frank", "Grimes", "Director of Platform"),
        ("Mindy", "Simmons", "Senior DevOps Manager"),
        ("Lurleen", "Lumpkin", "Head of Security"),
        ("Lenny", "Leonard", "Engineering Manager"),
    ],
    "Hooli": [
        ("Gavin", "Belson", "CEO"),
        ("Jack", "Barker", "VP Sales Engineering"),
        ("Denpok", "Singh", "Director of Developer Experience"),
        ("Patrice", "Lee", "Head of Security"),
        ("Hoover", "Hooli", "Senior Manager IT"),
    ],
    "Initech": [("Bill", "Lumbergh", "Director of IT")],
    "Umbrella Labs": [("Alice", "Abernathy", "Head of Engineering")],
    "Springfield County": [("Joe", "Quimby", "IT Director")],
    "Vandelay Industries": [("Art", "Vandelay", "Managing Director")],
}


def seed_accounts(users, now) -> dict[str, Account]:
    countries = {c.iso2: c for c in Country.objects.select_related("region")}
    accounts = {}
    for name, domain, employees, iso2, extra in ACCOUNTS:
        account = Account.objects.filter(name=name).first()
        if account is None:
            extra = dict(extra)
            owner = extra.pop("owner")
            bdr = extra.pop("bdr_assigned", None)
            aw_days = extra.pop("aw_days", None)
            country = countries[iso2]
            account = Account.objects.create(
                name=name,
                domain=domain,
                website=f"https://www.{domain}",
                employees=employees,
                country=country,
                region=country.region,
                owner=users.get(owner) or User.objects.queue(owner),
                bdr_assigned=users.get(bdr) if bdr else None,
                segment=segment_for_employees(employees),
                actively_working_since=now - datetime.timedelta(days=aw_days) if aw_days else None,
                normalized_name=normalize_company(name),
                first_order_available=extra.get("type") != AccountType.CUSTOMER,
                **extra,
            )
            account.ultimate_parent = account
            account.save(update_fields=["ultimate_parent"])
        accounts[name] = account
    return accounts


def seed_people(users, accounts, now) -> dict[str, list[Contact]]:
    source = InitialSource.objects.get(name="Prospecting")
    people = {}
    for account_name, names in PEOPLE.items():
        account = accounts[account_name]
        owner = account.contact_owner
        found = []
        for first, last, title in names:
            email = f"{first}.{last}@{account.domain}".lower()
            contact = Contact.objects.filter(email=email).first()
            if contact is None:
                contact = Contact.objects.create(
                    account=account,
                    first_name=first,
                    last_name=last,
                    title=title,
                    email=email,
                    email_domain=account.domain,
                    phone="+1 555 0100",
                    initial_source=source,
                    status=PersonStatus.ACCEPTED,
                    owner=owner,
                    country=account.country,
                    region=account.region,
                    created_at=now - datetime.timedelta(days=60),
                )
            found.append(contact)
        people[account_name] = found
    return people


def _activity(**kw):
    """A named activity, found again by its subject, author and records (its time moves with
    "now"); a user's own activity with the same subject is never taken for it."""
    kw.setdefault("direction", Direction.OUTBOUND)
    kw["is_sales"] = True
    key = {k: kw[k] for k in ("subject", "logged_by", "kind") if k in kw}
    key.update({k: kw.get(k) for k in ("lead", "contact", "account", "opportunity")})
    found = Activity.objects.filter(**key).order_by("id").first()
    return found or Activity.objects.create(**kw)


def seed_activity(users, accounts, people, now):
    sequence, _ = Sequence.objects.get_or_create(
        name="AMER Enterprise Outbound (high touch)",
        defaults={
            "touch": Touch.HIGH,
            "region": accounts["Globex Corporation"].region,
            "steps": 8,
            "length_days": 21,
        },
    )
    Sequence.objects.get_or_create(
        name="EMEA Inbound Follow-up (high touch)",
        defaults={"touch": Touch.HIGH, "steps": 6, "length_days": 14},
    )
    Sequence.objects.get_or_create(
        name="Nurture (low touch)", defaults={"touch": Touch.LOW, "steps": 4, "length_days": 30}
    )
    for account_name, started_days in (("Globex Corporation", 15), ("Hooli", 35)):
        for contact in people[account_name]:
            if not Enrollment.objects.filter(
                contact=contact, state=EnrollmentState.ACTIVE
            ).exists():
                Enrollment.objects.create(
                    contact=contact,
                    sequence=sequence,
                    enrolled_by=users["bdr.amer1"],
                    state=EnrollmentState.ACTIVE,
                    started_at=now - datetime.timedelta(days=started_days),
                    step=3,
                    next_step_due=now + datetime.timedelta(days=2),
                )
    globex = accounts["Globex Corporation"]
    # bdr.amer1 logged a call on Globex 5 days ago.
    _activity(
        kind=ActivityKind.CALL,
        account=globex,
        logged_by=users["bdr.amer1"],
        subject="Call with Globex platform team",
        two_way=False,
        occurred_at=(now - datetime.timedelta(days=5)).replace(microsecond=0),
    )
    hooli = accounts["Hooli"]
    # The last sales activity at Hooli or any of its people: 45 days ago.
    _activity(
        kind=ActivityKind.EMAIL,
        contact=people["Hooli"][1],
        account=hooli,
        logged_by=users["bdr.amer1"],
        subject="Intro e-mail to Hooli",
        occurred_at=(now - datetime.timedelta(days=45)).replace(microsecond=0),
    )


def seed_opportunities(users, accounts, people, now):
    """The named opportunities of CONTRACT 4."""
    today = timezone.localdate(now)
    _seed_globex_pending(users, accounts["Globex Corporation"], people, now, today)
    _seed_hooli_pre(users, accounts["Hooli"], now, today)
    _seed_umbrella_web_direct(users, accounts["Umbrella Labs"], people, now)


def _seed_globex_pending(users, globex, people, now, today):
    """Globex - Platform Expansion: 0-Pending Acceptance with a two-way call 3 days ago."""
    if Opportunity.objects.filter(name="Globex - Platform Expansion").exists():
        return
    created = now - datetime.timedelta(days=12)
    pending = Opportunity.objects.create(
        name="Globex - Platform Expansion",
        account=globex,
        owner=users["ae.amer1"],
        sdr_bdr=users["bdr.amer1"],
        stage=Stage.PENDING,
        order_type=OrderType.SALES_ASSISTED,
        iacv=Decimal("50000"),
        amount=Decimal("50000"),
        close_date=today + datetime.timedelta(days=90),
        source=InitialSource.objects.get(name="Prospecting"),
        sales_qualification_source="BDR Generated",
        right_person_confirmed=True,
        business_problem="Three CI systems and slow releases; wants one platform.",
        seats=400,
        deployment_preference="Self-managed",
        technology_stack="Jenkins, Bitbucket, Jira",
        competition="GitHub",
        next_step="Discovery call with VP Engineering",
        next_step_date=today + datetime.timedelta(days=4),
        stage_changed_at=now - datetime.timedelta(days=10),
    )
    Opportunity.objects.filter(pk=pending.pk).update(created_at=created)
    StageChange.objects.create(
        opportunity=pending,
        to_stage=Stage.PRE,
        changed_by=users["bdr.amer1"],
        changed_at=created,
    )
    StageChange.objects.create(
        opportunity=pending,
        from_stage=Stage.PRE,
        to_stage=Stage.PENDING,
        changed_by=users["bdr.amer1"],
        changed_at=now - datetime.timedelta(days=10),
    )
    contact = people["Globex Corporation"][0]
    OpportunityContactRole.objects.create(opportunity=pending, contact=contact, is_primary=True)
    _activity(
        kind=ActivityKind.CALL,
        contact=contact,
        account=globex,
        opportunity=pending,
        logged_by=users["bdr.amer1"],
        two_way=True,
        subject="Connected call: Globex platform consolidation",
        occurred_at=(now - datetime.timedelta(days=3)).replace(microsecond=0),
    )
    Task.objects.create(
        subject="Prepare discovery agenda for Globex",
        opportunity=pending,
        owner=users["ae.amer1"],
        due_date=today,
    )


def _seed_hooli_pre(users, hooli, now, today):
    """Hooli - New Business: 00-Pre Opportunity, never accepted."""
    if Opportunity.objects.filter(name="Hooli - New Business").exists():
        return
    opp = Opportunity.objects.create(
        name="Hooli - New Business",
        account=hooli,
        owner=users["ae.amer1"],
        stage=Stage.PRE,
        order_type=OrderType.SALES_ASSISTED,
        iacv=Decimal("20000"),
        amount=Decimal("20000"),
        close_date=today + datetime.timedelta(days=120),
        stage_changed_at=now - datetime.timedelta(days=6),
    )
    StageChange.objects.create(
        opportunity=opp,
        to_stage=Stage.PRE,
        changed_by=users["ae.amer1"],
        changed_at=now - datetime.timedelta(days=6),
    )


def _seed_umbrella_web_direct(users, umbrella, people, now):
    """Umbrella - Web Direct: closed won 10 days ago with the SDR's earlier call and note."""
    if Opportunity.objects.filter(name="Umbrella - Web Direct").exists():
        return
    created = now - datetime.timedelta(days=10)
    buyer = people["Umbrella Labs"][0]
    opp = Opportunity.objects.create(
        name="Umbrella - Web Direct",
        account=umbrella,
        owner=users["ae.amer1"],
        stage=Stage.CLOSED_WON,
        order_type=OrderType.WEB_DIRECT,
        iacv=Decimal("12000"),
        amount=Decimal("12000"),
        close_date=timezone.localdate(created),
        source=InitialSource.objects.get(name="Web Direct"),
        edition="Premium",
        po_expected=False,
        closed_won_details="Web direct order INV-DEMO-0001",
        stage_changed_at=created,
        closed_at=created,
    )
    Opportunity.objects.filter(pk=opp.pk).update(created_at=created)
    StageChange.objects.create(
        opportunity=opp,
        to_stage=Stage.CLOSED_WON,
        changed_at=created,
        reason="Web direct order INV-DEMO-0001",
    )
    OpportunityContactRole.objects.create(
        opportunity=opp, contact=buyer, is_primary=True, is_bill_to=True, is_sold_to=True
    )
    call_at = (created - datetime.timedelta(days=20)).replace(microsecond=0)
    call = _activity(
        kind=ActivityKind.CALL,
        contact=buyer,
        account=umbrella,
        logged_by=users["sdr.amer1"],
        two_way=True,
        subject="Connected call with Umbrella's head of engineering",
        occurred_at=call_at,
    )
    QualificationNote.objects.create(
        contact=buyer,
        author=users["sdr.amer1"],
        activity=call,
        written_at=call_at,
        body="Call: 12 developers outgrowing the free tier; needs approvals and SSO; "
        "will buy Premium online this month.",
    )


@transaction.atomic
def seed_named(now=None) -> None:
    now = now or timezone.now()
    users = seed_users()
    accounts = seed_accounts(users, now)
    people = seed_people(users, accounts, now)
    seed_activity(users, accounts, people, now)
    seed_opportunities(users, accounts, people, now)
