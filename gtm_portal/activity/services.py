import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from gtm_portal.core import access
from gtm_portal.core.access import is_manager_above
from gtm_portal.core.bulk import insert_values
from gtm_portal.core.first_touch import minutes_to_first_touch

from .enums import SALES_ACTIVITY_KINDS, Direction, TaskStatus
from .models import Activity, Task


def is_sales(kind: str, logged_by) -> bool:
    """ACT-1: a call, e-mail, meeting, LinkedIn message, chat or note logged by a user."""
    return kind in SALES_ACTIVITY_KINDS and logged_by is not None


def activity_record(
    *,
    kind: str,
    occurred_at=None,
    logged_by=None,
    lead=None,
    contact=None,
    account=None,
    opportunity=None,
    subject: str = "",
    body: str = "",
    direction: str = Direction.OUTBOUND,
    two_way: bool = False,
    outcome: str = "",
    form_kind: str = "",
    validate: bool = True,
) -> Activity:
    """ACT-1: store an activity; it is *sales* activity only when a user logged a call,
    e-mail, meeting, LinkedIn message, chat or note."""
    activity = Activity(
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        logged_by=logged_by,
        lead=lead,
        contact=contact,
        account=account,
        opportunity=opportunity,
        subject=subject[:255],
        body=body,
        direction=direction,
        two_way=two_way,
        outcome=outcome,
        form_kind=form_kind,
        is_sales=is_sales(kind, logged_by),
    )
    if validate:  # system callers (intake) pass values they already validated
        activity.full_clean()
    activity.save()
    if direction == Direction.OUTBOUND and logged_by is not None:
        mark_first_touch(person=lead or contact, by=logged_by, at=activity.occurred_at)
    return activity


def mark_first_touch(*, person, by, at) -> bool:
    """ROUTE-4: the first outbound activity (or sequence enrollment) by the owner stops the
    SLA clock. Set once; later touches change nothing."""
    if person is None:
        return False
    untouched = type(person).objects.filter(pk=person.pk, owner=by, first_touch_at__isnull=True)
    found = list(untouched.values_list("mql_date", flat=True)[:1])
    if not found:
        return False
    minutes = minutes_to_first_touch(found[0], at, by)
    return bool(untouched.update(first_touch_at=at, first_touch_minutes=minutes))


def task_create(
    *, owner, by, subject: str, due_date, lead=None, contact=None, account=None, opportunity=None
):
    """ACT-2: a task for its owner on a record. A task on a person is an edit of it
    (ROLE-3: others read and comment); `by=None` is the system."""
    if by is not None and (lead or contact) is not None:
        require_person_edit(by, lead or contact, "add a task to")
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError({"subject": "ACT-2: say what needs doing."}, code="ACT-2")
    if due_date is None:
        raise ValidationError({"due_date": "ACT-2: give a due date."}, code="ACT-2")
    task = Task(
        subject=subject[:255],
        due_date=due_date,
        owner=owner,
        created_by=by,
        lead=lead,
        contact=contact,
        account=account,
        opportunity=opportunity,
    )
    task.full_clean()
    task.save()
    return task


def task_complete(*, task, by):
    """ACT-2: the task's owner (or someone above them) marks it done; done stays done."""
    if task.owner_id != by.pk and not is_manager_above(by, task.owner):
        raise PermissionDenied("ACT-2: only the task's owner or their manager completes it.")
    if task.status == TaskStatus.DONE:
        return task
    task.status = TaskStatus.DONE
    task.done_at = timezone.now()
    task.save(update_fields=["status", "done_at", "updated_at"])
    return task


def require_person_edit(user, person, what: str) -> None:
    """ROLE-3: logging an activity or a task on a lead/contact is an edit — its owner, the
    owner's manager, Marketing Ops and Sales Support; others read and comment."""
    access.require(
        user,
        "person.edit",
        person,
        message=f"ROLE-3: only those who may edit {person} may {what} it; others read and comment.",
    )


# UX: "a short undo follows quick actions" — the dialog offers it for a few seconds; the
# server takes it back for a minute (a slow click, a slow network).
UNDO_SECONDS = 60


@transaction.atomic
def activity_undo(*, activity_id: int, task_id: int | None, by, now=None) -> Activity:
    """Take back an activity its logger just logged, with the follow-up task logged with
    it; a first touch it made (ROUTE-4) goes to the owner's next outbound activity, or is
    cleared so the SLA clock runs again. Only activities that changed nothing else are
    offered an undo (the view signs those alone)."""
    now = now or timezone.now()
    activity = Activity.objects.select_for_update().filter(pk=activity_id, logged_by=by).first()
    if activity is None or now - activity.created_at > datetime.timedelta(seconds=UNDO_SECONDS):
        raise ValidationError(
            "ACT-1: this activity can no longer be undone; it stays on the record.",
            code="ACT-1",
        )
    person = activity.person
    link = {"lead": person} if activity.lead_id else {"contact": person}
    if person is not None and person.first_touch_at == activity.occurred_at:
        later = (
            Activity.objects.filter(
                **link, direction=Direction.OUTBOUND, logged_by_id=person.owner_id
            )
            .exclude(pk=activity.pk)
            .order_by("occurred_at")
            .values_list("occurred_at", flat=True)
            .first()
        )
        type(person).objects.filter(pk=person.pk).update(
            first_touch_at=later,
            first_touch_minutes=minutes_to_first_touch(person.mql_date, later, person.owner),
        )
    if task_id:
        Task.objects.filter(
            pk=task_id,
            created_by=by,
            status=TaskStatus.OPEN,
            **link,
        ).delete()
    activity.delete()
    return activity


def activities_for_leads(
    lead_ids: list[int], *, kind: str, subject: str, occurred_at=None, direction=Direction.INBOUND
) -> int:
    """ACT-1: the same system activity (nobody logged it: never sales activity) on many
    leads — a list import's "Imported from list …" — in one statement (SPEC Q-PERF); the
    columns `activity_record` fills. Returns how many rows."""
    at = occurred_at or timezone.now()
    return insert_values(
        Activity,
        [
            "lead",
            "kind",
            "occurred_at",
            "subject",
            "body",
            "direction",
            "two_way",
            "is_sales",
            "form_kind",
            "outcome",
            "created_at",
        ],
        [
            (pk, kind, at, subject[:255], "", direction, False, is_sales(kind, None), "", "", at)
            for pk in lead_ids
        ],
    )
