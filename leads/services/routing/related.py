"""ROUTE-2 step 10 facts: the other people at the account (or company e-mail domain), for many
people at once."""

import datetime

from django.db import connection
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import Contact
from gtm_portal.activity.enums import TaskStatus
from gtm_portal.activity.models import Activity, Task
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.core.meta import concrete_field
from gtm_portal.users.models import User

from ... import routing
from ...models import Lead
from .context import RoutingContext
from .facts import days_ago_micros, micros

RELATED_LIMIT = 50


def related_people(person, account, ctx: RoutingContext, now) -> list[routing.Related]:
    return related_people_many([(person, account)], ctx, now)[0]


def related_people_many(items, ctx: RoutingContext, now) -> list[list[routing.Related]]:
    """ROUTE-2 step 10 facts: other people at the account, or with the same company e-mail
    domain when there is no account — for many people at once (one query per kind and
    scope, whatever their number, each row with its latest sales activity and open task)."""
    account_ids = {a.pk for _p, a in items if a is not None}
    domains = {
        p.email_domain
        for p, a in items
        if a is None and p.email_domain and p.email_domain not in ctx.rules.free_domains
    }
    since = now - datetime.timedelta(days=routing.ACTIVITY_DAYS)
    today = timezone.localdate(now)
    by_account: dict[int, dict] = {}
    by_domain: dict[str, dict] = {}
    whos: dict = {}
    now_micros = micros(now)
    kinds = ((Lead, "lead", "matched_account_id"), (Contact, "contact", "account_id"))
    for values, target, fields in (
        (account_ids, by_account, [k[2] for k in kinds]),
        (domains, by_domain, ["email_domain"] * 2),
    ):
        if not values:
            continue
        # One statement per scope: leads' rows, then contacts' (Q-PERF).
        parts = [
            (model, kind, field) for (model, kind, _a), field in zip(kinds, fields, strict=True)
        ]
        for (
            kind,
            pk,
            key,
            status,
            mql_micros,
            owner_id,
            username,
            sales_micros,
            has_task,
        ) in related_rows_of_kinds(parts, values, since, today):
            who = whos.get(owner_id)
            if who is None:
                who = whos[owner_id] = routing.Who(username=username, id=owner_id)
            target.setdefault(key, {}).setdefault(kind, []).append(
                (
                    pk,
                    routing.Related(
                        owner=who,
                        status=status,
                        sales_activity_days_ago=days_ago_micros(sales_micros, now_micros),
                        open_future_task=bool(has_task),
                        mql_days_ago=days_ago_micros(mql_micros, now_micros),
                    ),
                )
            )
    out: list[list[routing.Related]] = []
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
WORKED_STATUSES = (S.ACCEPTED, S.QUALIFYING)  # step 10 reads activity and tasks of these only


def related_rows(model, kind: str, field: str, values, since, today) -> list[tuple]:
    """At most RELATED_LIMIT (+1: the person asking may be among them) people per account
    (or e-mail domain), oldest MQL first, whose owner is a person: (pk, key, status,
    MQL date, owner id, owner username, latest sales activity since `since`, an open task
    due `today` or later — the last two for Accepted/Qualifying people, the only ones step 10
    asks about); moments as microseconds since the epoch. On PostgreSQL a LATERAL top-N per key walks the partial (key, mql_date, id)
    index, then probes the person's activity and task indexes; elsewhere a row_number
    window with the same subqueries."""

    limit = RELATED_LIMIT + 1
    if connection.vendor == "postgresql":
        sql, params = related_sql(model, kind, field, values, since, today)
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} ORDER BY r.mql_date, r.id", params)
            return cursor.fetchall()
    rank = Window(
        RowNumber(), partition_by=[F(field)], order_by=[F("mql_date").asc(), F("pk").asc()]
    )
    last_sales = (
        Activity.objects.filter(**{kind: OuterRef("pk")}, is_sales=True, occurred_at__gte=since)
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    open_task = Exists(
        Task.objects.filter(**{kind: OuterRef("pk")}, status=TaskStatus.OPEN, due_date__gte=today)
    )
    worked = Q(status__in=WORKED_STATUSES)
    rows = (
        model.objects.filter(
            **{f"{field}__in": values},
            merged_into__isnull=True,
            status__in=RELATED_STATUSES,
            owner__kind="person",
        )
        .annotate(rank=rank)
        .filter(rank__lte=limit)
        .order_by("mql_date", "pk")
        .annotate(
            last_sales=Case(When(worked, then=Subquery(last_sales))),
            open_task=Case(When(worked, then=open_task), default=Value(False)),
        )
        .values_list(
            "pk",
            field,
            "status",
            "mql_date",
            "owner_id",
            "owner__username",
            "last_sales",
            "open_task",
        )
    )
    return [
        (pk, key, status, micros(mql_date), owner_id, username, micros(last_sales), task)
        for pk, key, status, mql_date, owner_id, username, last_sales, task in rows
    ]


def related_sql(
    model, kind: str, field: str, values, since, today, head: str = ""
) -> tuple[str, list]:
    """`related_rows`' PostgreSQL statement without its ORDER BY (`head`: columns put
    first): each row (pk, key, status, mql, owner_id, username, sales, task) as named."""

    limit = RELATED_LIMIT + 1
    key_field = concrete_field(model, field)
    column = key_field.column
    key_type = key_field.db_type(connection) if key_field.is_relation else "text"
    table = model._meta.db_table
    users = User._meta.db_table
    activities, tasks = Activity._meta.db_table, Task._meta.db_table
    activity_fk = concrete_field(Activity, kind).column
    task_fk = concrete_field(Task, kind).column
    sql = (
        f"SELECT {head}r.id AS pk, k.v AS key, r.status AS status,"
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
        f"  ORDER BY p.mql_date, p.id LIMIT {limit}) r"
    )
    worked = list(WORKED_STATUSES)
    return sql, [
        worked,
        since,
        worked,
        TaskStatus.OPEN,
        today,
        list(values),
        list(RELATED_STATUSES),
    ]


def related_rows_of_kinds(parts, values, since, today) -> list[tuple]:
    """`related_rows` of several kinds over the same keys, as (kind, *row): each kind's
    rows in turn, in the order `related_rows` gives them. On PostgreSQL one statement (the
    kinds' statements under UNION ALL, ordered by kind, MQL date and id)."""

    if connection.vendor != "postgresql" or len(parts) < 2:
        return [
            (kind, *row)
            for model, kind, field in parts
            for row in related_rows(model, kind, field, values, since, today)
        ]
    selects, params = [], []
    for i, (model, kind, field) in enumerate(parts):
        sql, part_params = related_sql(
            model, kind, field, values, since, today, head=f"{i} AS part, r.mql_date AS m, "
        )
        selects.append(f"({sql})")
        params += part_params
    kinds = " ".join(f"WHEN {i} THEN '{kind}'" for i, (_m, kind, _f) in enumerate(parts))
    sql = (
        f"SELECT CASE u.part {kinds} END, u.pk, u.key, u.status, u.mql, u.owner_id,"
        f" u.username, u.sales, u.task FROM ({' UNION ALL '.join(selects)}) AS u"
        f" ORDER BY u.part, u.m, u.pk"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
