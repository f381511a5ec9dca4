"""REPORT-HYGIENE: the manager's "watch and help" counts per rep, each check by its name and
each count a link to its records. The ten checks (the table and its CSV, CONTRACT 6.4) are
computed from the records themselves; under them the page shows the flags the daily AUTO-2
job stored (`jobs.HygieneFlag`), counted as they stand now by kind and owner."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import Account, Contact
from gtm_portal.activity.enums import EnrollmentState, TaskStatus
from gtm_portal.activity.models import Activity, Enrollment, Task
from gtm_portal.core.enums import OPEN_PERSON_STATUSES
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.core.models import JobRun
from gtm_portal.jobs import registry
from gtm_portal.jobs.models import HygieneFlag
from leads.models import Lead
from opportunities.enums import Stage
from opportunities.models import Opportunity

from ..params import Filters
from ..table import Table, chart
from .reps import reps

HEADER = ["rep", "check", "count"]
STALLED_DAYS = 14
OLD_LEAD_DAYS = 20


@dataclass(frozen=True)
class Check:
    name: str
    title: str
    rep_field: str
    records: Callable  # (filters, today, now) -> queryset


def _leads(f):
    return Lead.objects.filter(f.person_q("matched_account"), converted_at__isnull=True)


def pending_mqls(f, today, now):
    return _leads(f).filter(status=S.MQL)


def stalled_qualifying(f, today, now):
    recent = Activity.objects.filter(
        lead=OuterRef("pk"), occurred_at__gte=now - datetime.timedelta(days=STALLED_DAYS)
    )
    return _leads(f).filter(status=S.QUALIFYING).exclude(Exists(recent))


def overdue_tasks(f, today, now):
    return Task.objects.filter(status=TaskStatus.OPEN, due_date__lt=today)


def paused_failed_sequences(f, today, now):
    return Enrollment.objects.filter(
        state__in=(EnrollmentState.PAUSED, EnrollmentState.FAILED), lead__isnull=False
    )


def pending_without_next_step(f, today, now):
    return Opportunity.objects.filter(f.opportunity_q(), stage=Stage.PENDING).filter(
        Q(next_step="") & Q(next_step_date__isnull=True)
    )


def pending_overdue_next_step(f, today, now):
    return Opportunity.objects.filter(
        f.opportunity_q(), stage=Stage.PENDING, next_step_date__lt=today
    )


def unqualified_opportunities(f, today, now):
    return Opportunity.objects.filter(f.opportunity_q(), stage=Stage.UNQUALIFIED).filter(
        f.between("stage_changed_at")
    )


def bdr_fields_past_due(f, today, now):
    return Account.objects.filter(bdr_next_step_date__lt=today)


def old_open_leads(f, today, now):
    return _leads(f).filter(
        status__in=OPEN_PERSON_STATUSES,
        created_at__lt=now - datetime.timedelta(days=OLD_LEAD_DAYS),
    )


def open_leads_without_task(f, today, now):
    task = Task.objects.filter(lead=OuterRef("pk"), status=TaskStatus.OPEN)
    return _leads(f).filter(status__in=OPEN_PERSON_STATUSES).exclude(Exists(task))


CHECKS = (
    Check("pending_mqls", "Pending MQLs", "owner", pending_mqls),
    Check(
        "stalled_qualifying",
        f"Qualifying, no activity in {STALLED_DAYS} days",
        "owner",
        stalled_qualifying,
    ),
    Check("overdue_tasks", "Overdue tasks", "owner", overdue_tasks),
    Check(
        "paused_failed_sequences",
        "Paused or failed sequences",
        "lead__owner",
        paused_failed_sequences,
    ),
    Check(
        "pending_opportunities_without_next_step",
        "Pending opportunities without a next step",
        "sdr_bdr",
        pending_without_next_step,
    ),
    Check(
        "pending_opportunities_overdue_next_step",
        "Pending opportunities, next step overdue",
        "sdr_bdr",
        pending_overdue_next_step,
    ),
    Check(
        "unqualified_opportunities",
        "Unqualified opportunities",
        "sdr_bdr",
        unqualified_opportunities,
    ),
    Check(
        "accounts_bdr_fields_past_due",
        "Accounts with BDR next step past due",
        "bdr_assigned",
        bdr_fields_past_due,
    ),
    Check(
        "open_leads_older_than_20_days",
        f"Open leads older than {OLD_LEAD_DAYS} days",
        "owner",
        old_open_leads,
    ),
    Check(
        "open_leads_without_open_task",
        "Open leads without an open task",
        "owner",
        open_leads_without_task,
    ),
)
BY_NAME = {c.name: c for c in CHECKS}


def records(f: Filters, check: Check, rep, now=None):
    now = now or timezone.now()
    today = timezone.localtime(now, f.tz).date()
    return check.records(f, today, now).filter(**{check.rep_field: rep})


def counts(f: Filters, rep_ids, now=None) -> dict[tuple, int]:
    """{(rep id, check name): count}, one GROUP BY per check."""
    now = now or timezone.now()
    today = timezone.localtime(now, f.tz).date()
    out: dict[tuple, int] = {}
    for check in CHECKS:
        rows = (
            check.records(f, today, now)
            .filter(**{f"{check.rep_field}__in": list(rep_ids)})
            .values(check.rep_field)
            .annotate(n=Count("id"))
            .order_by()
        )
        for r in rows:
            out[(r[check.rep_field], check.name)] = r["n"]
    return out


def hygiene(f: Filters, now=None) -> Table:
    people = dict(reps(f).values_list("pk", "username"))
    counts_by = counts(f, people, now)
    table = Table(HEADER)
    for pk, username in sorted(people.items(), key=lambda p: p[1]):
        for check in CHECKS:
            table.add(
                [username, check.name, counts_by.get((pk, check.name), 0)],
                {"count": {"rep": username, "check": check.name}},
            )
    totals = [sum(n for (_, c), n in counts_by.items() if c == check.name) for check in CHECKS]
    table.chart = chart("bar", [c.title for c in CHECKS], [("Records", totals)])
    table.extra["titles"] = {c.name: c.title for c in CHECKS}
    table.extra["flags"] = FlagSummary(f, people)
    return table


# -- AUTO-2's stored flags -------------------------------------------------------------------

FLAG_PREFIX = "flag_"
FLAG_KINDS = HygieneFlag.Kind
# The records a flag of each kind points at (leads.services.hygiene raises them).
FLAGGED_MODELS = {
    FLAG_KINDS.BDR_NEXT_STEP: (Account,),
    FLAG_KINDS.SEQUENCE_STEP: (Enrollment,),
    FLAG_KINDS.NO_OUTREACH: (Lead, Contact),
}
AUTO_2 = "AUTO-2"


def flag_kind(check_name: str) -> str | None:
    """The flag kind a drill-down's `check=flag_<kind>` names, or None."""
    kind = check_name.removeprefix(FLAG_PREFIX)
    return kind if check_name.startswith(FLAG_PREFIX) and kind in FLAGGED_MODELS else None


