"""ROLE-4: a queue's list — the records a queue owns, for the people who work it, one kind of
record at a time (a tab each, with its capped count), newest first and keyset-paged, with a
claim button on each claimable record (ACCT-CLAIM through the claim page) — and the side
menu's count."""

from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from gtm_portal.users.models import User

from . import access, records
from .lists import COUNT_CAP, capped_count, keyset_page


def _queue_for(request, pk: int) -> User:
    queue = get_object_or_404(User, pk=pk, kind=User.Kind.QUEUE)
    access.require(
        request.user,
        "queue.work",
        queue,
        f"ROLE-4: the {queue.display_name} list is for the people who work that queue.",
    )
    return queue


def _owned_kinds() -> list[records.RecordKind]:
    return [
        k for k in records.kinds() if any(f.name == "owner" for f in k.model._meta.get_fields())
    ]


def _owned(model, queue):
    qs = model._default_manager.filter(owner=queue)
    if any(f.name == "merged_into" for f in model._meta.get_fields()):
        qs = qs.filter(merged_into__isnull=True)
    return qs


def queue_list(request, pk: int):
    queue = _queue_for(request, pk)
    kinds = _owned_kinds()
    counts = {k.url_kind: capped_count(_owned(k.model, queue)) for k in kinds}
    # `?kind=` picks the tab (an unknown value: the first kind with records, never an error).
    current = next((k for k in kinds if k.url_kind == request.GET.get("kind")), None) or next(
        (k for k in kinds if counts[k.url_kind][0]), kinds[0]
    )
    page = keyset_page(_owned(current.model, queue), request)
    tabs = [
        {
            "kind": k,
            "title": k.model._meta.verbose_name_plural.capitalize(),
            "count_label": f"{COUNT_CAP:,}+"
            if counts[k.url_kind][1]
            else f"{counts[k.url_kind][0]:,}",
            "active": k is current,
        }
        for k in kinds
    ]
    # Every row has the same owner: one answer for the kind.
    can_claim = bool(
        current.claimable and page.rows and access.can(request.user, "record.claim", page.rows[0])
    )
    return TemplateResponse(
        request,
        "records/queue_list.html",
        {
            "queue": queue,
            "tabs": tabs,
            "current": current,
            "page": page,
            "can_claim": can_claim,
            "query": urlencode({"kind": current.url_kind}),
        },
    )


def queue_count(request, pk: int):
    """The side menu's count for one queue (fetched after the page, HTMX)."""
    try:
        queue = _queue_for(request, pk)
    except Http404:
        return HttpResponse("", status=404)
    counts = [capped_count(_owned(k.model, queue)) for k in _owned_kinds()]
    total, capped = sum(n for n, _ in counts), any(c for _, c in counts)
    label = f"{COUNT_CAP:,}+" if capped or total > COUNT_CAP else f"{total:,}"
    return HttpResponse(f'<span class="badge text-bg-light border">{label}</span>')
