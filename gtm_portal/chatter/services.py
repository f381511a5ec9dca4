"""Comments, mentions, follows and notifications (SPEC §8). Other apps post through
`comment_post` and `notify`; nothing else writes these tables."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gtm_portal.core import access
from gtm_portal.users.models import User

from .mentions import GROUP_HANDLES, handles_in
from .models import Comment, CommentRevision, Follow, Mention, Notification
from .tasks import email_notification, email_notifications

EDIT_WINDOW = datetime.timedelta(minutes=15)
MAX_BODY = 10_000


def _clean_body(body: str) -> str:
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise ValidationError({"body": "CHAT-1: write something before posting."}, code="CHAT-1")
    if len(body) > MAX_BODY:
        raise ValidationError(
            {"body": f"CHAT-1: a comment holds at most {MAX_BODY:,} characters."}, code="CHAT-1"
        )
    return body


def resolve_mentions(body: str) -> dict[int, str]:
    """CHAT-2: user id → the handle that named them; unknown handles name nobody."""
    handles = handles_in(body)
    if not handles:
        return {}
    found: dict[int, str] = {}
    group_names = {GROUP_HANDLES[h]: h for h in handles if h in GROUP_HANDLES}
    if group_names:
        members = User.objects.filter(
            groups__name__in=group_names, is_active=True, kind=User.Kind.PERSON
        ).values_list("id", "groups__name")
        for uid, group in members:
            found.setdefault(uid, "@" + group_names[group])
    usernames = [h for h in handles if h not in GROUP_HANDLES]
    if usernames:
        for uid, username in User.objects.filter(
            username__in=usernames, is_active=True, kind=User.Kind.PERSON
        ).values_list("id", "username"):
            found[uid] = "@" + username
    return found


def record_label(record) -> str:
    """The record's name as comments and notifications keep it (CHAT-1, CHAT-3)."""
    return str(record)[:255]


def _record_url(record) -> str:
    return record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""


class _RecordUrls:
    """Record URLs for a batch: resolved once per model, then the id swapped in."""

    def __init__(self):
        self.seen: dict = {}

    def __call__(self, record) -> str:
        known = self.seen.get(type(record))
        if known is not None:
            head, tail = known
            return f"{head}{record.pk}{tail}"
        url = _record_url(record)
        marker = f"/{record.pk}/"
        if record.pk and url.count(marker) == 1:
            head, tail = url.split(marker)
            self.seen[type(record)] = (f"{head}/", f"/{tail}")
        return url


def notify(
    *,
    recipients,
    reason: str,
    record=None,
    actor=None,
    message: str = "",
    comment: Comment | None = None,
) -> list[Notification]:
    """CHAT-3: one in-app notification per recipient (never the actor), e-mailed after commit."""
    return notify_many(
        [
            dict(
                recipients=recipients,
                reason=reason,
                record=record,
                actor=actor,
                message=message,
                comment=comment,
            )
        ]
    )


def notify_many(items) -> list[Notification]:
    """`notify` for many messages at once (routing batches): one INSERT for all of them. An
    item without a `record` (a digest) may give its own `label` and `url`."""
    now = timezone.now()
    batch = []
    urls = _RecordUrls()
    for item in items:
        actor_id = getattr(item.get("actor"), "pk", None)
        record = item.get("record")
        ids = []
        for user in item["recipients"]:
            uid = getattr(user, "pk", user)
            if uid and uid != actor_id and uid not in ids:
                ids.append(uid)
        if not ids:
            continue
        ct = ContentType.objects.get_for_model(type(record)) if record is not None else None
        # A digest (no single record) brings its own label and link.
        label = record_label(record) if record is not None else item.get("label", "")
        url = urls(record) if record is not None else item.get("url", "")
        batch += [
            Notification(
                recipient_id=uid,
                actor_id=actor_id,
                reason=item["reason"],
                message=(item.get("message") or "")[:500],
                content_type=ct,
                object_id=getattr(record, "pk", None),
                record_label=label,
                record_url=url,
                comment=item.get("comment"),
                created_at=now,
            )
            for uid in ids
        ]
    if not batch:
        return []
    rows = Notification.objects.bulk_create(batch)
    _email_after_commit(rows)
    return rows


def _email_after_commit(rows: list) -> None:
    """Queue the e-mails once the rows are committed."""

    def send():
        ids = [n.pk for n in rows]
        if len(ids) == 1:
            email_notification.delay(ids[0])
        else:
            email_notifications.delay(ids)

    transaction.on_commit(send)


def _followers(record) -> list[int]:
    ct = ContentType.objects.get_for_model(type(record))
    return list(
        Follow.objects.filter(content_type=ct, object_id=record.pk).values_list(
            "user_id", flat=True
        )
    )


