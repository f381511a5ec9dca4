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
    return activity
