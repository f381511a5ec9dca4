"""Contact views B1–B4 (VIEW-2) and account views B1–B3 (VIEW-3)."""

from django.http import Http404
from django.template.response import TemplateResponse

from gtm_portal.core import access
from gtm_portal.core.csvexport import stream_csv
from gtm_portal.core.labels import select_labels
from gtm_portal.core.list_rows import chosen_columns, header_html, table_rows_html
from gtm_portal.core.lists import keyset_sorted, without_position

from . import registry
from .bps import account_deadlines
from .filters import AccountViewFilter, ContactViewFilter
from .models import Account, Contact
from .rows import CONTACT_VIEW_COLUMNS, account_view_columns
from .views_catalog import ACCOUNT_SORTS, ACCOUNT_VIEWS, CONTACT_SORTS, CONTACT_VIEWS


def _sort(request, default: str, sorts: dict) -> tuple[str, str, bool]:
    key = request.GET.get("sort", "")
    if key.lstrip("-") in sorts:
        return key, sorts[key.lstrip("-")], key.startswith("-")
    return "", default.lstrip("-"), default.startswith("-")


def _params(request):
    params = without_position(request.GET)
    unsorted = params.copy()
    unsorted.pop("sort", None)
    return params.urlencode(), unsorted.urlencode()


def _view(
    request,
    code,
    *,
    views,
    model,
    related,
    sorts,
    template,
    save_kind,
    csv_name,
    csv_header,
    csv_row,
    columns,
    decorate=None,
    fields=None,
    filterset=None,
):
    """One list view of VIEW-2/VIEW-3: the queryset method, keyset page, CSV, cover;
    `columns(view code)` are the table's columns."""
    view = views.get(code.upper())
    if view is None:
        raise Http404("No such view.")
    owner = access.view_owner(request)
    qs = select_labels(getattr(model.objects, view.method)(owner), *related, fields=fields)
    filters = filterset(request.GET or None, queryset=qs) if filterset else None
    if filters is not None and filters.is_bound:  # VIEW-4; a bad value: its message, no rows
        qs = filters.qs if filters.is_valid() else qs.none()
    sort_key, field, descending = _sort(request, view.sort, sorts)
    if request.GET.get("format") == "csv":
        rows = (
            csv_row(r)
            for r in qs.order_by(f"-{field}" if descending else field, "pk").iterator(
                chunk_size=2000
            )
        )
        return stream_csv(f"{csv_name}-{view.code}-{owner.username}.csv", csv_header, rows)
    page = keyset_sorted(qs, request, field, descending)
    for row in page.rows:
        row.requirements = decorate(row) if decorate and view.code == "B3" else {}
    query, unsorted = _params(request)
    shown, chooser = chosen_columns(columns(view.code), request.GET)  # VIEW-4 columns
    return TemplateResponse(
        request,
        template,
        {
            "save_kind": save_kind,
            "filters": filters,
            "view": view,
            "page": page,
            "owner": owner,
            "covering": owner != request.user,
            "sort": sort_key,
            "query": query,
            "unsorted": unsorted,
            "header_html": header_html(shown, sort=sort_key, query=unsorted),
            "rows_html": table_rows_html(shown, page.rows, empty="Nothing in this view."),
            **registry.view_context(save_kind, request, view),
            **chooser,
        },
    )


def contact_view(request, code: str):
    return _view(
        request,
        code,
        views=CONTACT_VIEWS,
        model=Contact,
        related=("owner", "account"),
        sorts=CONTACT_SORTS,
        template="accounts/contact_view.html",
        save_kind="contacts",
        csv_name="contacts",
        csv_header=[
            "id",
            "first name",
            "last name",
            "email",
            "account",
            "title",
            "status",
            "score",
            "owner",
        ],
        csv_row=lambda c: [
            c.pk,
            c.first_name,
            c.last_name,
            c.email,
            c.account.name,
            c.title,
            c.status,
            c.person_score,
            c.owner.label if c.owner else "",
        ],
        columns=lambda _code: CONTACT_VIEW_COLUMNS,
        filterset=ContactViewFilter,
        # What a row and the CSV read of a contact's ~80 columns (SPEC Q-PERF).
        fields=(
            "first_name",
            "last_name",
            "email",
            "account",
            "title",
            "status",
            "person_score",
            "owner",
            "last_interesting_moment",
            "last_interesting_moment_at",
            "is_hot",
            "do_not_call",
            "email_opt_out",
        ),
    )


def account_view(request, code: str):
    return _view(
        request,
        code,
        views=ACCOUNT_VIEWS,
        model=Account,
        related=("owner", "bdr_assigned"),
        sorts=ACCOUNT_SORTS,
        template="accounts/account_view.html",
        save_kind="accounts",
        csv_name="accounts",
        csv_header=[
            "id",
            "name",
            "domain",
            "segment",
            "type",
            "BDR status",
            "owner",
            "BDR Assigned",
        ],
        csv_row=lambda a: [
            a.pk,
            a.name,
            a.domain,
            a.segment,
            a.type,
            a.bdr_prospecting_status,
            a.owner.label if a.owner else "",
            a.bdr_assigned.label if a.bdr_assigned else "",
        ],
        columns=account_view_columns,
        filterset=AccountViewFilter,
        decorate=account_deadlines,
    )
