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
    opportunity_views: list = field(default_factory=list)   # the AE's views (code, title)
    is_bdr: bool = False
    is_marketing_ops: bool = False
    is_manager: bool = False
    can_admin: bool = False
    queues: list = field(default_factory=list)
    unread_cap: int = 0


def load_frame_rows(user) -> tuple[list[tuple[int, str]], int]:
    """One query for the user's roles, queue memberships and unread count (the frame's query
    budget, SPEC Q-PERF); primes `user.role_names` so the access helper does not ask again."""
    from django.contrib.auth.models import Group
    from django.db.models import CharField, Count, IntegerField, Value
    from django.db.models.functions import Cast

    from gtm_portal.chatter.models import Notification
    from gtm_portal.chatter.selectors import unread_ids
    from gtm_portal.users.models import User

    roles_q = (Group.objects.filter(user=user)
               .annotate(queue_id=Value(0, output_field=IntegerField()))
               .order_by().values_list("queue_id", "name"))
    queues_q = User.objects.filter(queue_members=user).order_by().values_list("id",
                                                                              "display_name")
    unread_q = (Notification.objects.filter(pk__in=unread_ids(user)).order_by()
                .values("recipient").annotate(queue_id=Value(-1, output_field=IntegerField()),
                                              n=Cast(Count("id"), CharField()))
                .values_list("queue_id", "n"))
    rows = list(roles_q.union(queues_q, unread_q, all=True))
    user.__dict__["role_names"] = frozenset(name for qid, name in rows if qid == 0)
    unread = next((int(n) for qid, n in rows if qid == -1), 0)
    return sorted((qid, name) for qid, name in rows if qid > 0), unread


def frame_for_user(user) -> Frame:
    user.role_names  # noqa: B018  loads the frame rows once per request
    queues, unread = getattr(user, "frame_rows", None) or load_frame_rows(user)
    names = user.role_names
    views: list[str] = []
    for role, codes in LEAD_VIEWS_BY_ROLE.items():
        if role in names:
            views += [c for c in codes if c not in views]
    from gtm_portal.chatter.selectors import UNREAD_CAP
    from opportunities.views_catalog import OPPORTUNITY_VIEWS

    return Frame(
        unread=unread, unread_cap=UNREAD_CAP,
        roles=sorted(names),
        lead_views=views,
        opportunity_views=([(v.code, v.title) for v in OPPORTUNITY_VIEWS.values()]
                           if roles.AE in names else []),
        is_bdr=bool(names & {roles.BDR, roles.BDR_MANAGER}),
        is_marketing_ops=roles.MARKETING_OPS in names,
        is_manager=bool(names & roles.MANAGERS),
        can_admin=user.is_superuser or access.can(user, "admin.access"),
        queues=queues,
    )


def home_for_user(user) -> dict:
    from gtm_portal.activity.enums import TaskStatus
    from gtm_portal.activity.models import Task
    from gtm_portal.chatter.models import Notification

    today = timezone.localdate()
    from .labels import select_labels

    # Each task names its record: labels only (four wide joins cost more to plan than to run).
    mine = select_labels(Task.objects.filter(owner=user, status=TaskStatus.OPEN),
                         "lead", "contact", "account", "opportunity")
    tasks = list(mine.filter(due_date__lte=today).order_by("due_date", "id")[:25])
    upcoming = list(mine.filter(due_date__gt=today).order_by("due_date", "id")[:10])
    notifications = list(
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .select_related("actor").order_by("-created_at", "-id")[:10]
    )
    from gtm_portal.chatter.selectors import home_feed
    from opportunities.selectors import sao_pending_count, stale_opportunities_for

    return {
        "transfers": transfers_to_decide(user),"tasks_due": tasks, "tasks_upcoming": upcoming, "notifications": notifications,
            "feed": home_feed(user), "today": today,
            "stale_opportunities": stale_opportunities_for(user),   # OPP-STALE
            "sao_pending": sao_pending_count(user) if user.role_names & roles.MANAGERS else 0}


def transfers_to_decide(user, limit: int = 20) -> list:
    """ACCT-CLAIM 2/3: pending transfer requests for records I own or my reports own (and
    AE-owned ones for Sales Support)."""
    from django.db.models import Q

    from accounts.models import TransferRequest

    q = Q(owner_at_request=user) | Q(owner_at_request__manager=user)
    if roles.SALES_SUPPORT in user.role_names:
        q |= Q(owner_at_request__groups__name=roles.AE)
    requests = list(TransferRequest.objects.filter(q, state="pending").exclude(requester=user)
                    .select_related("requester", "owner_at_request", "content_type")
                    .order_by("created_at").distinct()[:limit])
    # Q-CONC: the decide form posts the version of the record as shown (one query per kind of
    # record among the pending requests; none when there are none).
    by_kind: dict = {}
    for t in requests:
        by_kind.setdefault(t.content_type, []).append(t)
    for ct, group in by_kind.items():
        versions = dict(ct.model_class().objects.filter(pk__in=[t.object_id for t in group])
                        .values_list("pk", "version"))
        for t in group:
            t.record_version = versions.get(t.object_id)
    return requests
