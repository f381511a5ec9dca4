"""ROUTE-1..4: gather the facts for `routing.decide` in a fixed number of queries, hand out
pool slots under a row lock (ROUTE-3), stamp the SLA (ROUTE-4), persist the decision with the
owner change in history, and notify through the chatter service."""
import copy
import datetime
import threading
import time

from django.db import transaction
from django.db.models import Case, Exists, F, Max, OuterRef, Q, Subquery, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import Account, Contact
from gtm_portal.activity.enums import EnrollmentState, TaskStatus
from gtm_portal.activity.models import Activity, Enrollment, Task
from gtm_portal.core import history
from gtm_portal.core.bulk import bulk_insert_rows, bulk_update_rows
from gtm_portal.core.business_time import add_business_days, add_business_minutes, calendar_for
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.core.services import touch
from gtm_portal.core.sqlrows import ModelRows
from gtm_portal.refdata.enums import WordList
from gtm_portal.refdata.models import Holiday, Region, WordListEntry
from gtm_portal.users.models import User

from .. import round_robin, routing
from ..enums import ROUTING_WEIGHTS, FormKind
from ..models import Lead, PoolMember, RoutingDecision, RoutingPool

SLA_MQL_MINUTES = 60
CONTACT_US_OR_PS = (FormKind.CONTACT_US, FormKind.PROFESSIONAL_SERVICES)


class RoutingContext:
    """Reference data routing reads, loaded once per batch."""

    def __init__(self):
        words = dict.fromkeys(WordList.values, ())
        lists: dict[str, list[str]] = {}
        for kind, value in WordListEntry.objects.values_list("list", "value"):
            lists.setdefault(kind, []).append(value)
        words.update({k: tuple(v) for k, v in lists.items()})
        self.rules = routing.Rules(
            pubsec_words=tuple(words[WordList.PUBSEC]),
            free_domains=frozenset(v.lower() for v in words[WordList.FREE_DOMAIN]))
        self.blocked = frozenset(v.lower() for v in words[WordList.BLOCKED_DOMAIN])
        self._queues = {u.display_name: u for u in User.objects.queues()}
        self.pools: dict | None = None       # name → active pool, when preloaded (refcache)
        self.holidays: tuple | None = None   # (day loaded, region id → dates), when preloaded

    def queue(self, name: str) -> User:
        return self._queues[name]


def _who(user) -> routing.Who | None:
    if user is None:
        return None
    if user.is_queue:
        return routing.Who(queue=user.display_name, id=user.pk)
    return routing.Who(username=user.username, id=user.pk)


def _days_ago(moment, now) -> float | None:
    return None if moment is None else (now - moment).total_seconds() / 86400


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)


def _micros(moment) -> int | None:
    """A moment as whole microseconds since the epoch (what the related-people query
    returns: thousands of rows need no timestamp parsing)."""
    return None if moment is None else (moment - EPOCH) // MICROSECOND


def _days_ago_micros(micros: int | None, now_micros: int) -> float | None:
    """`_days_ago` from microseconds: the same float, bit for bit."""
    return None if micros is None else (now_micros - micros) / 10**6 / 86400


def person_facts(person, form_kind, ctx: RoutingContext) -> routing.PersonFacts:
    region = person.region.top.code if person.region_id else ""
    return routing.PersonFacts(
        kind="contact" if isinstance(person, Contact) else "lead", status=person.status,
        title=person.title, form=form_kind, country=person.country.name if person.country_id else "",
        region=region, company=getattr(person, "company", "") or (
            person.account.name if isinstance(person, Contact) else ""),
        description=person.description, employees=person.employees,
        email_domain=person.email_domain,
        partner_prospecting_status=person.partner_prospecting_status, is_hot=person.is_hot,
        blocked_domain=bool(person.email_domain) and person.email_domain in ctx.blocked)


def account_for(person) -> Account | None:
    account_id = _account_id(person)
    if not account_id:
        return None
    return _accounts([account_id]).get(account_id)


def _account_id(person) -> int | None:
    return person.account_id if isinstance(person, Contact) else person.matched_account_id


def _accounts(ids) -> dict[int, Account]:
    return (Account.objects.select_related("owner", "bdr_assigned", "bdr_assigned__manager",
                                           "csm").in_bulk(list(ids))) if ids else {}


def account_facts(account: Account, now) -> routing.AccountFacts:
    return account_facts_many([account], now)[account.pk]


