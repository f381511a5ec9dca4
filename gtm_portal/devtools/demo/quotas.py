"""CONTRACT 4 quotas (REPORT-REP, REPORT-COMP): every SDR and BDR has a monthly SAO quota of
10 for every month of the current fiscal year, each team a team quota equal to the sum of its
members'; all on `SDR/BDR standard` except `bdr.emea1` on `Enterprise Expand`. Idempotent."""

import datetime

from django.db.models import Count
from django.utils import timezone

from accounts.models import Contact
from accounts.workflow import fiscal_year_start
from gtm_portal.refdata.enums import Setting
from gtm_portal.refdata.models import CompPlan, PortalSetting, SaoQuota
from gtm_portal.users import roles
from gtm_portal.users.models import Team, User
from leads.models import Lead
from leads.services.lifecycle import stamps_fill

MONTHLY_SAO_QUOTA = 10
ENTERPRISE_EXPAND = {"bdr.emea1"}


def fiscal_months(today: datetime.date) -> list[datetime.date]:
    start_month = (
        PortalSetting.objects.filter(key=Setting.FISCAL_YEAR_START_MONTH)
        .values_list("value", flat=True)
        .first()
        or 2
    )
    first = fiscal_year_start(today, start_month)
    months = []
    for i in range(12):
        m = first.month - 1 + i
        months.append(datetime.date(first.year + m // 12, m % 12 + 1, 1))
    return months


def seed_quotas(today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    plans = {p.name: p for p in CompPlan.objects.all()}
    reps = User.objects.people().filter(groups__name__in=roles.REPS).distinct()
    created = 0
    for month in fiscal_months(today):
        for rep in reps:
            plan = plans.get(
                "Enterprise Expand" if rep.username in ENTERPRISE_EXPAND else "SDR/BDR standard"
            )
            _, made = SaoQuota.objects.get_or_create(
                user=rep, month=month, defaults={"sao_quota": MONTHLY_SAO_QUOTA, "plan": plan}
            )
            created += made
        sizes = Team.objects.filter(members__in=reps).annotate(n=Count("members", distinct=True))
        for team in sizes:
            _, made = SaoQuota.objects.get_or_create(
                team=team, month=month, defaults={"sao_quota": MONTHLY_SAO_QUOTA * team.n}
            )
            created += made
    return created


def seed_report_data() -> dict[str, int]:
    """What the reports read beyond the records: the quotas, and the lifecycle stamps of the
    people the generator wrote in bulk (REPORT-FUNNEL)."""
    return {
        "quotas": seed_quotas(),
        "lifecycle stamps": stamps_fill(Lead) + stamps_fill(Contact),
    }
