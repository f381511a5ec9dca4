"""Reads the frame and the home page need (STYLE 3).

Core knows no domain app (STYLE 1): the domain apps add their home-page panels and side-menu
entries through `register_home_panel` and `register_menu` (from their `hooks.register()`),
as they add the record page's action bar through `recordpage.register_person_actions`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db.models import CharField, Count, IntegerField, Value
from django.db.models.functions import Cast
from django.utils import timezone

from gtm_portal.activity.enums import TaskStatus
from gtm_portal.activity.models import Task
from gtm_portal.chatter.models import Notification
from gtm_portal.chatter.selectors import UNREAD_CAP, home_feed, unread_ids
from gtm_portal.users import roles
from gtm_portal.users.models import User

from . import access
from .labels import select_labels

_home_panels: dict[str, Callable] = {}
_menus: dict[str, Callable] = {}


def register_home_panel(name: str, provider: Callable) -> None:
    """`provider(user)` gives the home page's `name` (accounts: the transfers to decide;
    opportunities: stale opportunities and the SAO approvals count)."""
    _home_panels[name] = provider


def register_menu(name: str, provider: Callable) -> None:
    """`provider(user)` gives the side menu's `name` entries (leads: the user's lead view
    codes; opportunities: the AE's views as (code, title))."""
    _menus[name] = provider


@dataclass
class Frame:
    unread: int
    roles: list[str]
    menus: dict = field(default_factory=dict)  # the registered side-menu entries, by name
    is_bdr: bool = False
    is_marketing_ops: bool = False
    is_manager: bool = False
    can_admin: bool = False
    queues: list = field(default_factory=list)
    unread_cap: int = 0


def load_frame_rows(user) -> tuple[list[tuple[int, str]], int]:
    """One query for the user's roles, queue memberships and unread count (the frame's query
    budget, SPEC Q-PERF); primes `user.role_names` so the access helper does not ask again."""
    roles_q = (
        Group.objects.filter(user=user)
        .annotate(queue_id=Value(0, output_field=IntegerField()))
        .order_by()
        .values_list("queue_id", "name")
    )
    queues_q = User.objects.filter(queue_members=user).order_by().values_list("id", "display_name")
    unread_q = (
        Notification.objects.filter(pk__in=unread_ids(user))
        .order_by()
        .values("recipient")
        .annotate(queue_id=Value(-1, output_field=IntegerField()), n=Cast(Count("id"), CharField()))
        .values_list("queue_id", "n")
    )
    rows = list(roles_q.union(queues_q, unread_q, all=True))
    user.__dict__["role_names"] = frozenset(name for qid, name in rows if qid == 0)
    unread = next((int(n) for qid, n in rows if qid == -1), 0)
    return sorted((qid, name) for qid, name in rows if qid > 0), unread


def frame_for_user(user) -> Frame:
    user.role_names  # noqa: B018  loads the frame rows once per request
    queues, unread = getattr(user, "frame_rows", None) or load_frame_rows(user)
    names = user.role_names
    return Frame(
        unread=unread,
        unread_cap=UNREAD_CAP,
        roles=sorted(names),
        menus={name: provider(user) for name, provider in _menus.items()},
        is_bdr=bool(names & {roles.BDR, roles.BDR_MANAGER}),
        is_marketing_ops=roles.MARKETING_OPS in names,
        is_manager=bool(names & roles.MANAGERS),
        can_admin=user.is_superuser or access.can(user, "admin.access"),
        queues=queues,
    )


def home_for_user(user) -> dict:
    """The home page: my open tasks, unread notifications, the comments feed and the panels
    the domain apps registered."""
    today = timezone.localdate()
    # Each task names its record: labels only (four wide joins cost more to plan than to run).
    mine = select_labels(
        Task.objects.filter(owner=user, status=TaskStatus.OPEN),
        "lead",
        "contact",
        "account",
        "opportunity",
    )
    notifications = list(
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .select_related("actor")
        .order_by("-created_at", "-id")[:10]
    )
    return {
        "tasks_due": list(mine.filter(due_date__lte=today).order_by("due_date", "id")[:25]),
        "tasks_upcoming": list(mine.filter(due_date__gt=today).order_by("due_date", "id")[:10]),
        "notifications": notifications,
        "feed": home_feed(user),
        "today": today,
        **{name: provider(user) for name, provider in _home_panels.items()},
    }
