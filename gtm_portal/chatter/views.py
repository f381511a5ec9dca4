from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gtm_portal.core.lists import keyset_page
from gtm_portal.core.records import record_or_404
from gtm_portal.users.models import User

from . import decisions, services
from .mentions import GROUP_HANDLES
from .models import Comment
from .selectors import UNREAD_CAP, inbox_for
from .selectors import unread_count as count_for


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _back(record, anchor="comments"):
    return HttpResponseRedirect(f"{record.get_absolute_url()}#{anchor}")


@require_POST
def comment_create(request, kind: str, pk: int):
    """CONTRACT 6: POST /<kind>/<id>/comments/ with `body` (and optional `parent`) → 302."""
    record = record_or_404(kind, pk)
    parent = None
    if request.POST.get("parent"):
        try:
            parent = Comment.objects.get(pk=int(request.POST["parent"]))
        except (ValueError, Comment.DoesNotExist):
            messages.error(request, "CHAT-1: the comment you replied to no longer exists.")
            return _back(record)
    try:
        services.comment_post(
            record=record, author=request.user, body=request.POST.get("body", ""), parent=parent
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied as exc:
        raise exc
    return _back(record)


@require_POST
def comment_edit(request, kind: str, pk: int, comment_id: int):
    record = record_or_404(kind, pk)
    comment = get_object_or_404(Comment, pk=comment_id, object_id=record.pk)
    try:
        services.comment_edit(comment=comment, by=request.user, body=request.POST.get("body", ""))
        messages.success(request, "Comment updated.")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return _back(record)


@require_POST
def follow_toggle(request, kind: str, pk: int):
    record = record_or_404(kind, pk)
    following = services.follow_set(
        user=request.user, record=record, follow=request.POST.get("follow") == "1"
    )
    messages.success(
        request,
        "You follow this record: every comment reaches your inbox."
        if following
        else "You no longer follow this record.",
    )
    return _back(record, "top")


def inbox(request):
    """CHAT-3: the user's own notifications, newest first (never anyone else's)."""
    qs = inbox_for(request.user)
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    page = keyset_page(qs, request)
    decisions.attach(request.user, page.rows)  # decide where the notification leads (UX)
    return TemplateResponse(
        request,
        "chatter/inbox.html",
        {"page": page, "unread_only": request.GET.get("unread") == "1"},
    )


@require_POST
def mark_read(request):
    ids = None
    if request.POST.get("id"):
        try:
            ids = [int(request.POST["id"])]
        except ValueError:
            ids = []
    services.notifications_mark_read(user=request.user, ids=ids)
    target = request.POST.get("next") or "/notifications/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/notifications/"
    return HttpResponseRedirect(target)


def open_notification(request, pk: int):
    """Mark a notification read and go to its record."""
    n = get_object_or_404(inbox_for(request.user), pk=pk)
    services.notifications_mark_read(user=request.user, ids=[n.pk])
    target = n.record_url or "/notifications/"
    if n.comment_id:
        target += "#comments"
    return HttpResponseRedirect(target)


def unread_count(request):
    """HTMX: the bell's badge, polled by the top bar."""
    return TemplateResponse(
        request, "chatter/_bell.html", {"unread": count_for(request.user), "unread_cap": UNREAD_CAP}
    )


def mention_autocomplete(request):
    """CHAT-2: handles that start with what the user typed (people and group handles)."""
    q = (request.GET.get("q") or "").lstrip("@").strip().lower()[:50]
    people = User.objects.people().filter(is_active=True)
    if q:
        people = people.filter(
            Q(username__istartswith=q) | Q(first_name__istartswith=q) | Q(last_name__istartswith=q)
        )
    results = [
        {"handle": "@" + u.username, "label": u.label} for u in people.order_by("username")[:8]
    ]
    results += [
        {"handle": "@" + h, "label": f"everyone in {g}"}
        for h, g in GROUP_HANDLES.items()
        if h.startswith(q)
    ]
    return JsonResponse({"results": results})
