"""Home dashboards (registered from `hooks`): a rep's month (SAOs against quota, MQLs waiting,
the oldest SLA), a manager's team (SLA breaches, pending approvals, hygiene, each rep's
attainment, a rep picker for `?as=` cover), the executive's funnel and SAO by segment."""

from django.db.models import Count
from django.utils import timezone

from gtm_portal.core.lists import capped_count
from gtm_portal.refdata.models import SaoQuota
from gtm_portal.users import roles
from gtm_portal.users.models import User
from leads.models import Lead
from opportunities.models import Opportunity

from .params import parse_filters
from .queries import funnel, hygiene, sla


def _month(user):
    today = timezone.localdate()
    first = today.replace(day=1)
    return parse_filters({"from": first.isoformat(), "to": today.isoformat()}, user), first


def _rep_month(user) -> dict:
    f, first = _month(user)
    saos = Opportunity.objects.filter(f.between("sales_accepted_date"), sdr_bdr=user).count()
    quota = (
        SaoQuota.objects.filter(user=user, month=first).values_list("sao_quota", flat=True).first()
        or 0
    )
    # The MQLs S1 shows, counted up to the cap (SPEC Q-PERF) from `lead_workable_owner`; the
    # oldest untouched deadline is read in `lead_workable_sla`'s order (owner, SLA due).
    waiting = Lead.objects.workable().filter(owner=user, status="MQL")
    n, capped = capped_count(waiting)
    oldest = (
        waiting.filter(first_touch_at__isnull=True, sla_due__isnull=False)
        .order_by("sla_due")
        .values_list("sla_due", flat=True)
        .first()
    )
    return {
        "rep": user,
        "saos": saos,
        "quota": quota,
        "attainment": round(saos * 100 / quota) if quota else None,
        "mqls_waiting": n,
        "mqls_capped": capped,
        "oldest_sla": oldest,
        "month": first,
    }


def _team(user) -> list:
    return list(User.objects.people().filter(manager=user, is_active=True).order_by("username"))


def _manager(user) -> dict:
    f, first = _month(user)
    team = _team(user)
    ids = [u.pk for u in team]
    saos = dict(
        Opportunity.objects.filter(f.between("sales_accepted_date"), sdr_bdr_id__in=ids)
        .values("sdr_bdr")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("sdr_bdr", "n")
    )
    quotas = dict(
        SaoQuota.objects.filter(user_id__in=ids, month=first).values_list("user_id", "sao_quota")
    )
    breaches = (
        Lead.objects.filter(owner_id__in=ids, converted_at__isnull=True, merged_into__isnull=True)
        .filter(sla.breached(), status="MQL")
        .count()
    )
    found = hygiene.counts(f, ids)
    checks = [
        (c.name, c.title, sum(n for (_, name), n in found.items() if name == c.name))
        for c in hygiene.CHECKS
    ]
    return {
        "hygiene": checks,
        "team": [
            {
                "user": u,
                "saos": saos.get(u.pk, 0),
                "quota": quotas.get(u.pk, 0),
                "attainment": round(saos.get(u.pk, 0) * 100 / quotas[u.pk])
                if quotas.get(u.pk)
                else None,
            }
            for u in team
        ],
        "breaches": breaches,
        "month": first,
    }


def _executive(user) -> dict:
    f = parse_filters({}, user)
    table = funnel.funnel(f)
    by_segment = (
        Opportunity.objects.filter(f.between("sales_accepted_date"))
        .values("account__segment")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return {"funnel": table.extra["totals"], "by_segment": list(by_segment), "from": f.start}


def dashboard(user) -> dict | None:
    names = user.role_names
    if names & roles.MANAGERS:
        return {"kind": "manager", **_manager(user)}
    if names & roles.REPS:
        return {"kind": "rep", **_rep_month(user)}
    if roles.EXECUTIVE in names:
        return {"kind": "executive", **_executive(user)}
    return None