def account_facts_many(accounts, now) -> dict[int, routing.AccountFacts]:
    """ROUTE-2 account facts for many accounts, with (in three grouped queries, for the
    accounts step 8 reads it of) the latest sales activity by the account's BDR and by
    anybody on a person there (linked to the account, one of its contacts, or a lead matched
    to it) in the last 30 days."""
    accounts = {a.pk: a for a in accounts}
    if not accounts:
        return {}
    since = now - datetime.timedelta(days=routing.ACTIVITY_DAYS)
    recent = Activity.objects.filter(is_sales=True, occurred_at__gte=since).order_by()
    person_linked = Q(contact__isnull=False) | Q(lead__isnull=False)
    worked = [pk for pk, a in accounts.items()
              if routing.reads_sales_activity(a.bdr_prospecting_status, a.bdr_assigned_id)]
    bdr, people = {}, {}
    for path in ("account", "contact__account", "lead__matched_account") if worked else ():
        rows = (recent.filter(**{f"{path}_id__in": worked}).values(f"{path}_id")
                .annotate(bdr=Max("occurred_at",
                                  filter=Q(logged_by_id=F(f"{path}__bdr_assigned_id"))),
                          people=Max("occurred_at", filter=person_linked))
                .values_list(f"{path}_id", "bdr", "people"))
        for account_id, last_bdr, last_people in rows:
            bdr[account_id] = _latest(bdr.get(account_id), last_bdr)
            people[account_id] = _latest(people.get(account_id), last_people)
    out = {}
    for pk, account in accounts.items():
        customer = not account.first_order_available or account.type == "Customer"
        out[pk] = routing.AccountFacts(
            name=account.name, id=account.pk, segment=account.segment, customer=customer,
            paid_tier=account.paid_tier, owner=_who(account.owner),
            bdr_assigned=_who(account.bdr_assigned),
            bdr_manager=_who(account.bdr_assigned.manager) if account.bdr_assigned_id else None,
            csm=_who(account.csm), bps=account.bdr_prospecting_status,
            public_sector=account.is_public_sector,
            bdr_sales_activity_days_ago=_days_ago(bdr.get(pk), now),
            people_sales_activity_days_ago=_days_ago(people.get(pk), now))
    return out


def _latest(a, b):
    return b if a is None else a if b is None else max(a, b)


RELATED_LIMIT = 50


def related_people(person, account, ctx: RoutingContext, now) -> list[routing.Related]:
    return related_people_many([(person, account)], ctx, now)[0]


def related_people_many(items, ctx: RoutingContext, now) -> list[list[routing.Related]]:
    """ROUTE-2 step 10 facts: other people at the account, or with the same company e-mail
    domain when there is no account — for many people at once (one query per kind and
    scope, whatever their number, each row with its latest sales activity and open task)."""
    account_ids = {a.pk for _p, a in items if a is not None}
    domains = {p.email_domain for p, a in items
               if a is None and p.email_domain and p.email_domain not in ctx.rules.free_domains}
    since = now - datetime.timedelta(days=routing.ACTIVITY_DAYS)
    today = timezone.localdate(now)
    by_account: dict[int, dict] = {}
    by_domain: dict[str, dict] = {}
    whos: dict = {}
    now_micros = _micros(now)
    kinds = ((Lead, "lead", "matched_account_id"), (Contact, "contact", "account_id"))
    for values, target, fields in ((account_ids, by_account, [k[2] for k in kinds]),
                                   (domains, by_domain, ["email_domain"] * 2)):
        if not values:
            continue
        # One statement per scope: leads' rows, then contacts' (Q-PERF).
        parts = [(model, kind, field) for (model, kind, _a), field in zip(kinds, fields, strict=True)]
        for kind, pk, key, status, mql_micros, owner_id, username, sales_micros, has_task in (
                _related_rows_of_kinds(parts, values, since, today)):
            who = whos.get(owner_id)
            if who is None:
                who = whos[owner_id] = routing.Who(username=username, id=owner_id)
            target.setdefault(key, {}).setdefault(kind, []).append((pk, routing.Related(
                owner=who, status=status,
                sales_activity_days_ago=_days_ago_micros(sales_micros, now_micros),
                open_future_task=bool(has_task),
                mql_days_ago=_days_ago_micros(mql_micros, now_micros))))
    out = []
    for person, account in items:
        if account is not None:
            scope = by_account.get(account.pk, {})
        elif person.email_domain in domains:
            scope = by_domain.get(person.email_domain, {})
        else:
            out.append([])
            continue
        own_kind = type(person).__name__.lower()
        # Leads first, then contacts, each oldest MQL first (as the decision reads them).
        related = []
        for kind in ("lead", "contact"):
            rows = scope.get(kind, ())
            facts = [fact for pk, fact in rows if pk != person.pk or kind != own_kind]
            related += facts[:RELATED_LIMIT]
        out.append(related)
    return out


