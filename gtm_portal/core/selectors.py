"""Reads the frame and the home page need (STYLE 3)."""
from dataclasses import dataclass, field

from django.utils import timezone

from gtm_portal.users import roles

from . import access

LEAD_VIEWS_BY_ROLE = {
    roles.SDR: ("S1", "S2", "S3"),
    roles.SDR_MANAGER: ("S1", "S2", "S3"),
    roles.BDR: ("B1", "B2", "B3", "B4", "B5"),
    roles.BDR_MANAGER: ("B1", "B2", "B3", "B4", "B5"),
}


@dataclass
class Frame:
    unread: int
    roles: list[str]
    lead_views: list[str] = field(default_factory=list)
    is_bdr: bool = False
    is_marketing_ops: bool = False
    is_manager: bool = False
    can_admin: bool = False
    queues: list = field(default_factory=list)


def frame_for_user(user) -> Frame:
    from gtm_portal.chatter.models import Notification

    names = user.role_names
    views: list[str] = []
    for role, codes in LEAD_VIEWS_BY_ROLE.items():
        if role in names:
            views += [c for c in codes if c not in views]
    return Frame(
        unread=Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        roles=sorted(names),
        lead_views=views,
        is_bdr=bool(names & {roles.BDR, roles.BDR_MANAGER}),
        is_marketing_ops=roles.MARKETING_OPS in names,
        is_manager=bool(names & roles.MANAGERS),
        can_admin=user.is_superuser or access.can(user, "admin.access"),
        queues=list(user.member_of_queues.values_list("id", "display_name")),
    )


def home_for_user(user) -> dict:
    from gtm_portal.activity.enums import TaskStatus
    from gtm_portal.activity.models import Task
    from gtm_portal.chatter.models import Notification

    today = timezone.localdate()
    tasks = list(
        Task.objects.filter(owner=user, status=TaskStatus.OPEN, due_date__lte=today)
        .select_related("lead", "contact", "account", "opportunity")
        .order_by("due_date", "id")[:25]
    )
    upcoming = list(
        Task.objects.filter(owner=user, status=TaskStatus.OPEN, due_date__gt=today)
        .select_related("lead", "contact", "account", "opportunity")
        .order_by("due_date", "id")[:10]
    )
    notifications = list(
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .select_related("actor").order_by("-created_at", "-id")[:10]
    )
    return {"tasks_due": tasks, "tasks_upcoming": upcoming, "notifications": notifications,
            "today": today}
