"""REPORT-REP: per SDR/BDR per month — leads accepted (Accepted stamps of the people they
own), worked (distinct people with their sales activity), calls, e-mails, meetings,
opportunities created with them as SDR/BDR, SAOs credited to them (SAO-1) against the
editable monthly quota, attainment %."""

import datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from gtm_portal.activity.enums import ActivityKind
from gtm_portal.activity.models import Activity
from gtm_portal.refdata.models import SaoQuota
from gtm_portal.users import roles
from gtm_portal.users.models import User
from leads.models import LifecycleStamp
from opportunities.models import Opportunity

from ..params import Filters
from ..table import Table, chart, month_label, pct

HEADER = [
    "month",
    "rep",
    "accepted",
    "worked",
    "calls",
    "emails",
    "meetings",
    "opportunities",
    "sao",
    "quota",
    "attainment_pct",
]


def reps(f: Filters):
    """The SDRs and BDRs the filters select."""
    return (
        User.objects.people()
        .filter(groups__name__in=roles.REPS, is_active=True)
        .filter(f.user_q())
        .distinct()
        .order_by("username")
    )


def _grouped(qs, rep_field: str, at: str, f: Filters, **measures) -> dict:
    rows = (
        qs.annotate(month=TruncMonth(at, tzinfo=f.tz))
        .values("month", rep_field)
        .annotate(**measures)
        .order_by()
    )
    return {(month_label(r["month"]), r[rep_field]): r for r in rows}


def accepted(f: Filters, rep_ids):
    return LifecycleStamp.objects.filter(f.between("reached_at"), status="Accepted").filter(
        Q(lead__owner_id__in=rep_ids, lead__merged_into__isnull=True)
        | Q(contact__owner_id__in=rep_ids)
    )


def created(f: Filters, rep_ids):
    return Opportunity.objects.filter(f.between("created_at"), sdr_bdr_id__in=rep_ids).filter(
        f.opportunity_q()
    )


def saos(f: Filters, rep_ids):
    return Opportunity.objects.filter(
        f.between("sales_accepted_date"), sdr_bdr_id__in=rep_ids
    ).filter(f.opportunity_q())


def activities(f: Filters, rep_ids):
    return Activity.objects.filter(
        f.between("occurred_at"), logged_by_id__in=rep_ids, is_sales=True
    )


def quotas(f: Filters, rep_ids) -> dict:
    rows = SaoQuota.objects.filter(
        user_id__in=rep_ids, month__gte=f.start.replace(day=1), month__lte=f.end
    ).values_list("month", "user_id", "sao_quota")
    return {(month_label(m), u): q for m, u, q in rows}


def reps_report(f: Filters) -> Table:
    people = list(reps(f).values_list("pk", "username"))
    ids = [pk for pk, _ in people]
    stamp_rows = accepted(f, ids).annotate(month=TruncMonth("reached_at", tzinfo=f.tz))
    accepted_by = {}
    for key in ("lead__owner_id", "contact__owner_id"):
        for r in (
            stamp_rows.filter(**{f"{key}__isnull": False})
            .values("month", key)
            .annotate(n=Count("id"))
            .order_by()
        ):
            k = (month_label(r["month"]), r[key])
            accepted_by[k] = accepted_by.get(k, 0) + r["n"]
    acts = _grouped(
        activities(f, ids),
        "logged_by_id",
        "occurred_at",
        f,
        leads=Count("lead", distinct=True),
        contacts=Count("contact", distinct=True),
        calls=Count("id", filter=Q(kind=ActivityKind.CALL)),
        emails=Count("id", filter=Q(kind=ActivityKind.EMAIL)),
        meetings=Count("id", filter=Q(kind=ActivityKind.MEETING)),
    )
    made = _grouped(created(f, ids), "sdr_bdr_id", "created_at", f, n=Count("id"))
    sao = _grouped(saos(f, ids), "sdr_bdr_id", "sales_accepted_date", f, n=Count("id"))
    quota = quotas(f, ids)
    table = Table(HEADER)
    per_rep: dict[str, int] = {}
    for month in [month_label(m) for m in f.months()]:
        for pk, username in people:
            key = (month, pk)
            a = acts.get(key, {})
            n_sao = sao.get(key, {}).get("n", 0)
            q = quota.get(key, 0)
            attainment = pct(n_sao, q)
            table.add(
                [
                    month,
                    username,
                    accepted_by.get(key, 0),
                    a.get("leads", 0) + a.get("contacts", 0),
                    a.get("calls", 0),
                    a.get("emails", 0),
                    a.get("meetings", 0),
                    made.get(key, {}).get("n", 0),
                    n_sao,
                    q,
                    "" if attainment is None else attainment,
                ],
                {
                    "sao": {"month": month, "rep": username, "measure": "sao"},
                    "opportunities": {"month": month, "rep": username, "measure": "created"},
                },
            )
            per_rep[username] = per_rep.get(username, 0) + n_sao
    names = [u for _, u in people]
    quota_by_rep = {u: sum(q for (m, pk), q in quota.items() if pk == i) for i, u in people}
    table.chart = chart(
        "bar",
        names,
        [("SAO", [per_rep.get(u, 0) for u in names]), ("Quota", [quota_by_rep[u] for u in names])],
    )
    return table


def month_start(month: str) -> datetime.date:
    return datetime.date(int(month[:4]), int(month[5:7]), 1)
