"""The performance benchmark (CONTRACT 5, SPEC Q-PERF): server time of each page next to the
raw SQL of the same page — one SQL statement fetching the same rows — in the same run, on
whatever data is loaded.

On PostgreSQL a page's raw SQL is its own SELECT statements, read off a run of the page,
wrapped as sub-selects of one statement (`page_sql`): the database work the page needs, in
one round trip, with no ORM, Python or template around it; page time minus raw SQL is the
framework's share that SPEC Q-PERF bounds (≤ 25 ms). Elsewhere (SQLite) each page names one
hand-written query for its main rows.

Operations come from the functions in OPERATION_SETS; each takes the Bench and returns
Operation objects, so later work registers more with `@operation_set` (reports, intake, ...).
"""
import json
import math
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, Contact
from gtm_portal.activity.models import Activity, Task
from gtm_portal.chatter.models import Notification
from gtm_portal.users.models import User
from leads.models import Lead
from opportunities.models import Opportunity

HOST = "127.0.0.1"
DEEP_PAGE = 1000
PAGE_SIZE = 50


@dataclass
class Operation:
    """One measured unit of work. `call(i)` runs iteration i; `raw_sql(i)` gives the SQL and
    parameters that fetch the same rows by hand (pages only). Throughput operations (import,
    routing) say how many `unit`s one call handles and get `<unit>_per_s` in the output."""

    name: str
    call: Callable[[int], object]
    raw_sql: Callable[[int], tuple[str, list]] | None = None
    count_queries: bool = True
    units_per_call: int | None = None
    unit: str = "rows"
    n: int | None = None          # iterations for this operation (default: the bench's)
    warmup: int | None = None
    details: Callable[[], dict] | None = None  # facts of the last call, printed with the row
    variants: int = 1             # distinct requests call(i) cycles through (i % variants)


@dataclass
class Result:
    name: str
    n: int
    p50_ms: float | None
    p95_ms: float | None
    queries: int | None = None
    raw_sql_p50_ms: float | None = None
    error: str | None = None
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        out = {"name": self.name, "n": self.n, "p50_ms": self.p50_ms, "p95_ms": self.p95_ms,
               "queries": self.queries, "raw_sql_p50_ms": self.raw_sql_p50_ms, **self.extra}
        if self.error:
            out["error"] = self.error
        return out


OPERATION_SETS: list[Callable[["Bench"], Iterable[Operation]]] = []


def operation_set(func):
    OPERATION_SETS.append(func)
    return func


class PageError(Exception):
    pass