def open_flags():
    return HygieneFlag.objects.filter(cleared_at__isnull=True)


def flag_counts(rep_ids) -> dict[tuple, int]:
    """{(rep id, kind): open flags}, one GROUP BY."""
    rows = (
        open_flags()
        .filter(owner_id__in=list(rep_ids))
        .values("owner", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["owner"], r["kind"]): r["n"] for r in rows}


def flagged(kind: str, rep) -> list:
    """The records behind `rep`'s open flags of `kind`: one queryset per kind of record."""
    flags = open_flags().filter(kind=kind, owner=rep)
    return [
        model.objects.filter(
            pk__in=flags.filter(content_type=ContentType.objects.get_for_model(model)).values(
                "object_id"
            )
        )
        for model in FLAGGED_MODELS[kind]
    ]


def auto_2_finished_at():
    """When the AUTO-2 job last finished a run; None if it never has."""
    names = [job.name for job in registry.all_jobs() if job.rule == AUTO_2]
    return (
        JobRun.objects.filter(name__in=names, state=JobRun.State.DONE)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )


@dataclass
class FlagSummary:
    """The page's AUTO-2 section for the reps of the filters. Read only when the page renders
    it: the CSV (CONTRACT 6.4) answers the ten checks and never queries the flags."""

    filters: Filters
    people: dict  # rep id -> username

    kinds = FLAG_KINDS.choices

    @cached_property
    def rows(self) -> list[tuple[str, list[tuple[str, int, str]]]]:
        """Per rep (by username): per kind, (kind, open flags, the drill-down's query)."""
        found = flag_counts(self.people)
        return [
            (
                username,
                [
                    (
                        kind,
                        found.get((pk, kind), 0),
                        urlencode(self.filters.query(rep=username, check=FLAG_PREFIX + kind)),
                    )
                    for kind, _ in self.kinds
                ],
            )
            for pk, username in sorted(self.people.items(), key=lambda p: p[1])
        ]

    @cached_property
    def finished_at(self):
        return auto_2_finished_at()
