from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from gtm_portal.core import records

from .models import Comment, Follow, Notification
from .services import EDIT_WINDOW


def thread_for(record, user, limit: int = 200) -> list[Comment]:
    """CHAT-1: newest first, replies one level deep — the latest `limit` threads with all
    their replies in one query (replies belong to the same record as their thread)."""
    ct = ContentType.objects.get_for_model(type(record))
    on_record = Comment.objects.filter(content_type=ct, object_id=record.pk)
    top = on_record.filter(parent__isnull=True).order_by("-created_at", "-id").values("pk")[:limit]
    rows = list(
        on_record.filter(Q(pk__in=top) | Q(parent_id__in=top))
        .select_related("author")
        .order_by("created_at", "id")
    )
    threads = {c.pk: c for c in rows if c.parent_id is None}
    for c in threads.values():
        c.reply_list = []
    for c in rows:
        if c.parent_id is not None and c.parent_id in threads:
            threads[c.parent_id].reply_list.append(c)
    comments = sorted(threads.values(), key=lambda c: (c.created_at, c.pk), reverse=True)
    cutoff = timezone.now() - EDIT_WINDOW
    for c in comments:
        for item in [c, *c.reply_list]:
            item.can_edit = (
                item.author_id == user.pk
                and item.kind == Comment.Kind.USER
                and item.created_at >= cutoff
            )
    return comments


def home_feed(user, limit: int = 15) -> list[Comment]:
    """Comments by others on records I own or follow, newest first (issue: home feed).

    One query per kind of record, not one query OR-ing them: under an OR PostgreSQL can only
    hash each "records I own" subquery, reading a rep's whole book (127k leads: 0.5 s) to find
    a few comments; alone, each is a semi-join it plans from whichever side is smaller (the
    newest comments for a busy rep, the rep's records for a quiet one), a few ms either way."""
    shown = Comment.objects.exclude(author=user).select_related("author", "content_type")
    branches = [
        shown.filter(
            content_type=ContentType.objects.get_for_model(kind.model),
            object_id__in=kind.model.objects.filter(owner=user).values("pk"),
        )
        for kind in records.kinds()
    ]
    follows: dict[int, list[int]] = {}
    for ct_id, oid in Follow.objects.filter(user=user).values_list("content_type_id", "object_id")[
        :1000
    ]:
        follows.setdefault(ct_id, []).append(oid)
    followed = Q(pk__in=[])  # no query at all when nothing is followed
    for ct_id, ids in follows.items():
        followed |= Q(content_type_id=ct_id, object_id__in=ids)
    branches.append(shown.filter(followed))
    found = {c.pk: c for qs in branches for c in qs.order_by("-created_at", "-id")[:limit]}
    return sorted(found.values(), key=lambda c: (c.created_at, c.pk), reverse=True)[:limit]


def inbox_for(user):
    return Notification.objects.filter(recipient=user).select_related("actor")


UNREAD_CAP = 100  # the bell says "99+" beyond this


def unread_ids(user):
    """CHAT-3: the user's unread notifications, at most UNREAD_CAP of them: the bell's
    number is counted from this (a user with thousands unread costs what one with a hundred
    costs; SPEC Q-PERF)."""
    return (
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .order_by()
        .values("id")[:UNREAD_CAP]
    )


def unread_count(user) -> int:
    return Notification.objects.filter(pk__in=unread_ids(user)).count()