RELATED_STATUSES = (S.ACCEPTED, S.QUALIFYING, S.MQL)
WORKED_STATUSES = (S.ACCEPTED, S.QUALIFYING)   # step 10 reads activity and tasks of these only


def _related_rows(model, kind: str, field: str, values, since, today) -> list[tuple]:
    """At most RELATED_LIMIT (+1: the person asking may be among them) people per account
    (or e-mail domain), oldest MQL first, whose owner is a person: (pk, key, status,
    MQL date, owner id, owner username, latest sales activity since `since`, an open task
    due `today` or later — the last two for Accepted/Qualifying people, the only ones step 10
    asks about); moments as microseconds since the epoch. On PostgreSQL a LATERAL top-N per key walks the partial (key, mql_date, id)
    index, then probes the person's activity and task indexes; elsewhere a row_number
    window with the same subqueries."""
    from django.db import connection

    limit = RELATED_LIMIT + 1
    if connection.vendor == "postgresql":
        sql, params = _related_sql(model, kind, field, values, since, today)
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} ORDER BY r.mql_date, r.id", params)
            return cursor.fetchall()
    rank = Window(RowNumber(), partition_by=[F(field)],
                  order_by=[F("mql_date").asc(), F("pk").asc()])
    last_sales = (Activity.objects.filter(**{kind: OuterRef("pk")}, is_sales=True,
                                          occurred_at__gte=since)
                  .order_by("-occurred_at").values("occurred_at")[:1])
    open_task = Exists(Task.objects.filter(**{kind: OuterRef("pk")}, status=TaskStatus.OPEN,
                                           due_date__gte=today))
    worked = Q(status__in=WORKED_STATUSES)
    rows = (model.objects.filter(**{f"{field}__in": values}, merged_into__isnull=True,
                                 status__in=RELATED_STATUSES, owner__kind="person")
            .annotate(rank=rank).filter(rank__lte=limit).order_by("mql_date", "pk")
            .annotate(last_sales=Case(When(worked, then=Subquery(last_sales))),
                      open_task=Case(When(worked, then=open_task), default=Value(False)))
            .values_list("pk", field, "status", "mql_date", "owner_id", "owner__username",
                         "last_sales", "open_task"))
    return [(pk, key, status, _micros(mql_date), owner_id, username, _micros(last_sales), task)
            for pk, key, status, mql_date, owner_id, username, last_sales, task in rows]


def _related_sql(model, kind: str, field: str, values, since, today,
                 head: str = "") -> tuple[str, list]:
    """`_related_rows`' PostgreSQL statement without its ORDER BY (`head`: columns put
    first): each row (pk, key, status, mql, owner_id, username, sales, task) as named."""
    from django.db import connection

    limit = RELATED_LIMIT + 1
    key_field = model._meta.get_field(field)
    column = key_field.column
    key_type = key_field.db_type(connection) if key_field.is_relation else "text"
    table = model._meta.db_table
    users = User._meta.db_table
    activities, tasks = Activity._meta.db_table, Task._meta.db_table
    activity_fk = Activity._meta.get_field(kind).column
    task_fk = Task._meta.get_field(kind).column
    sql = (f"SELECT {head}r.id AS pk, k.v AS key, r.status AS status,"
           f"  (extract(epoch FROM r.mql_date) * 1000000)::bigint AS mql,"
           f"  r.owner_id AS owner_id, r.username AS username,"
           f"  CASE WHEN r.status = ANY(%s) THEN (extract(epoch FROM ("
           f"    SELECT a.occurred_at FROM {activities} a"
           f"    WHERE a.{activity_fk} = r.id AND a.occurred_at >= %s AND a.is_sales"
           f"    ORDER BY a.occurred_at DESC LIMIT 1)) * 1000000)::bigint END AS sales,"
           f"  CASE WHEN r.status = ANY(%s) THEN (SELECT true FROM {tasks} t"
           f"    WHERE t.{task_fk} = r.id AND t.status = %s AND t.due_date >= %s LIMIT 1)"
           f"  END AS task "
           f"FROM unnest(%s::{key_type}[]) AS k(v) CROSS JOIN LATERAL ("
           f"  SELECT p.id, p.status, p.mql_date, p.owner_id, u.username FROM {table} p"
           f"  JOIN {users} u ON u.id = p.owner_id"
           f"  WHERE p.{column} = k.v AND p.merged_into_id IS NULL"
           f"    AND p.status = ANY(%s) AND u.kind = 'person'"
           f"  ORDER BY p.mql_date, p.id LIMIT {limit}) r")
    worked = list(WORKED_STATUSES)
    return sql, [worked, since, worked, TaskStatus.OPEN, today, list(values),
                 list(RELATED_STATUSES)]


