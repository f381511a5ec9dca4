"""Contact views B1–B4 (VIEW-2) and account views B1–B3 (VIEW-3)."""
from django.http import Http404
from django.template.response import TemplateResponse

from gtm_portal.core import access
from gtm_portal.core.csvexport import stream_csv
from gtm_portal.core.lists import keyset_sorted

from .models import Account, Contact
from .querysets import requirement_days_left
from .views_catalog import ACCOUNT_SORTS, ACCOUNT_VIEWS, CONTACT_SORTS, CONTACT_VIEWS


def _sort(request, default: str, sorts: dict) -> tuple[str, str, bool]:
    key = request.GET.get("sort", "")
    if key.lstrip("-") in sorts:
        return key, sorts[key.lstrip("-")], key.startswith("-")
    return "", default.lstrip("-"), default.startswith("-")


def _params(request):
    params = request.GET.copy()
    params.pop("after", None)
    unsorted = params.copy()
    unsorted.pop("sort", None)
    return params.urlencode(), unsorted.urlencode()


def contact_view(request, code: str):
    view = CONTACT_VIEWS.get(code.upper())
    if view is None:
        raise Http404("No such view.")
    owner = access.view_owner(request)
    qs = getattr(Contact.objects, view.method)(owner).select_related("owner", "account")
    sort_key, field, descending = _sort(request, view.sort, CONTACT_SORTS)
    if request.GET.get("format") == "csv":
        rows = ([c.pk, c.first_name, c.last_name, c.email, c.account.name, c.title, c.status,
                 c.person_score, c.owner.label if c.owner else ""]
                for c in qs.order_by(f"-{field}" if descending else field, "pk")
                .iterator(chunk_size=2000))
        return stream_csv(f"contacts-{view.code}-{owner.username}.csv",
                          ["id", "first name", "last name", "email", "account", "title",
                           "status", "score", "owner"], rows)
    query, unsorted = _params(request)
    return TemplateResponse(request, "accounts/contact_view.html", {"save_kind": "contacts",
        "view": view, "page": keyset_sorted(qs, request, field, descending), "owner": owner,
        "covering": owner != request.user, "sort": sort_key, "query": query,
        "unsorted": unsorted})


def account_view(request, code: str):
    view = ACCOUNT_VIEWS.get(code.upper())
    if view is None:
        raise Http404("No such view.")
    owner = access.view_owner(request)
    qs = getattr(Account.objects, view.method)(owner).select_related("owner", "bdr_assigned")
    sort_key, field, descending = _sort(request, view.sort, ACCOUNT_SORTS)
    if request.GET.get("format") == "csv":
        rows = ([a.pk, a.name, a.domain, a.segment, a.type, a.bdr_prospecting_status,
                 a.owner.label if a.owner else "", a.bdr_assigned.label if a.bdr_assigned else ""]
                for a in qs.order_by(f"-{field}" if descending else field, "pk")
                .iterator(chunk_size=2000))
        return stream_csv(f"accounts-{view.code}-{owner.username}.csv",
                          ["id", "name", "domain", "segment", "type", "BDR status", "owner",
                           "BDR Assigned"], rows)
    page = keyset_sorted(qs, request, field, descending)
    for a in page.rows:
        a.requirements = requirement_days_left(a) if view.code == "B3" else {}
    query, unsorted = _params(request)
    return TemplateResponse(request, "accounts/account_view.html", {"save_kind": "accounts",
        "view": view, "page": page, "owner": owner, "covering": owner != request.user,
        "sort": sort_key, "query": query, "unsorted": unsorted})
