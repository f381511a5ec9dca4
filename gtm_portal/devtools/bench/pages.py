"""The pages the bench measures (CONTRACT 5): the home page, every list and its VIEW-1…VIEW-3
views, record pages, the notification inbox and global search, each with the hand-written
query for its main rows; and the account re-own that CONTACT-OWNER bounds."""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Count

from accounts.models import Account, Contact
from accounts.services import account_update
from gtm_portal.activity.models import Task
from gtm_portal.chatter.models import Notification
from gtm_portal.refdata.models import InitialSource
from gtm_portal.users import roles
from gtm_portal.users.models import User
from leads.models import Lead
from opportunities.models import Opportunity

from .measure import DEEP_PAGE, PAGE_SIZE, Bench, Operation


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _user_id(username: str) -> int | None:
    return User.objects.filter(username=username).values_list("pk", flat=True).first()


LIST_PAGES = (
    # name, url, model, user, raw SQL select list and joins
    (
        "leads",
        "/leads/",
        Lead,
        "sdr.mgr",
        "t.*, o.username, s.name FROM {t} t LEFT JOIN {users} o ON o.id = t.owner_id "
        "LEFT JOIN {sources} s ON s.id = t.initial_source_id WHERE t.merged_into_id IS NULL",
    ),
    (
        "contacts",
        "/contacts/",
        Contact,
        "bdr.amer1",
        "t.*, o.username, a.name, s.name FROM {t} t LEFT JOIN {users} o ON o.id = t.owner_id "
        "JOIN {accounts} a ON a.id = t.account_id "
        "LEFT JOIN {sources} s ON s.id = t.initial_source_id WHERE t.merged_into_id IS NULL",
    ),
    (
        "accounts",
        "/accounts/",
        Account,
        "bdr.amer1",
        "t.*, o.username, b.username FROM {t} t LEFT JOIN {users} o ON o.id = t.owner_id "
        "LEFT JOIN {users} b ON b.id = t.bdr_assigned_id WHERE t.merged_into_id IS NULL",
    ),
    (
        "opportunities",
        "/opportunities/",
        Opportunity,
        "ae.amer1",
        "t.*, a.name, o.username, r.username FROM {t} t JOIN {accounts} a ON a.id = t.account_id "
        "JOIN {users} o ON o.id = t.owner_id LEFT JOIN {users} r ON r.id = t.sdr_bdr_id "
        "WHERE TRUE",
    ),
)

DETAIL_PAGES = (
    (
        "lead",
        "/leads/{}/",
        Lead,
        "sdr.mgr",
        "SELECT t.*, o.username, s.name FROM {t} t LEFT JOIN {users} o ON o.id = t.owner_id "
        "JOIN {sources} s ON s.id = t.initial_source_id WHERE t.id = %s",
    ),
    (
        "contact",
        "/contacts/{}/",
        Contact,
        "bdr.amer1",
        "SELECT t.*, o.username, a.name FROM {t} t LEFT JOIN {users} o ON o.id = t.owner_id "
        "JOIN {accounts} a ON a.id = t.account_id WHERE t.id = %s",
    ),
    (
        "account",
        "/accounts/{}/",
        Account,
        "bdr.amer1",
        "SELECT t.*, o.username FROM {t} t LEFT JOIN {users} o ON o.id = t.owner_id "
        "WHERE t.id = %s",
    ),
    (
        "opportunity",
        "/opportunities/{}/",
        Opportunity,
        "ae.amer1",
        "SELECT t.*, a.name, o.username FROM {t} t JOIN {accounts} a ON a.id = t.account_id "
        "JOIN {users} o ON o.id = t.owner_id WHERE t.id = %s",
    ),
)


def _names(model) -> dict:
    return {
        "t": _table(model),
        "users": _table(User),
        "sources": _table(InitialSource),
        "accounts": _table(Account),
    }


