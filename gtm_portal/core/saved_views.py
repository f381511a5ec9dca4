"""VIEW-4 saved views: save the current view's filters and sort under a name, open it, share
it with the team (managers), delete it."""

from urllib.parse import parse_qs, urlencode, urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from . import access
from .models import SavedView

KEEP = {
    "status",
    "region",
    "segment",
    "initial_source",
    "bucket",
    "score_min",
    "score_max",
    "owner",
    "created_from",
    "created_to",
    "sort",
    "size",
    "cols",
}
CODES = {
    "leads": {"S1", "S2", "S3", "B1", "B2", "B3", "B4", "B5"},
    "contacts": {"B1", "B2", "B3", "B4"},
    "accounts": {"B1", "B2", "B3"},
}


def visible_saved_views(user):
    """Mine, and those my manager shares with the team."""
    q = Q(owner=user)
    if user.manager_id:
        q |= Q(owner_id=user.manager_id, shared_with_team=True)
    return SavedView.objects.filter(q).select_related("owner").order_by("name")


def saved_view_create(
    *, owner, name: str, kind: str, code: str, query: dict, share: bool = False
) -> SavedView:
    name = (name or "").strip()
    if not name:
        raise ValidationError("VIEW-4: give the view a name.")
    if kind not in CODES or code not in CODES[kind]:
        raise ValidationError("VIEW-4: only the portal's views can be saved.")
    if share and not access.can(owner, "views.cover"):
        raise ValidationError("VIEW-4: only managers share views with their team.")
    params = urlencode([(k, v) for k, values in query.items() if k in KEEP for v in values])
    view = SavedView(
        owner=owner,
        name=name[:80],
        kind=kind,
        base_code=code,
        params=params[:1000],
        shared_with_team=share,
    )
    view.full_clean(validate_unique=False, validate_constraints=False)
    try:
        view.save()
    except IntegrityError:
        raise ValidationError(f"VIEW-4: you already have a view called “{name}”.") from None
    return view


@require_POST
def save_view(request, kind: str, code: str):

    back = request.POST.get("next") or f"/{kind}/views/{code}/"
    if not back.startswith(f"/{kind}/views/"):
        back = f"/{kind}/views/{code}/"

    query = parse_qs(urlsplit(back).query)
    try:
        with transaction.atomic():
            view = saved_view_create(
                owner=request.user,
                name=request.POST.get("name", ""),
                kind=kind,
                code=code.upper(),
                query=query,
                share=request.POST.get("share") == "on",
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(back)
    messages.success(request, f"Saved “{view.name}”.")
    return HttpResponseRedirect(view.url)


@require_POST
def delete_view(request, pk: int):
    view = get_object_or_404(SavedView, pk=pk, owner=request.user)
    view.delete()
    messages.success(request, f"Deleted “{view.name}”.")
    return HttpResponseRedirect("/")
