"""ROLE-4: a queue's list — the records a queue owns, for the people who work it, with a
claim button on each claimable record (ACCT-CLAIM through the claim page) — and the side
menu's count."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from gtm_portal.users.models import User

from . import access, records

PER_KIND = 100  # rows shown per kind of record; the count says how many there are
COUNT_CAP = 10_000


def _queue_for(request, pk: int) -> User:
    queue = get_object_or_404(User, pk=pk, kind=User.Kind.QUEUE)
    access.require(
        request.user,
        "queue.work",
        queue,
        f"ROLE-4: the {queue.display_name} list is for the people who work that queue.",
    )
    return queue


def _owned(model, queue):
    qs = model._default_manager.filter(owner=queue)
    if any(f.name == "merged_into" for f in model._meta.get_fields()):
        qs = qs.filter(merged_into__isnull=True)
    return qs


def queue_list(request, pk: int):
    queue = _queue_for(request, pk)
    sections = []
    for kind in records.kinds():
        if not any(f.name == "owner" for f in kind.model._meta.get_fields()):
            continue
        qs = _owned(kind.model, queue)
        rows = list(qs.order_by("-updated_at", "-pk")[:PER_KIND])
        sections.append(
            {
                "kind": kind,
                "title": kind.model._meta.verbose_name_plural.capitalize(),
                "rows": rows,
                "count": qs.order_by()[: COUNT_CAP + 1].count()
                if len(rows) == PER_KIND
                else len(rows),
                # Every row has the same owner: one answer for the kind.
                "can_claim": bool(
                    kind.claimable and rows and access.can(request.user, "record.claim", rows[0])
                ),
            }
        )
    return TemplateResponse(
        request,
        "records/queue_list.html",
        {"queue": queue, "sections": sections, "cap": COUNT_CAP},
    )


def queue_count(request, pk: int):
    """The side menu's count for one queue (fetched after the page, HTMX)."""
    try:
        queue = _queue_for(request, pk)
    except Http404:
        return HttpResponse("", status=404)
    total = 0
    for kind in records.kinds():
        if any(f.name == "owner" for f in kind.model._meta.get_fields()):
            total += _owned(kind.model, queue).order_by()[: COUNT_CAP + 1].count()
    label = f"{COUNT_CAP:,}+" if total > COUNT_CAP else f"{total:,}"
    return HttpResponse(f'<span class="badge text-bg-light border">{label}</span>')
