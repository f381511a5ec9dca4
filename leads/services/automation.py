"""AUTO-1, every 5 minutes: SLA breaches (ROUTE-4) told to the owner and the owner's manager
once — one digest notification per person per run — and enrollments finished 7 days ago
without a reply moved to Recycle through the status machine (SEQ-2). Each due row is claimed
under a skip-locked row lock and marked done in the same transaction (`JobMark`, unique), so
two runs or two workers never act twice on it."""

import datetime
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from accounts.models import Contact
from gtm_portal.activity.enums import Direction, EnrollmentState
from gtm_portal.activity.models import Activity, Enrollment
from gtm_portal.chatter.models import Notification
from gtm_portal.chatter.services import notify_many
from gtm_portal.core.enums import OPEN_PERSON_STATUSES
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.jobs.models import JobMark
from gtm_portal.jobs.runner import claimable, mark_once
from gtm_portal.users.models import User

from ..models import Lead
from ..workflow import Via
from .persons import person_change_status

RECYCLE_AFTER = datetime.timedelta(days=7)
RECYCLE_BATCH = 200
PEOPLE = (("lead", Lead), ("contact", Contact))


def _breach_job(kind: str) -> str:
    return f"sla_breach:{kind}"


def breached(model, kind: str, now):
    """ROUTE-4: open people past their stored deadline with no first touch before it, not
    yet told (a mark made after the deadline passed covers it)."""
    told = JobMark.objects.filter(
        job=_breach_job(kind), subject_id=OuterRef("pk"), created_at__gte=OuterRef("sla_due")
    )
    qs = model.objects.filter(
        Q(first_touch_at__isnull=True) | Q(first_touch_at__gt=F("sla_due")),
        sla_due__lt=now,
        status__in=OPEN_PERSON_STATUSES,
        owner__kind=User.Kind.PERSON,
        merged_into__isnull=True,
    ).filter(~Exists(told))
    if model is Lead:
        qs = qs.filter(converted_at__isnull=True)
    return qs


def _digest(owners: Counter) -> list[dict]:
    """One notification per person: their own breaches and their team's (the owners they
    manage)."""
    managers = dict(User.objects.filter(pk__in=list(owners)).values_list("pk", "manager_id"))
    team: Counter = Counter()
    for owner_id, n in owners.items():
        if managers.get(owner_id):
            team[managers[owner_id]] += n
    items = []
    for uid in sorted(set(owners) | set(team)):
        parts = []
        if owners.get(uid):
            parts.append(f"{owners[uid]} of your leads and contacts breached their SLA")
        if team.get(uid):
            parts.append(f"{team[uid]} SLA breaches in your team")
        items.append(
            dict(
                recipients=[uid],
                reason=Notification.Reason.SLA,
                message="; ".join(parts) + " (ROUTE-4): first touch was due and not made.",
            )
        )
    return items


@transaction.atomic
def notify_sla_breaches(*, now=None) -> dict:
    """The breaches not told yet, claimed and marked in one transaction with their digest
    notifications: nobody is told twice, and no breach is marked without its notification."""
    now = now or timezone.now()
    owners: Counter = Counter()
    breaches = 0
    for kind, model in PEOPLE:
        rows = list(claimable(breached(model, kind, now)).values_list("pk", "owner_id", "sla_due"))
        keys = {f"{kind}:{pk}:{due.isoformat()}": (pk, owner) for pk, owner, due in rows}
        new = mark_once(_breach_job(kind), {k: v[0] for k, v in keys.items()}, now=now)
        for key in new:
            owners[keys[key][1]] += 1
        breaches += len(new)
    items = _digest(owners)
    notify_many(items)
    return {"breaches": breaches, "notified": len(items)}


def recyclable(now):
    """SEQ-2: enrollments finished at least 7 days ago without a reply, not looked at yet,
    whose person has no later enrollment."""
    done = JobMark.objects.filter(job="seq_recycle", subject_id=OuterRef("pk"))
    later = Enrollment.objects.filter(started_at__gt=OuterRef("finished_at")).filter(
        Q(lead_id=OuterRef("lead_id"), lead__isnull=False)
        | Q(contact_id=OuterRef("contact_id"), contact__isnull=False)
    )
    return (
        Enrollment.objects.filter(
            state=EnrollmentState.FINISHED,
            replied=False,
            finished_at__lte=now - RECYCLE_AFTER,
        )
        .filter(~Exists(done))
        .filter(~Exists(later))
        .order_by("pk")
    )


def _answered(person, since) -> bool:
    """A response: a two-way inbound activity since the enrollment started."""
    link = {"lead": person} if isinstance(person, Lead) else {"contact": person}
    return Activity.objects.filter(
        **link, direction=Direction.INBOUND, two_way=True, occurred_at__gte=since
    ).exists()


def _recycle_one(enrollment, now) -> str:
    person = enrollment.lead or enrollment.contact
    if person is None or person.status == S.RECYCLE:
        return "unchanged"
    if person.status not in (S.ACCEPTED, S.QUALIFYING) or _answered(person, enrollment.started_at):
        return "unchanged"
    try:
        with transaction.atomic():
            person_change_status(
                person=person,
                to=S.RECYCLE,
                by=None,
                via=Via.NURTURE,
                reason=f"SEQ-2 (AUTO-1): {enrollment.sequence.name} finished "
                f"{enrollment.finished_at:%Y-%m-%d} without a reply",
                check_access=False,
            )
    except ValidationError as exc:
        return f"refused: enrollment {enrollment.pk}: {' '.join(exc.messages)}"
    return "recycled"


def recycle_finished_enrollments(*, now=None) -> dict:
    """Short transactions of RECYCLE_BATCH enrollments each; every enrollment looked at is
    marked in the transaction that acts on it."""
    now = now or timezone.now()
    counts: Counter = Counter()
    problems = []
    while True:
        with transaction.atomic():
            batch = list(
                claimable(recyclable(now)).select_related("lead", "contact", "sequence")[
                    :RECYCLE_BATCH
                ]
            )
            if not batch:
                break
            mark_once("seq_recycle", {f"enrollment:{e.pk}": e.pk for e in batch}, now=now)
            for enrollment in batch:
                outcome = _recycle_one(enrollment, now)
                if outcome.startswith("refused"):
                    problems.append(outcome)
                    counts["refused"] += 1
                else:
                    counts[outcome] += 1
    return {"recycled": counts["recycled"], "refused": counts["refused"], "problems": problems}


def sla_breaches(*, now=None) -> dict:
    """The `sla_breaches` job (AUTO-1)."""
    told = notify_sla_breaches(now=now)
    recycled = recycle_finished_enrollments(now=now)
    return {
        "changed": told["breaches"] + recycled["recycled"],
        **told,
        **recycled,
        "errors": recycled["refused"],
    }