def _related_rows_of_kinds(parts, values, since, today) -> list[tuple]:
    """`_related_rows` of several kinds over the same keys, as (kind, *row): each kind's
    rows in turn, in the order `_related_rows` gives them. On PostgreSQL one statement (the
    kinds' statements under UNION ALL, ordered by kind, MQL date and id)."""
    from django.db import connection

    if connection.vendor != "postgresql" or len(parts) < 2:
        return [(kind, *row) for model, kind, field in parts
                for row in _related_rows(model, kind, field, values, since, today)]
    selects, params = [], []
    for i, (model, kind, field) in enumerate(parts):
        sql, part_params = _related_sql(model, kind, field, values, since, today,
                                        head=f"{i} AS part, r.mql_date AS m, ")
        selects.append(f"({sql})")
        params += part_params
    kinds = " ".join(f"WHEN {i} THEN '{kind}'" for i, (_m, kind, _f) in enumerate(parts))
    sql = (f"SELECT CASE u.part {kinds} END, u.pk, u.key, u.status, u.mql, u.owner_id,"
           f" u.username, u.sales, u.task FROM ({' UNION ALL '.join(selects)}) AS u"
           f" ORDER BY u.part, u.m, u.pk")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def is_available(member: PoolMember, today) -> bool:
    """REF-6: active, a live user, and not out of office today."""
    out = (member.out_of_office_from and member.out_of_office_from <= today
           and (member.out_of_office_until is None or today <= member.out_of_office_until))
    return member.active and member.user.is_active and not out


class PoolHandout:
    """ROUTE-3 for a batch: each pool's member rows are locked once (two concurrent batches
    never hand out the same slot), members are picked one after the other by the pure
    weighted round robin, and the counts are written once at the end."""

    def __init__(self, today, *, dry_run: bool = False, known_pools: dict | None = None):
        self.today, self.dry_run = today, dry_run
        self.known = known_pools
        self.pools: dict[str, tuple] = {}

    def _load(self, pool_name: str):
        if pool_name not in self.pools:
            pool = (self.known.get(pool_name) if self.known is not None else
                    RoutingPool.objects.filter(name=pool_name, active=True).first())
            members = []
            if pool is not None:
                qs = PoolMember.objects.filter(pool=pool)
                if not self.dry_run:
                    qs = qs.select_for_update(of=("self",))
                members = [m for m in qs.select_related("user", "user__region",
                                                        "user__region__parent").order_by("id")
                           if is_available(m, self.today)]
            self.pools[pool_name] = (pool, members, {})
        return self.pools[pool_name]

    def take(self, pool_name: str) -> tuple[User | None, RoutingPool | None, str]:
        pool, available, added = self._load(pool_name)
        if pool is None:
            return None, None, f"Pool {pool_name} is missing or inactive."
        slots = [round_robin.Slot(key=m.pk, weight=ROUTING_WEIGHTS.get(m.level, 0),
                            assigned=m.assigned + added.get(m.pk, 0)) for m in available]
        chosen_id = round_robin.pick(slots)
        if chosen_id is None:
            return None, pool, f"Pool {pool_name} has no available member with a weight above 0."
        added[chosen_id] = added.get(chosen_id, 0) + 1
        member = next(m for m in available if m.pk == chosen_id)
        share = ", ".join(f"{m.user.username} {m.level} {m.assigned + added.get(m.pk, 0)}"
                          for m in available)
        return member.user, pool, (f"Weighted round robin in {pool_name}: {member.user.username} "
                                   f"is furthest behind their share (hand-outs: {share}).")

    def users(self) -> list[User]:
        return [m.user for _pool, members, _added in self.pools.values() for m in members]

    def save(self, now) -> None:
        if self.dry_run:
            return
        for _pool, available, added in self.pools.values():
            changed = [m for m in available if added.get(m.pk)]
            for m in changed:
                m.assigned += added[m.pk]
                m.last_assigned_at = now
            if changed:
                PoolMember.objects.bulk_update(changed, ["assigned", "last_assigned_at"])


def take_pool_slot(pool_name: str, today, *, dry_run: bool = False
                   ) -> tuple[User | None, RoutingPool | None, str]:
    """ROUTE-3 for one hand-out (the preview passes dry_run: nothing locked or counted)."""
    handout = PoolHandout(today, dry_run=dry_run)
    result = handout.take(pool_name)
    handout.save(timezone.now())
    return result


