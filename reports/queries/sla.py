"""REPORT-SLA: MQL speed to lead per rep — the MQLs (MQL date in the range) they own, how
many were touched, the median and p90 business minutes (ROUTE-4: the owner's working hours,
zone and region holidays) from MQL to first touch, % touched within the SLA deadline, and the
breaches (touched after the deadline, or not touched with the deadline passed).

All of it is SQL (#20): the counts per rep, and the median and p90 over the business
minutes stored on each touched person when the first touch is written
(`gtm_portal.core.first_touch`; business time is calendar arithmetic no database offers).
The median is statistics.median's (the mean of the two middle values for an even n); p90 is
the nearest rank: the ⌈0.9·n⌉-th smallest."""

from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.models import Contact
from gtm_portal.users.models import User
from leads.models import Lead

from ..params import Filters
from ..table import Table, chart, pct, rounded

HEADER = ["rep", "mqls", "touched", "median_minutes", "p90_minutes", "within_sla_pct", "breaches"]


def mqls(f: Filters, model):
    account = "account" if model is Contact else "matched_account"
    return model.objects.filter(
        f.person_q(account), f.between("mql_date"), owner__kind=User.Kind.PERSON
    )


def breached(now=None):
    now = now or timezone.now()
    return Q(sla_due__isnull=False) & (
        Q(first_touch_at__gt=F("sla_due")) | Q(first_touch_at__isnull=True, sla_due__lt=now)
    )


# The ranks of one rep's n sorted gaps read: the median's two middle ones (the same one for
# an odd n; statistics.median's definition) and p90's nearest rank ⌈0.9·n⌉ = ⌊(9n + 9)/10⌋.
RANKS_SQL = (
    "SELECT rep, n, rn, minutes FROM ("
    " SELECT pooled.rep, pooled.minutes,"
    "  ROW_NUMBER() OVER (PARTITION BY pooled.rep ORDER BY pooled.minutes) AS rn,"
    "  COUNT(*) OVER (PARTITION BY pooled.rep) AS n"
    " FROM ({pooled}) pooled"
    ") ranked WHERE rn = (n + 1) / 2 OR rn = n / 2 + 1 OR rn = (9 * n + 9) / 10"
)


def _ranked(f: Filters) -> dict[int, tuple[float, float]]:
    """Per rep, (median, p90) of the stored business minutes (ROUTE-4) from MQL to first
    touch over their touched MQLs, leads and contacts pooled — in SQL: the two tables'
    filtered rows as one UNION ALL (compiled by the ORM), ranked per rep by a window, and
    only the rows at the median and p90 ranks come back (at most three per rep)."""
    lead_rows, contact_rows = (
        mqls(f, model)
        .filter(first_touch_minutes__isnull=False)
        .order_by()
        .values(rep=F("owner_id"), minutes=F("first_touch_minutes"))
        for model in (Lead, Contact)
    )
    pooled, params = lead_rows.union(contact_rows, all=True).query.sql_with_params()
    at: dict[int, dict[int, float]] = {}
    counts: dict[int, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(RANKS_SQL.format(pooled=pooled), params)
        for rep, n, rank, minutes in cursor.fetchall():
            counts[rep] = n
            at.setdefault(rep, {})[rank] = minutes
    out = {}
    for rep, n in counts.items():
        values = at[rep]
        median = (values[(n + 1) // 2] + values[n // 2 + 1]) / 2
        out[rep] = (median, values[(9 * n + 9) // 10])
    return out


def sla(f: Filters, now=None) -> Table:
    counts: dict[int, dict] = {}
    for model in (Lead, Contact):
        rows = (
            mqls(f, model)
            .values("owner_id")
            .annotate(
                mqls=Count("id"),
                touched=Count("id", filter=Q(first_touch_at__isnull=False)),
                within=Count("id", filter=Q(first_touch_at__lte=F("sla_due"))),
                breaches=Count("id", filter=breached(now)),
            )
            .order_by()
        )
        for r in rows:
            c = counts.setdefault(
                r["owner_id"], {"mqls": 0, "touched": 0, "within": 0, "breaches": 0}
            )
            for k in c:
                c[k] += r[k]
    owners = User.objects.in_bulk(list(counts))
    ranked = _ranked(f)
    table = Table(HEADER)
    for pk in sorted(counts, key=lambda pk: owners[pk].username):
        c = counts[pk]
        median, ninety = ranked.get(pk, ("", ""))
        within = pct(c["within"], c["mqls"])
        username = owners[pk].username
        table.add(
            [
                username,
                c["mqls"],
                c["touched"],
                "" if median == "" else rounded(median, 1),
                "" if ninety == "" else rounded(ninety, 1),
                "" if within is None else within,
                c["breaches"],
            ],
            {
                "mqls": {"rep": username, "measure": "mqls"},
                "breaches": {"rep": username, "measure": "breaches"},
            },
        )
    table.chart = chart(
        "bar",
        [r[0] for r in table.rows],
        [
            ("Median minutes", [r[3] or 0 for r in table.rows]),
            ("p90 minutes", [r[4] or 0 for r in table.rows]),
        ],
    )
    return table
