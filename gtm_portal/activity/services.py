from django.utils import timezone

from .enums import SALES_ACTIVITY_KINDS, Direction
from .models import Activity


def activity_record(*, kind: str, occurred_at=None, logged_by=None, lead=None, contact=None,
                    account=None, opportunity=None, subject: str = "", body: str = "",
                    direction: str = Direction.OUTBOUND, two_way: bool = False,
                    form_kind: str = "") -> Activity:
    """ACT-1: store an activity; it is *sales* activity only when a user logged a call,
    e-mail, meeting, LinkedIn message, chat or note."""
    activity = Activity(
        kind=kind, occurred_at=occurred_at or timezone.now(), logged_by=logged_by, lead=lead,
        contact=contact, account=account, opportunity=opportunity, subject=subject[:255],
        body=body, direction=direction, two_way=two_way, form_kind=form_kind,
        is_sales=kind in SALES_ACTIVITY_KINDS and logged_by is not None,
    )
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
    return bool(type(person).objects.filter(pk=person.pk, owner=by, first_touch_at__isnull=True)
                .update(first_touch_at=at))