class SlaCalendars:
    """ROUTE-4 calendars: each owner's hours and time zone with their region's holidays,
    read once per batch."""

    def __init__(self, now, known: tuple | None = None):
        self.now = now
        self._holidays: dict[int, set] = {}
        self._due: dict = {}
        self._known = None
        if known is not None and known[0] == timezone.localdate(now):
            self._known = known[1]

    def holidays_for(self, owners) -> None:
        regions = {o.region.top.pk for o in owners if o is not None and not o.is_queue
                   and o.region_id} - set(self._holidays)
        if self._known is not None:
            for region_id in regions:
                self._holidays[region_id] = self._known.get(region_id, set())
            return
        if not regions:
            return
        for region_id in regions:
            self._holidays[region_id] = set()
        rows = Holiday.objects.filter(region_id__in=regions, date__gte=self.now.date(),
                                      date__lte=self.now.date() + datetime.timedelta(days=60))
        for region_id, day in rows.values_list("region_id", "date"):
            self._holidays[region_id].add(day)

    def calendar(self, owner):
        self.holidays_for([owner])
        region = owner.region.top.pk if owner.region_id else None
        return calendar_for(owner, self._holidays.get(region, set()))

    def due(self, owner, now, *, hot: bool, hand_raise: bool) -> datetime.datetime | None:
        """The deadline for one owner, worked out once per owner and kind of deadline: a
        batch shares one `now`."""
        key = (owner.pk, now, hot, hand_raise)
        if key not in self._due:
            deadlines = []
            if hot or hand_raise:
                cal = self.calendar(owner)
                if hot:
                    deadlines.append(add_business_minutes(now, SLA_MQL_MINUTES, cal))
                if hand_raise:
                    deadlines.append(add_business_days(now, 1, cal))
            self._due[key] = min(deadlines) if deadlines else None
        return self._due[key]


def sla_due(person, form_kind, owner: User, now, calendars: SlaCalendars | None = None
            ) -> datetime.datetime | None:
    """ROUTE-4: MQL and hot leads — 60 business minutes; contact-us and professional
    services — 1 business day; when both apply the earlier deadline holds."""
    if owner is None or owner.is_queue:
        return None
    return (calendars or SlaCalendars(now)).due(
        owner, now, hot=person.status == S.MQL or person.is_hot,
        hand_raise=form_kind in CONTACT_US_OR_PS)


def preview(person, form_kind: str | None, now=None) -> dict:
    """The routing preview: the same facts and the same pure decision, nothing written."""
    ctx = RoutingContext()
    now = now or timezone.now()
    account = account_for(person) if person.pk else getattr(person, "preview_account", None)
    facts = person_facts(person, form_kind, ctx)
    a_facts = account_facts(account, now) if account else None
    related = related_people(person, account, ctx, now) if person.pk or account else []
    decision = routing.decide(facts, a_facts, related, ctx.rules)
    explanation = list(decision.explanation)
    owner = None
    if decision.pool:
        owner, _pool, line = take_pool_slot(decision.pool, timezone.localdate(now), dry_run=True)
        explanation.append(line.replace("is furthest", "would be next: furthest"))
    elif decision.owner is not None:
        owner = (ctx.queue(decision.owner.queue) if decision.owner.queue else
                 User.objects.filter(username=decision.owner.username).first())
    return {"decision": decision, "owner": owner, "explanation": explanation,
            "account": account, "facts": facts}


def route_person(*, person, trigger: str, form_kind: str | None = None, by=None,
                 ctx: RoutingContext | None = None, now=None) -> RoutingDecision:
    """ROUTE-1 for one person (intake, re-route, merge): a batch of one."""
    return route_people([person], trigger=trigger, form_kind=form_kind, by=by, ctx=ctx,
                        now=now)[0]


