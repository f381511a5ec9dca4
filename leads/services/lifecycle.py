"""REPORT-FUNNEL lifecycle stamps: the first moment a person reached each lifecycle status.

Written when a person is created and whenever the status service saves a new status
(`person_rows.save_person`, and the set-based re-score); reaching a funnel status also stamps
the funnel statuses before it that the person skipped (an MQL straight from Raw has passed
Inquiry), at the same moment. Stamps are never moved by a later re-score or recycle: the
first moment stays (unique per person and status, later inserts are ignored). On merge and
conversion they move to the survivor, the earlier moment winning (`stamps_move`)."""

from django.db import connection, transaction
from django.db.models.signals import post_save
from django.utils import timezone

from accounts.models import Contact
from gtm_portal.core.enums import PersonStatus as S

from ..models import LifecycleStamp

# The person part of the funnel, in order (REPORT-FUNNEL).
FUNNEL_STATUSES = (S.RAW, S.INQUIRY, S.MQL, S.ACCEPTED, S.QUALIFYING)


def implied_statuses(status: str) -> list[str]:
    """The statuses a person at `status` has reached: itself, and in the funnel every stage
    before it (Raw first)."""
    if status in FUNNEL_STATUSES:
        return list(FUNNEL_STATUSES[: FUNNEL_STATUSES.index(status) + 1])
    return [S.RAW, status]


def _link(person) -> dict:
    return {"contact_id" if isinstance(person, Contact) else "lead_id": person.pk}


def person_stamp(person, at=None) -> None:
    """Stamp the person's current status (and the funnel stages it implies) unless already
    stamped; Raw is the moment the record was created."""
    at = at or timezone.now()
    link = _link(person)
    rows = [
        LifecycleStamp(
            **link,
            status=status,
            reached_at=(person.created_at or at) if status == S.RAW else at,
        )
        for status in implied_statuses(person.status)
    ]
    LifecycleStamp.objects.bulk_create(rows, ignore_conflicts=True)


def stamps_for_moves(model, moves, at) -> None:
    """Set-based: `moves` are (pk, old status, new status) of one model's rows, all at `at`
    (the re-score batch)."""
    key = "contact_id" if model is Contact else "lead_id"
    rows = [
        LifecycleStamp(**{key: pk}, status=status, reached_at=at)
        for pk, _old, new in moves
        for status in implied_statuses(new)
        if status != S.RAW
    ]
    LifecycleStamp.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)


@transaction.atomic
def stamps_move(*, source, target) -> None:
    """Merge and conversion keep the stamps: the target ends with, per status, the earlier of
    its own and the source's moment."""
    theirs = {s.status: s for s in LifecycleStamp.objects.filter(**_link(target))}
    for mine in LifecycleStamp.objects.filter(**_link(source)):
        kept = theirs.get(mine.status)
        if kept is None:
            LifecycleStamp.objects.filter(pk=mine.pk).update(
                **{"lead_id": None, "contact_id": None, **_link(target)}
            )
            continue
        if mine.reached_at < kept.reached_at:
            LifecycleStamp.objects.filter(pk=kept.pk).update(reached_at=mine.reached_at)
        mine.delete()


def _created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        person_stamp(instance, at=instance.created_at)


def connect_signals() -> None:
    """A person created by any path (intake, import, order, a form) starts with its stamps."""
    from ..models import Lead  # noqa: PLC0415  the app registry is ready only in ready()

    for model in (Lead, Contact):
        post_save.connect(_created, sender=model, dispatch_uid=f"lifecycle-{model.__name__}")


def _statuses_reaching(status: str) -> list[str]:
    """The current statuses that imply `status` was reached."""
    if status == S.RAW:
        return list(S.values)
    if status in FUNNEL_STATUSES:
        return list(FUNNEL_STATUSES[FUNNEL_STATUSES.index(status) :])
    return [status]


def stamps_fill(model) -> int:
    """Set-based: stamp every person of `model` that lacks the stamps its current status
    implies (rows written in bulk by the demo generator or an import skip the per-row
    service); the moment is the MQL date for MQL, else the creation. One INSERT … SELECT
    per status (SPEC Q-PERF: a million people in seconds)."""
    key = "contact_id" if model is Contact else "lead_id"
    stamp, person = LifecycleStamp._meta.db_table, model._meta.db_table
    written = 0
    with connection.cursor() as cursor:
        for status in S.values:
            reaching = _statuses_reaching(status)
            marks = ", ".join(["%s"] * len(reaching))
            cursor.execute(
                f"INSERT INTO {stamp} ({key}, status, reached_at) "
                f"SELECT p.id, %s, CASE WHEN %s = 'MQL' AND p.mql_date IS NOT NULL "
                f"THEN p.mql_date ELSE p.created_at END FROM {person} p "
                f"WHERE p.status IN ({marks}) AND NOT EXISTS (SELECT 1 FROM {stamp} s "
                f"WHERE s.{key} = p.id AND s.status = %s)",
                [status, status, *reaching, status],
            )
            written += cursor.rowcount
    return written