class Bench:
    def __init__(self, *, n: int = 50, warmup: int = 5, only: str | None = None):
        self.n = n
        self.warmup = warmup
        self.only = only
        self._clients: dict[str, Client] = {}

    # -- helpers for operation sets ----------------------------------------------------------

    def client(self, username: str) -> Client:
        if username not in self._clients:
            user = (User.objects.filter(username=username).first()
                    or User.objects.people().filter(is_active=True).order_by("id").first())
            client = Client(SERVER_NAME=HOST, HTTP_HOST=HOST)
            if user is not None:
                client.force_login(user)
            self._clients[username] = client
        return self._clients[username]

    def page(self, name: str, urls: list[str], username: str,
             raw_sql: Callable[[int], tuple[str, list]] | None = None) -> Operation:
        client = self.client(username)

        def call(i):
            url = urls[i % len(urls)]
            response = client.get(url)
            if response.status_code != 200:
                raise PageError(f"GET {url} answered {response.status_code}")
            return response

        return Operation(name=name, call=call, raw_sql=raw_sql, variants=len(urls))

    @staticmethod
    def spread_ids(model, k: int = 10) -> list[int]:
        """`k` ids spread evenly over the table (first, last and between)."""
        qs = model._default_manager.order_by("pk").values_list("pk", flat=True)
        total = qs.count()
        if not total:
            return []
        offsets = sorted({round(j * (total - 1) / max(k - 1, 1)) for j in range(k)})
        return [qs[offset] for offset in offsets]

    @staticmethod
    def deep_after(qs, page: int = DEEP_PAGE, size: int = PAGE_SIZE) -> int | None:
        """The `after` cursor of list page `page` (newest first), or of the middle page when
        the table holds fewer pages."""
        ids = qs.order_by("-pk").values_list("pk", flat=True)
        total = ids[: page * size + 1].count()
        if total < 2:
            return None
        offset = min((page - 1) * size, total // 2)
        return ids[max(offset, 1) - 1]

    # -- running ---------------------------------------------------------------------------

    def operations(self) -> list[Operation]:
        ops = []
        for make in OPERATION_SETS:
            ops += list(make(self))
        if self.only:
            ops = [op for op in ops if self.only in op.name]
        return ops

    def measure(self, op: Operation) -> Result:
        try:
            for i in range(self.warmup if op.warmup is None else op.warmup):
                op.call(i)
            times = []
            for i in range(self.n if op.n is None else op.n):
                start = time.perf_counter()
                op.call(i)
                times.append((time.perf_counter() - start) * 1000)
            queries = None
            if op.count_queries:
                with CaptureQueriesContext(connection) as captured:
                    op.call(0)
                queries = len(captured.captured_queries)
            raw = self._raw_sql_times(op) if op.raw_sql else None
        except Exception as exc:  # one broken page must not hide the others
            return Result(op.name, 0, None, None, error=f"{type(exc).__name__}: {exc}")
        p50 = statistics.median(times)
        extra = {}
        if op.units_per_call:
            extra[f"{op.unit}_per_s"] = round(op.units_per_call * 1000 / p50, 1) if p50 else None
        if op.details:
            extra.update(op.details())
        raw_p50 = None
        if raw:
            raw_p50 = _round(statistics.median(raw))
            extra["raw_sql_p95_ms"] = _round(_percentile(raw, 95))
        return Result(op.name, len(times), _round(p50), _round(_percentile(times, 95)), queries,
                      raw_p50, extra=extra)

    def _raw_sql_times(self, op: Operation) -> list[float]:
        statements = None
        if connection.vendor == "postgresql":
            statements = [page_sql(self._selects_of(op, v)) for v in range(op.variants)]
        times = []
        with connection.cursor() as cursor:
            for i in range(self.warmup + self.n):
                if statements:
                    sql, params = statements[i % op.variants], None
                else:
                    sql, params = op.raw_sql(i)
                start = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                if i >= self.warmup:
                    times.append((time.perf_counter() - start) * 1000)
        return times

    @staticmethod
    def _selects_of(op: Operation, i: int) -> list[str]:
        """The SELECT statements call(i) sends, as sent (parameters bound)."""
        with CaptureQueriesContext(connection) as captured:
            op.call(i)
        return [q["sql"] for q in captured.captured_queries
                if q["sql"].lstrip("( ").upper().startswith("SELECT")]

    def run(self, progress: Callable[[str], None] | None = None) -> dict:
        results = []
        for op in self.operations():
            result = self.measure(op)
            results.append(result)
            if progress:
                progress(format_row(result))
        return {"operations": [r.as_dict() for r in results], "database": connection.vendor,
                "counts": counts()}


def page_sql(selects: list[str]) -> str:
    """One PostgreSQL statement fetching the rows of every statement in `selects`, each as a
    JSON array in its own column (in the statement's order)."""
    if not selects:
        return "SELECT 1"
    columns = ",\n".join(f"(SELECT coalesce(json_agg(q), '[]') FROM ({sql}) q) AS q{n}"
                         for n, sql in enumerate(selects))
    return f"SELECT {columns}"


def _percentile(values, pct) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _round(ms: float) -> float:
    return round(ms, 2)


COUNTED = {"leads": Lead, "contacts": Contact, "accounts": Account,
           "opportunities": Opportunity, "activities": Activity, "tasks": Task,
           "notifications": Notification, "users": User}


def counts() -> dict[str, int]:
    return {name: model._default_manager.count() for name, model in COUNTED.items()}


# -- output ------------------------------------------------------------------------------

COLUMNS = (("name", 34, "s"), ("n", 5, "d"), ("p50_ms", 9, ".1f"), ("p95_ms", 9, ".1f"),
           ("queries", 8, "d"), ("raw_sql_p50_ms", 15, ".2f"))


def format_header() -> str:
    return "  ".join(f"{name:<{w}}" if fmt == "s" else f"{name:>{w}}" for name, w, fmt in COLUMNS)


def format_row(result: Result | dict) -> str:
    row = result.as_dict() if isinstance(result, Result) else result
    cells = []
    for name, width, fmt in COLUMNS:
        value = row.get(name)
        if value is None:
            cells.append(f"{'-':>{width}}")
        elif fmt == "s":
            cells.append(f"{value:<{width}}")
        else:
            cells.append(f"{value:>{width}{fmt}}")
    line = "  ".join(cells)
    shown = {name for name, _w, _f in COLUMNS} | {"error"}
    more = [f"{k}={v}" for k, v in row.items() if k not in shown and v is not None]
    if more:
        line += "  " + " ".join(more)
    if row.get("error"):
        line += f"  ERROR {row['error']}"
    return line


def write_json(report: dict, path: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=2)
        fh.write("\n")


# -- the pages currently in the URL conf -------------------------------------------------

def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _user_id(username: str) -> int | None:
    return User.objects.filter(username=username).values_list("pk", flat=True).first()


LIST_PAGES = (
    # name, url, model, user, raw SQL select list and joins
    ("leads", "/leads/", Lead, "sdr.mgr",
     "t.*, o.username, s.name FROM {t} t LEFT JOIN {users} o ON o.id = t.owner_id "
     "LEFT JOIN {sources} s ON s.id = t.initial_source_id WHERE t.merged_into_id IS NULL"),
    ("contacts", "/contacts/", Contact, "bdr.amer1",
     "t.*, o.username, a.name, s.name FROM {t} t LEFT JOIN {users} o ON o.id = t.owner_id "
     "JOIN {accounts} a ON a.id = t.account_id "
     "LEFT JOIN {sources} s ON s.id = t.initial_source_id WHERE t.merged_into_id IS NULL"),
    ("accounts", "/accounts/", Account, "bdr.amer1",
     "t.*, o.username, b.username FROM {t} t LEFT JOIN {users} o ON o.id = t.owner_id "
     "LEFT JOIN {users} b ON b.id = t.bdr_assigned_id WHERE t.merged_into_id IS NULL"),
    ("opportunities", "/opportunities/", Opportunity, "ae.amer1",
     "t.*, a.name, o.username, r.username FROM {t} t JOIN {accounts} a ON a.id = t.account_id "
     "JOIN {users} o ON o.id = t.owner_id LEFT JOIN {users} r ON r.id = t.sdr_bdr_id "
     "WHERE TRUE"),
)

DETAIL_PAGES = (
    ("lead", "/leads/{}/", Lead, "sdr.mgr",
     "SELECT t.*, o.username, s.name FROM {t} t LEFT JOIN {users} o ON o.id = t.owner_id "
     "JOIN {sources} s ON s.id = t.initial_source_id WHERE t.id = %s"),
    ("contact", "/contacts/{}/", Contact, "bdr.amer1",
     "SELECT t.*, o.username, a.name FROM {t} t LEFT JOIN {users} o ON o.id = t.owner_id "
     "JOIN {accounts} a ON a.id = t.account_id WHERE t.id = %s"),
    ("account", "/accounts/{}/", Account, "bdr.amer1",
     "SELECT t.*, o.username FROM {t} t LEFT JOIN {users} o ON o.id = t.owner_id "
     "WHERE t.id = %s"),
    ("opportunity", "/opportunities/{}/", Opportunity, "ae.amer1",
     "SELECT t.*, a.name, o.username FROM {t} t JOIN {accounts} a ON a.id = t.account_id "
     "JOIN {users} o ON o.id = t.owner_id WHERE t.id = %s"),
)


def _names(model) -> dict:
    from gtm_portal.refdata.models import InitialSource

    return {"t": _table(model), "users": _table(User), "sources": _table(InitialSource),
            "accounts": _table(Account)}


@operation_set
def home_page(bench: Bench) -> Iterable[Operation]:
    username = "sdr.amer1"
    user_id = _user_id(username)
    sql = (f"SELECT t.* FROM {_table(Task)} t WHERE t.owner_id = %s AND t.status = 'open' "
           "ORDER BY t.due_date, t.id LIMIT 25")
    yield bench.page("home", ["/"], username, lambda i: (sql, [user_id]))


@operation_set
def list_pages(bench: Bench) -> Iterable[Operation]:
    for name, url, model, username, select in LIST_PAGES:
        base = "SELECT " + select.format(**_names(model))

        def first_page(i, base=base, size=PAGE_SIZE):
            return f"{base} ORDER BY t.id DESC LIMIT %s", [size + 1]

        yield bench.page(f"{name} list p1", [url], username, first_page)
        for size in (10, 200):
            yield bench.page(
                f"{name} list p1 size={size}", [f"{url}?size={size}"], username,
                lambda i, base=base, size=size: (f"{base} ORDER BY t.id DESC LIMIT %s", [size + 1]))
        after = bench.deep_after(model._default_manager.all())
        if after is not None:
            yield bench.page(
                f"{name} list p{DEEP_PAGE}", [f"{url}?after={after}"], username,
                lambda i, base=base, after=after: (
                    f"{base} AND t.id < %s ORDER BY t.id DESC LIMIT %s", [after, PAGE_SIZE + 1]))


@operation_set
def detail_pages(bench: Bench) -> Iterable[Operation]:
    for name, url, model, username, sql in DETAIL_PAGES:
        ids = bench.spread_ids(model)
        if not ids:
            continue
        sql = sql.format(**_names(model))
        yield bench.page(f"{name} detail", [url.format(pk) for pk in ids], username,
                         lambda i, sql=sql, ids=ids: (sql, [ids[i % len(ids)]]))


@operation_set
def notification_inbox(bench: Bench) -> Iterable[Operation]:
    username = "sdr.mgr"
    user_id = _user_id(username)
    sql = (f"SELECT t.* FROM {_table(Notification)} t WHERE t.recipient_id = %s "
           "ORDER BY t.id DESC LIMIT %s")
    yield bench.page("notifications", ["/notifications/"], username,
                     lambda i: (sql, [user_id, PAGE_SIZE + 1]))


@operation_set
def lead_views(bench: Bench) -> Iterable[Operation]:
    """VIEW-1 views as the rep who owns the most leads (S1–S3 for an SDR, B1–B5 for a BDR)."""
    from django.db.models import Count

    for role, codes in (("SDR", ("S1", "S2", "S3")), ("BDR", ("B1", "B2", "B3", "B4", "B5"))):
        top = (Lead.objects.filter(owner__groups__name=role).values("owner__username")
               .annotate(n=Count("id")).order_by("-n").first())
        if top is None:
            continue
        username = top["owner__username"]
        user_id = _user_id(username)
        for code in codes:
            sql = (f"SELECT t.* FROM {_table(Lead)} t WHERE t.owner_id = %s "
                   "ORDER BY t.sla_due, t.id LIMIT %s")
            yield bench.page(f"lead view {code}", [f"/leads/views/{code}/"], username,
                             lambda i, sql=sql, uid=user_id: (sql, [uid, PAGE_SIZE + 1]))


@operation_set
def account_and_contact_views(bench: Bench) -> Iterable[Operation]:
    """VIEW-2 contact views B1–B4 as the BDR who owns the most contacts, VIEW-3 account views
    B1–B3 as the BDR assigned to the most accounts; raw SQL in the views' own order."""
    from django.db.models import Count

    for model, who, codes, url, sql in (
        (Contact, "owner", ("B1", "B2", "B3", "B4"), "/contacts/views/{}/",
         f"SELECT t.*, a.name FROM {_table(Contact)} t JOIN {_table(Account)} a "
         "ON a.id = t.account_id WHERE t.owner_id = %s AND t.merged_into_id IS NULL "
         "AND NOT (t.title = 'Test') "
         "ORDER BY t.last_interesting_moment_at DESC NULLS LAST, t.id DESC LIMIT %s"),
        (Account, "bdr_assigned", ("B1", "B2", "B3"), "/accounts/views/{}/",
         f"SELECT t.*, o.username FROM {_table(Account)} t LEFT JOIN {_table(User)} o "
         "ON o.id = t.owner_id WHERE t.bdr_assigned_id = %s AND t.merged_into_id IS NULL "
         "ORDER BY t.name, t.id LIMIT %s"),
    ):
        top = (model.objects.filter(**{f"{who}__groups__name": "BDR"})
               .values(f"{who}__username").annotate(n=Count("id")).order_by("-n").first())
        if top is None:
            continue
        username = top[f"{who}__username"]
        user_id = _user_id(username)
        for code in codes:
            yield bench.page(f"{model._meta.model_name} view {code}", [url.format(code)],
                             username, lambda i, uid=user_id, sql=sql: (sql, [uid, PAGE_SIZE + 1]))


@operation_set
def global_search(bench: Bench) -> Iterable[Operation]:
    """CONTRACT 6 /search/ (target p95 ≤ 150 ms on PostgreSQL with trigram indexes)."""
    terms = ["globex", "smith", "acme", "vandelay", "zz9q", "director"]
    sql = (f"SELECT t.id FROM {_table(Lead)} t WHERE UPPER(t.last_name) LIKE UPPER(%s) "
           "LIMIT 20")
    yield bench.page("search", [f"/search/?q={t}" for t in terms], "sdr.mgr",
                     lambda i: (sql, [f"%{terms[i % len(terms)]}%"]))


REOWN_CONTACTS = 10_000
REOWN_ACCOUNT = "Bench Re-own Co"


@operation_set
def account_reown(bench: Bench) -> Iterable[Operation]:
    """SPEC CONTACT-OWNER at scale: re-own an account with 10,000 contacts through the one
    account update path (contacts follow set-based, with a history row each; target ≤ 2 s)."""
    from accounts.services import account_update
    from gtm_portal.refdata.models import InitialSource
    from gtm_portal.users import roles

    support = User.objects.filter(groups__name=roles.SALES_SUPPORT, is_active=True).first()
    owners = list(User.objects.filter(groups__name=roles.AE, is_active=True).order_by("id")[:2])
    source = InitialSource.objects.order_by("id").first()
    if support is None or len(owners) < 2 or source is None:
        return
    account = Account.objects.filter(name=REOWN_ACCOUNT).first()
    if account is None:
        account = Account.objects.create(name=REOWN_ACCOUNT, domain="bench-reown.example",
                                         owner=owners[1])
        Account.objects.filter(pk=account.pk).update(ultimate_parent=account)
    missing = REOWN_CONTACTS - Contact.objects.filter(account=account).count()
    if missing > 0:
        Contact.objects.bulk_create(
            [Contact(account=account, last_name=f"Reown {i}", initial_source=source,
                     status="Accepted", owner=account.owner) for i in range(missing)],
            batch_size=2000)

    def call(i):
        current = Account.objects.get(pk=account.pk)
        new = owners[0] if current.owner_id != owners[0].pk else owners[1]
        account_update(account=current, by=support, data={"owner": new, "bdr_assigned": None},
                       reason="bench: re-own")

    yield Operation(name="account re-own (10k contacts)", call=call,
                    count_queries=True, units_per_call=REOWN_CONTACTS, unit="contacts")


# Operation sets kept in their own modules register themselves on import.
from . import bench_intake, bench_routing  # noqa: E402,F401

# -- entry point -------------------------------------------------------------------------

def top_up(leads: int, stdout=None) -> None:
    """Make sure at least `leads` leads exist (generated with seed 1, plus accounts and
    opportunities in the demo proportions)."""
    if Lead.objects.count() >= leads:
        return
    from leads.reference import load_reference_data
    from reports.demo.generate import generate
    from reports.demo.named import seed_named

    load_reference_data()
    seed_named()
    generate(leads=leads, accounts=max(leads // 10, 1), opportunities=max(leads // 5, 1),
             seed=1, stdout=stdout)


def run_bench(*, leads: int | None = None, n: int = 50, warmup: int = 5,
              only: str | None = None, json_path: str | None = None, stdout=None) -> dict:
    if leads:
        top_up(leads, stdout)
    say = stdout.write if stdout is not None else None
    if say:
        say(format_header())
    report = Bench(n=n, warmup=warmup, only=only).run(progress=say)
    if say:
        say("counts: " + ", ".join(f"{k} {v:,}" for k, v in report["counts"].items())
            + f" ({report['database']})")
    if json_path:
        write_json(report, json_path)
    return report