def route_people(people, *, trigger: str, form_kind: str | None = None, by=None,
                 ctx: RoutingContext | None = None, now=None, model=None, fresh: bool = False,
                 insert=None) -> list[RoutingDecision]:
    """ROUTE-1: decide, assign, stamp the SLA, store and explain; notify after commit — for
    any number of leads (or contacts) of one kind in a fixed number of queries. Returns the
    stored decisions in the order given. `people` are Lead or Contact objects, or the
    primary keys of `model`'s rows (re-scores, imports): then each decision's person is read
    with the columns routing reads only, the others loading when touched. `fresh`: the
    caller inserted these people in its (open) transaction, or locked and read them whole
    in it (`services.lock_person`), with their country, region and initial source objects
    attached — nobody else can change the rows, so they are routed as given (no re-read,
    no second lock) and inside the caller's transaction (no savepoint). `insert`: the people
    are new, not in the database yet (intake's new lead, scored in memory; implies `fresh`):
    each pass decides and stamps its people's owner and SLA, then calls `insert(people)`,
    which writes them — one INSERT with the routing in it, no UPDATE after — and returns the
    field-history rows it has for them, written with routing's own in one statement."""
    fresh = fresh or insert is not None
    with transaction.atomic(savepoint=not fresh):
        people = list(people)
        if not people:
            return []
        ctx = ctx or RoutingContext()
        now = now or timezone.now()
        if fresh:
            model, persons = model or type(people[0]), people
        else:
            if model is None:
                model, ids, columns = type(people[0]), [p.pk for p in people], None
            else:
                ids, columns = people, ROUTING_COLUMNS + EXTRA_COLUMNS[model]
            loaded = _lock_and_load(model, ids, columns)
            persons = [loaded[pk] for pk in ids]
        batch = _Batch(ctx, now)
        rows = {}   # by person object: new people have no primary key until inserted
        for group in _passes(persons, ctx):
            for row in _route_pass(group, model, trigger=trigger, form_kind=form_kind, by=by,
                                   ctx=ctx, now=now, batch=batch, insert=insert):
                rows[id(row.person_obj)] = row
        batch.handout.save(now)
        return [rows[id(p)] for p in persons]


class _Batch:
    """What the passes of one batch share: the pool hand-out (members locked and counted
    once, written at the end), the SLA calendars and the users read so far."""

    def __init__(self, ctx: RoutingContext, now):
        self.handout = PoolHandout(timezone.localdate(now), known_pools=ctx.pools)
        self.calendars = SlaCalendars(now, ctx.holidays)
        self.users: dict = {}   # by id and by username
        self.shown: dict = {}   # (field, raw value) → how history shows it

    def load_users(self, ids: set, names: set) -> None:
        ids, names = ids - self.users.keys(), names - self.users.keys()
        if not ids and not names:
            return
        for u in known_users(ids, names):
            self.users[u.pk] = self.users[u.username] = u

    def display_before(self, person, fields, before: dict) -> dict:
        """`history.display_snapshot`, each value worked out once per batch."""
        out = {}
        for name in fields:
            key = (name, before[name])
            if key not in self.shown:
                self.shown[key] = history.display_value(person, name)
            out[name] = self.shown[key]
        return out


_known: dict = {"gen": None, "at": 0.0, "users": {}}
_known_lock = threading.Lock()
KNOWN_USERS_TTL = 30


def known_users(ids, names) -> list:
    """`users_with_regions`, from a per-process store of the users routing has read: kept
    while no user or region is saved or deleted (the users snapshot's generation token,
    `core.labels`) and for at most 30 seconds, like the other reference snapshots. Intake
    routes to a handful of owners over and over; each submission read them again (Q-PERF).
    Each call gets its own copies (the region objects are shared, read only)."""
    from gtm_portal.core.labels import users_generation

    gen, now = users_generation(), time.monotonic()
    with _known_lock:
        if _known["gen"] != gen or now - _known["at"] > KNOWN_USERS_TTL:
            _known.update(gen=gen, at=now, users={})
        store = _known["users"]
        missing_ids = {pk for pk in ids if pk not in store}
        missing_names = {n for n in names if n not in store}
    if missing_ids or missing_names:
        found = users_with_regions(missing_ids, missing_names)
        with _known_lock:
            if _known["gen"] == gen:
                for u in found:
                    store[u.pk] = store[u.username] = u
        got = {u.pk: u for u in found}
    else:
        got = {}
    for key in (*ids, *names):
        user = store.get(key)
        if user is not None:
            got.setdefault(user.pk, user)
    return [copy.copy(u) for u in got.values()]


