"""AUTO-2 hygiene flags, stored for the hygiene report (`jobs.HygieneFlag`): overdue BDR next
step dates (accounts), overdue sequence steps (active enrollments), and Qualifying people
without outreach (no outbound sales activity in the past 30 days, ACT-1). Each daily run
raises a flag for a problem that has none open and clears open flags whose problem is gone,
so a second run changes nothing."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Account, Contact
from gtm_portal.activity.enums import Direction, EnrollmentState
from gtm_portal.activity.models import Activity, Enrollment
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.jobs.models import HygieneFlag

from ..models import Lead

OUTREACH_DAYS = 30
K = HygieneFlag.Kind


def _at_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def overdue_next_steps(now) -> dict[int, tuple]:
    rows = Account.objects.filter(
        bdr_next_step_date__lt=timezone.localdate(now), merged_into__isnull=True
    ).values_list("pk", Coalesce("bdr_assigned_id", "owner_id"), "bdr_next_step_date")
    return {pk: (owner, _at_midnight(day)) for pk, owner, day in rows}


def overdue_sequence_steps(now) -> dict[int, tuple]:
    rows = Enrollment.objects.filter(
        state=EnrollmentState.ACTIVE, next_step_due__lt=now
    ).values_list("pk", Coalesce("lead__owner_id", "contact__owner_id"), "next_step_due")
    return {pk: (owner, due) for pk, owner, due in rows}


def qualifying_without_outreach(model, now) -> dict[int, tuple]:
    cutoff = now - datetime.timedelta(days=OUTREACH_DAYS)
    kind = "lead" if model is Lead else "contact"
    outreach = Activity.objects.filter(
        **{kind: OuterRef("pk")},
        is_sales=True,
        direction=Direction.OUTBOUND,
        occurred_at__gte=cutoff,
    )
    qs = model.objects.filter(status=S.QUALIFYING, merged_into__isnull=True).filter(
        ~Exists(outreach)
    )
    return {pk: (owner, None) for pk, owner in qs.values_list("pk", "owner_id")}


def sync_flags(kind: str, model, current: dict[int, tuple], now) -> dict:
    """Raise the flags `current` has and no open flag does; clear the open flags it lacks."""
    ct = ContentType.objects.get_for_model(model)
    try:
        with transaction.atomic():
            open_flags = dict(
                HygieneFlag.objects.select_for_update()
                .filter(kind=kind, content_type=ct, cleared_at__isnull=True)
                .values_list("object_id", "pk")
            )
            gone = [pk for obj, pk in open_flags.items() if obj not in current]
            for start in range(0, len(gone), 5000):
                HygieneFlag.objects.filter(pk__in=gone[start : start + 5000]).update(cleared_at=now)
            raised = HygieneFlag.objects.bulk_create(
                [
                    HygieneFlag(
                        kind=kind,
                        content_type=ct,
                        object_id=obj,
                        owner_id=owner,
                        due=due,
                        raised_at=now,
                    )
                    for obj, (owner, due) in current.items()
                    if obj not in open_flags
                ],
                batch_size=5000,
            )
    except IntegrityError:  # a concurrent run raised them first: that run counts them
        return {"raised": 0, "cleared": 0}
    return {"raised": len(raised), "cleared": len(gone)}


def hygiene_flags(*, now=None) -> dict:
    now = now or timezone.now()
    totals = {"raised": 0, "cleared": 0}
    for kind, model, current in (
        (K.BDR_NEXT_STEP, Account, overdue_next_steps(now)),
        (K.SEQUENCE_STEP, Enrollment, overdue_sequence_steps(now)),
        (K.NO_OUTREACH, Lead, qualifying_without_outreach(Lead, now)),
        (K.NO_OUTREACH, Contact, qualifying_without_outreach(Contact, now)),
    ):
        for key, n in sync_flags(kind, model, current, now).items():
            totals[key] += n
    return {"flags_raised": totals["raised"], "flags_cleared": totals["cleared"]}