def _busiest(model, role: str) -> str | None:
    """The username of the `role` member who owns the most `model` records."""
    top = (
        model.objects.filter(owner__groups__name=role)
        .values("owner__username")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return top["owner__username"] if top else None


def home_page(bench: Bench) -> Iterable[Operation]:
    """The first page everyone opens, as "home" for the SDR with the most leads and again for
    the AE with the most opportunities (issue #24: the busiest rep, not a median one)."""
    sql = (
        f"SELECT t.* FROM {_table(Task)} t WHERE t.owner_id = %s AND t.status = 'open' "
        "ORDER BY t.due_date, t.id LIMIT 25"
    )
    for name, username in (
        ("home", _busiest(Lead, roles.SDR) or "sdr.amer1"),
        ("home (AE)", _busiest(Opportunity, roles.AE)),
    ):
        if username is None:
            continue
        user_id = _user_id(username)
        yield bench.page(name, ["/"], username, lambda i, uid=user_id: (sql, [uid]))


def list_pages(bench: Bench) -> Iterable[Operation]:
    for name, url, model, username, select in LIST_PAGES:
        base = "SELECT " + select.format(**_names(model))

        def first_page(i, base=base, size=PAGE_SIZE):
            return f"{base} ORDER BY t.id DESC LIMIT %s", [size + 1]

        yield bench.page(f"{name} list p1", [url], username, first_page)
        for size in (10, 200):
            yield bench.page(
                f"{name} list p1 size={size}",
                [f"{url}?size={size}"],
                username,
                lambda i, base=base, size=size: (f"{base} ORDER BY t.id DESC LIMIT %s", [size + 1]),
            )
        after = bench.deep_after(model._default_manager.all())
        if after is not None:
            yield bench.page(
                f"{name} list p{DEEP_PAGE}",
                [f"{url}?after={after}"],
                username,
                lambda i, base=base, after=after: (
                    f"{base} AND t.id < %s ORDER BY t.id DESC LIMIT %s",
                    [after, PAGE_SIZE + 1],
                ),
            )


def detail_pages(bench: Bench) -> Iterable[Operation]:
    for name, url, model, username, sql in DETAIL_PAGES:
        ids = bench.spread_ids(model)
        if not ids:
            continue
        sql = sql.format(**_names(model))
        yield bench.page(
            f"{name} detail",
            [url.format(pk) for pk in ids],
            username,
            lambda i, sql=sql, ids=ids: (sql, [ids[i % len(ids)]]),
        )


def notification_inbox(bench: Bench) -> Iterable[Operation]:
    username = "sdr.mgr"
    user_id = _user_id(username)
    sql = (
        f"SELECT t.* FROM {_table(Notification)} t WHERE t.recipient_id = %s "
        "ORDER BY t.id DESC LIMIT %s"
    )
    yield bench.page(
        "notifications", ["/notifications/"], username, lambda i: (sql, [user_id, PAGE_SIZE + 1])
    )


def lead_views(bench: Bench) -> Iterable[Operation]:
    """VIEW-1 views as the rep who owns the most leads (S1–S3 for an SDR, B1–B5 for a BDR)."""
    for role, codes in (("SDR", ("S1", "S2", "S3")), ("BDR", ("B1", "B2", "B3", "B4", "B5"))):
        username = _busiest(Lead, role)
        if username is None:
            continue
        user_id = _user_id(username)
        for code in codes:
            sql = (
                f"SELECT t.* FROM {_table(Lead)} t WHERE t.owner_id = %s "
                "ORDER BY t.sla_due, t.id LIMIT %s"
            )
            yield bench.page(
                f"lead view {code}",
                [f"/leads/views/{code}/"],
                username,
                lambda i, sql=sql, uid=user_id: (sql, [uid, PAGE_SIZE + 1]),
            )


def account_and_contact_views(bench: Bench) -> Iterable[Operation]:
    """VIEW-2 contact views B1–B4 as the BDR who owns the most contacts, VIEW-3 account views
    B1–B3 as the BDR assigned to the most accounts; raw SQL in the views' own order."""
    for model, who, codes, url, sql in (
        (
            Contact,
            "owner",
            ("B1", "B2", "B3", "B4"),
            "/contacts/views/{}/",
            f"SELECT t.*, a.name FROM {_table(Contact)} t JOIN {_table(Account)} a "
            "ON a.id = t.account_id WHERE t.owner_id = %s AND t.merged_into_id IS NULL "
            "AND NOT (t.title = 'Test') "
            "ORDER BY t.last_interesting_moment_at DESC NULLS LAST, t.id DESC LIMIT %s",
        ),
        (
            Account,
            "bdr_assigned",
            ("B1", "B2", "B3"),
            "/accounts/views/{}/",
            f"SELECT t.*, o.username FROM {_table(Account)} t LEFT JOIN {_table(User)} o "
            "ON o.id = t.owner_id WHERE t.bdr_assigned_id = %s AND t.merged_into_id IS NULL "
            "ORDER BY t.name, t.id LIMIT %s",
        ),
    ):
        top = (
            model.objects.filter(**{f"{who}__groups__name": "BDR"})
            .values(f"{who}__username")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        if top is None:
            continue
        username = top[f"{who}__username"]
        user_id = _user_id(username)
        for code in codes:
            yield bench.page(
                f"{model._meta.model_name} view {code}",
                [url.format(code)],
                username,
                lambda i, uid=user_id, sql=sql: (sql, [uid, PAGE_SIZE + 1]),
            )


def global_search(bench: Bench) -> Iterable[Operation]:
    """CONTRACT 6 /search/ (target p95 ≤ 150 ms on PostgreSQL with trigram indexes)."""
    terms = ["globex", "smith", "acme", "vandelay", "zz9q", "director"]
    sql = f"SELECT t.id FROM {_table(Lead)} t WHERE UPPER(t.last_name) LIKE UPPER(%s) LIMIT 20"
    yield bench.page(
        "search",
        [f"/search/?q={t}" for t in terms],
        "sdr.mgr",
        lambda i: (sql, [f"%{terms[i % len(terms)]}%"]),
    )


REOWN_CONTACTS = 10_000
REOWN_ACCOUNT = "Bench Re-own Co"


def _reown_account(name: str, domain: str, contacts: int, owner, source) -> Account:
    """The bench's account with exactly `contacts` contacts (made once, kept between runs)."""
    account = Account.objects.filter(name=name).first()
    if account is None:
        account = Account.objects.create(name=name, domain=domain, owner=owner)
        Account.objects.filter(pk=account.pk).update(ultimate_parent=account)
    missing = contacts - Contact.objects.filter(account=account).count()
    if missing > 0:
        Contact.objects.bulk_create(
            (
                Contact(
                    account=account,
                    last_name=f"Reown {i}",
                    initial_source=source,
                    status="Accepted",
                    owner=account.owner,
                )
                for i in range(missing)
            ),
            batch_size=2000,
        )
    return account


def account_reown(bench: Bench) -> Iterable[Operation]:
    """SPEC CONTACT-OWNER at scale: re-own an account through the one account update path,
    its contacts following set-based with a history row each — 10,000 contacts (target
    ≤ 2 s), and SPEC Q-PERF's "mass update of 100,000 records" (target ≤ 5 s; the size is
    `--mass-update-rows`)."""
    support = User.objects.filter(groups__name=roles.SALES_SUPPORT, is_active=True).first()
    owners = list(User.objects.filter(groups__name=roles.AE, is_active=True).order_by("id")[:2])
    source = InitialSource.objects.order_by("id").first()
    if support is None or len(owners) < 2 or source is None:
        return
    for name, domain, contacts, title in (
        (REOWN_ACCOUNT, "bench-reown.example", REOWN_CONTACTS, "account re-own (10k contacts)"),
        (
            "Bench Mass Update Co",
            "bench-mass-update.example",
            bench.mass_update_rows,
            f"mass update ({bench.mass_update_rows:,} records)",
        ),
    ):
        account = _reown_account(name, domain, contacts, owners[1], source)

        def call(i, pk=account.pk):
            current = Account.objects.get(pk=pk)
            new = owners[0] if current.owner_id != owners[0].pk else owners[1]
            account_update(
                account=current,
                by=support,
                data={"owner": new, "bdr_assigned": None},
                reason="bench: re-own",
            )

        yield Operation(
            name=title,
            call=call,
            count_queries=True,
            units_per_call=contacts,
            unit="contacts",
            n=min(bench.n, 5) if contacts > REOWN_CONTACTS else None,  # ~10 s a call at 100k
        )