def users_with_regions(ids, names) -> list:
    """The users with these ids or usernames, each with its region and the region's parent
    attached — what `User.objects.select_related("region", "region__parent")
    .filter(Q(pk__in=ids) | Q(username__in=names))` gives — in SQL written once, the values
    converted as the ORM converts them (Q-PERF: routing asks it for every submission)."""
    from django.db import connection

    qn = connection.ops.quote_name
    users, regions = ModelRows.of(User), ModelRows.of(Region)
    columns = ", ".join(reader.columns(alias) for alias, reader in
                        (("u", users), ("r", regions), ("p", regions)))
    where, params = [], []
    for field, values in (("id", list(ids)), ("username", list(names))):
        if values:
            where.append(f"u.{qn(User._meta.get_field(field).column)} IN"
                         f" ({', '.join(['%s'] * len(values))})")
            params += values
    if not where:
        return []
    region = User._meta.get_field("region")
    parent = Region._meta.get_field("parent")
    region_pk = qn(Region._meta.pk.column)
    sql = (f"SELECT {columns} FROM {qn(User._meta.db_table)} u"
           f" LEFT OUTER JOIN {qn(Region._meta.db_table)} r"
           f" ON r.{region_pk} = u.{qn(region.column)}"
           f" LEFT OUTER JOIN {qn(Region._meta.db_table)} p"
           f" ON p.{region_pk} = r.{qn(parent.column)}"
           f" WHERE {' OR '.join(where)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    n_user, n_region = len(users.fields), len(regions.fields)
    out = []
    for row in rows:
        user = users.build(row[:n_user])
        region_obj = None
        if row[n_user] is not None:
            region_obj = regions.build(row[n_user:n_user + n_region])
            parent_values = row[n_user + n_region:]
            parent_obj = regions.build(parent_values) if parent_values[0] is not None else None
            parent.set_cached_value(region_obj, parent_obj)
        region.set_cached_value(user, region_obj)
        out.append(user)
    return out


PERSON_LINKS = ("country", "region", "owner", "updated_by", "initial_source")
# What routing reads and writes of a person (`route_people` given primary keys).
ROUTING_COLUMNS = ("version", "first_name", "last_name", "email_domain", "title", "country",
                   "region", "description", "employees", "status", "owner", "is_hot",
                   "sla_due", "partner_prospecting_status", "updated_by", "updated_at")
EXTRA_COLUMNS = {Lead: ("company", "matched_account"), Contact: ("account",)}


def _lock_and_load(model, ids, columns=None) -> dict:
    """Lock the people's rows in id order (two batches never wait on each other crosswise)
    and read them as locked (all columns, or `columns`); the few rows they point at
    (countries, regions, owners, ...) are read once each and shared instead of joined onto
    every person."""
    qs = model.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    if columns is not None:
        qs = qs.only(*columns)
    people = list(qs)
    links = [model._meta.get_field(name)
             for name in PERSON_LINKS + (("account",) if model is Contact else ())
             if columns is None or name in columns]
    wanted: dict = {}
    for field in links:
        wanted.setdefault(field.related_model, set()).update(
            getattr(p, field.attname) for p in people)
    found = {}
    for related, pks in wanted.items():
        pks.discard(None)
        qs = related._base_manager.all()
        if related is Region:
            qs = qs.select_related("parent")
        found[related] = qs.in_bulk(pks) if pks else {}
    for field in links:
        objs = found[field.related_model]
        for p in people:
            value = getattr(p, field.attname)
            if value is not None:
                setattr(p, field.name, objs[value])
    return {p.pk: p for p in people}


def _passes(persons, ctx: RoutingContext) -> list[list]:
    """People who share an account (or company e-mail domain) are routed one after the
    other, each pass written before the next is decided, so the second sees the first's new
    owner (ROUTE-2 step 10) exactly as routing them one at a time would."""
    seen: dict = {}
    passes: list[list] = []
    for p in persons:
        account_id = _account_id(p)
        key = (("account", account_id) if account_id else
               ("domain", p.email_domain) if p.email_domain
               and p.email_domain not in ctx.rules.free_domains else None)
        n = seen.get(key, 0) if key is not None else 0
        if key is not None:
            seen[key] = n + 1
        while len(passes) <= n:
            passes.append([])
        passes[n].append(p)
    return passes


def _route_pass(persons, model, *, trigger, form_kind, by, ctx, now, batch: _Batch,
                insert=None) -> list[RoutingDecision]:
    from gtm_portal.chatter.models import Notification
    from gtm_portal.chatter.services import comment_post, notify_many

    kind = "contact" if model is Contact else "lead"
    accounts = _accounts({_account_id(p) for p in persons if _account_id(p)})
    a_facts = account_facts_many(accounts.values(), now)
    facts = [person_facts(p, form_kind, ctx) for p in persons]
    needs_related = [f.status == S.MQL or form_kind in routing.ROUTING_HAND_RAISE
                     for f in facts]
    pairs = [(p, accounts.get(_account_id(p))) for p, need in zip(persons, needs_related, strict=True)
             if need]
    related_rows = iter(related_people_many(pairs, ctx, now) if pairs else [])
    decisions = []
    for p, f, need in zip(persons, facts, needs_related, strict=True):
        account = accounts.get(_account_id(p))
        related = next(related_rows) if need else []
        decisions.append(routing.decide(f, a_facts.get(account.pk) if account else None,
                                        related, ctx.rules))

    handout, calendars, users = batch.handout, batch.calendars, batch.users
    # Pools are locked in name order (two batches never wait on each other crosswise).
    for name in sorted({d.pool for d in decisions if d.pool}):
        handout._load(name)
    wanted = {d.owner.id for d in decisions if d.owner is not None and not d.owner.queue
              and d.owner.id}
    by_name = {d.owner.username for d in decisions if d.owner is not None
               and not d.owner.queue and not d.owner.id}
    notify_ids = {w.id for d in decisions for w, _why in d.notify if w.id}
    notify_names = {w.username for d in decisions for w, _why in d.notify
                    if not w.id and w.username}
    batch.load_users(wanted | notify_ids, by_name | notify_names)
    # Every owner's holidays in one read.
    calendars.holidays_for([*users.values(), *handout.users()])
    fields = ["owner", "sla_due"]   # the only fields routing changes
    # Decide and stamp every person first; the rows that point at them are built once they
    # are in the database (`insert`: new people get their primary keys there).
    stamped, to_save = [], []
    for p, decision in zip(persons, decisions, strict=True):
        explanation = list(decision.explanation)
        owner, pool = None, None
        if decision.pool:
            owner, pool, line = handout.take(decision.pool)
            explanation.append(line)
            if owner is None:
                owner = ctx.queue("Inquiry Queue")
                explanation.append("Nobody could take it, so the Inquiry Queue holds it.")
        elif decision.owner is not None:
            owner = (ctx.queue(decision.owner.queue) if decision.owner.queue
                     else users[decision.owner.id or decision.owner.username])
        before = history.snapshot(p, fields)
        before_display = batch.display_before(p, fields, before)
        due = sla_due(p, form_kind, owner, now, calendars) if decision.routed else None
        changed = []
        if decision.routed and owner is not None and p.owner_id != owner.pk:
            p.owner = owner
            changed.append("owner")
        if due is not None or (decision.routed and p.sla_due is not None):
            p.sla_due = due
            changed.append("sla_due")
        if changed:
            touch(p, by)
            p.updated_at = now
            to_save.append(p)
        stamped.append((p, decision, owner, pool, explanation, due,
                        (before, before_display) if changed else None))
    if insert is not None:
        changes = list(insert(persons) or ())
    else:
        changes = []
        if to_save:
            bulk_update_rows(to_save, ["owner", "sla_due", "version", "updated_by",
                                       "updated_at"])
    rows, notices, ended = [], [], []
    for p, decision, owner, pool, explanation, due, before in stamped:
        if before is not None:
            changes += history.changes(p, *before, by=by, at=now,
                                       reason=f"{decision.rule}: routed ({trigger})",
                                       shown=batch.shown)
        if decision.end_sequences:
            ended.append(p.pk)
        row = RoutingDecision(
            **{kind: p}, rule=decision.rule, owner=owner if decision.routed else None, pool=pool,
            explanation=explanation, sla_due=due, trigger=trigger, decided_at=now, decided_by=by,
            notifications=[{"to": str(w), "why": why} for w, why in decision.notify])
        row.person_obj = p
        row.convert_to_contact = decision.convert_to_contact
        row.account_obj = accounts.get(_account_id(p))
        rows.append(row)
        if decision.routed and owner is not None and not owner.is_queue:
            notices.append(dict(recipients=[owner], reason=Notification.Reason.ROUTED, record=p,
                                actor=by, message=f"{decision.rule}: {explanation[-1]}"[:500]))
        for who, why in decision.notify:
            target = users.get(who.id) or users.get(who.username)
            if target is not None and target != owner:
                notices.append(dict(recipients=[target], reason=Notification.Reason.INFO,
                                    record=p, actor=by, message=why))
    if changes:
        bulk_insert_rows(changes, batch_size=1000)
    if ended:
        Enrollment.objects.filter(**{f"{kind}_id__in": ended},
                                  state=EnrollmentState.ACTIVE).update(
            state=EnrollmentState.FINISHED, finished_at=now)
    bulk_insert_rows(rows, batch_size=1000)
    notify_many(notices)
    for row, decision in zip(rows, decisions, strict=True):
        if decision.comment_on_account and row.account_obj is not None:
            comment_post(record=row.account_obj, author=None, kind="system", topic="routing",
                         body=decision.comment_on_account)
    return rows