@transaction.atomic
def comment_post(
    *,
    record,
    author,
    body: str,
    parent: Comment | None = None,
    kind: str = Comment.Kind.USER,
    topic: str = "",
    notify_users=(),
    notify_reason: str = Notification.Reason.INFO,
) -> Comment:
    """CHAT-1..4: post a comment (or a workflow's system comment) on a record.

    Mentioned users are notified once each ("mentioned"), followers get the rest; the author
    is never notified and starts following the record. `notify_users` lets a workflow name
    extra recipients (e.g. the manager who must decide), with `notify_reason`.
    """
    body = _clean_body(body)
    if kind == Comment.Kind.USER:
        access.require(author, "record.comment", record, "ROLE-3: you may not comment here.")
    ct = ContentType.objects.get_for_model(type(record))
    if parent is not None:
        if parent.content_type_id != ct.id or parent.object_id != record.pk:
            raise ValidationError("CHAT-1: reply to a comment on this record.", code="CHAT-1")
        if parent.parent_id:  # replies are one level deep: answer the thread's top comment
            parent = parent.parent
    comment = Comment.objects.create(
        content_type=ct,
        object_id=record.pk,
        parent=parent,
        author=author if getattr(author, "pk", None) else None,
        kind=kind,
        topic=topic,
        body=body,
        record_label=record_label(record),
        record_url=_record_url(record),
        created_at=timezone.now(),
    )
    mentioned = resolve_mentions(body)
    Mention.objects.bulk_create(
        [Mention(comment=comment, user_id=uid, handle=handle) for uid, handle in mentioned.items()]
    )
    if mentioned:
        comment.mention_handles = sorted({h.lower() for h in mentioned.values()})
        comment.save(update_fields=["mention_handles"])
    # A workflow's named recipients get its reason ("asks you to decide") even when the body
    # also mentions them; everyone else mentioned gets "mentioned"; followers the rest.
    extra = {getattr(u, "pk", u) for u in notify_users}
    notify(
        recipients=list(extra),
        reason=notify_reason,
        record=record,
        actor=author,
        message=body[:300],
        comment=comment,
    )
    notify(
        recipients=[uid for uid in mentioned if uid not in extra],
        reason=Notification.Reason.MENTIONED,
        record=record,
        actor=author,
        message=body[:300],
        comment=comment,
    )
    already = set(mentioned) | extra
    notify(
        recipients=[uid for uid in _followers(record) if uid not in already],
        reason=Notification.Reason.FOLLOWED,
        record=record,
        actor=author,
        message=body[:300],
        comment=comment,
    )
    if kind == Comment.Kind.USER and getattr(author, "pk", None):
        follow_set(user=author, record=record, follow=True)
    return comment


def comment_editable_until(comment: Comment) -> datetime.datetime:
    return comment.created_at + EDIT_WINDOW


@transaction.atomic
def comment_edit(*, comment: Comment, by, body: str) -> Comment:
    """CHAT-5: the author edits within 15 minutes; the earlier body is kept as a revision.
    Users mentioned for the first time by the edit are notified."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.kind != Comment.Kind.USER or comment.author_id != getattr(by, "pk", None):
        raise ValidationError("CHAT-5: only the author can edit a comment.", code="CHAT-5")
    if timezone.now() > comment_editable_until(comment):
        raise ValidationError(
            "CHAT-5: comments can be edited for 15 minutes after posting; "
            "post a new comment instead.",
            code="CHAT-5",
        )
    body = _clean_body(body)
    if body == comment.body:
        return comment
    CommentRevision.objects.create(comment=comment, body=comment.body, replaced_at=timezone.now())
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    before = set(comment.mentions.values_list("user_id", flat=True))
    mentioned = {uid: h for uid, h in resolve_mentions(body).items() if uid not in before}
    Mention.objects.bulk_create(
        [Mention(comment=comment, user_id=uid, handle=handle) for uid, handle in mentioned.items()]
    )
    if mentioned:
        comment.mention_handles = sorted(
            set(comment.mention_handles or ()) | {h.lower() for h in mentioned.values()}
        )
        comment.save(update_fields=["mention_handles"])
        notify(
            recipients=list(mentioned),
            reason=Notification.Reason.MENTIONED,
            record=comment.record,
            actor=by,
            message=body[:300],
            comment=comment,
        )
    return comment


def follow_set(*, user, record, follow: bool) -> bool:
    """CHAT-3: follow or unfollow a record; returns whether the user now follows it."""
    ct = ContentType.objects.get_for_model(type(record))
    if follow:
        try:
            with transaction.atomic():
                Follow.objects.get_or_create(user=user, content_type=ct, object_id=record.pk)
        except IntegrityError:  # a concurrent follow won; the outcome is the same
            pass
        return True
    Follow.objects.filter(user=user, content_type=ct, object_id=record.pk).delete()
    return False


def is_following(user, record) -> bool:
    ct = ContentType.objects.get_for_model(type(record))
    return Follow.objects.filter(user=user, content_type=ct, object_id=record.pk).exists()


def notifications_mark_read(*, user, ids=None) -> int:
    """CHAT-3: mark one, some or all of the user's own notifications read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
