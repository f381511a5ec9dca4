"""The daily workspace lists (VIEW-1, VIEW-4): lead views S1–B5 with filters, sorting, keyset
pages, capped counts, streamed CSV and manager cover (`?as=`)."""

from django.http import Http404
from django.middleware.csrf import get_token
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from accounts.views_catalog import CONTACT_VIEWS
from gtm_portal.core import access
from gtm_portal.core.business_time import sla_state
from gtm_portal.core.csvexport import stream_csv
from gtm_portal.core.labels import select_labels
from gtm_portal.core.list_rows import chosen_columns, header_html
from gtm_portal.core.lists import capped_count, keyset_sorted, without_position
from gtm_portal.core.mass import mass_action_view
from gtm_portal.core.saved_views import visible_saved_views
from gtm_portal.users.models import User

from .. import rule_context
from ..filters import LeadViewFilter
from ..forms import sequence_choices
from ..models import Campaign, Lead
from ..querysets import s3_flags
from ..rows import view_columns, view_rows_html
from ..services import mass
from ..services.mass import ACTIONS
from ..views_catalog import (
    LEAD_SORTS,
    LEAD_VIEWS,
    SORT_FIELD_OF,
    lead_view_codes,
    lead_view_codes_for,
)

# The columns a view row, its high-touch badge (LEAD-HT-1) and the CSV export read: a lead row
# has ~80 columns (SPEC Q-PERF: 50–200 rows a page).
ROW_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "company",
    "title",
    "status",
    "person_score",
    "owner",
    "initial_source",
    "matched_account",
    "sla_due",
    "last_interesting_moment",
    "last_interesting_moment_at",
    "is_hot",
    "do_not_call",
    "email_opt_out",
    "phone",
    "mobile",
    "setup_for_team",
    "linkedin_url",
)

CSV_HEADER = [
    "id",
    "first name",
    "last name",
    "email",
    "company",
    "title",
    "status",
    "score",
    "owner",
    "initial source",
    "SLA due",
    "last interesting moment",
    "moment at",
]


def mass_actions_for(code: str) -> list[tuple[str, str]]:

    keys = ["take"] if code == "B2" else ["status", "enroll", "campaign", "owner"]
    return [(k, ACTIONS[k]) for k in keys]


def _sort(request, default: str) -> tuple[str, str, bool]:
    key = request.GET.get("sort", "")
    descending = key.startswith("-")
    name = key.lstrip("-")
    if name in LEAD_SORTS:
        return key, LEAD_SORTS[name], descending
    default_key = ("-" if default.startswith("-") else "") + SORT_FIELD_OF.get(default, "")
    return default_key, default.lstrip("-"), default.startswith("-")


def _csv_row(r) -> list:
    return [
        r.pk,
        r.first_name,
        r.last_name,
        r.email,
        r.company,
        r.title,
        r.status,
        r.person_score,
        r.owner.label if r.owner else "",
        r.initial_source.name,
        r.sla_due.isoformat() if r.sla_due else "",
        r.last_interesting_moment,
        r.last_interesting_moment_at.isoformat() if r.last_interesting_moment_at else "",
    ]


def _decorate_rows(rows, code: str) -> None:
    """What each row shows beyond its columns: its links, LEAD-HT-1's high-touch badge, the
    SLA state and (S3) VIEW-1's flags. URLs are built once for the page (the view's hot
    path)."""
    high_touch_context = rule_context.high_touch_context()
    now = timezone.now()
    if code == "S3":
        s3_flags(rows, now)
    activity_url = reverse("person_activity", args=["leads", 0])
    enroll_url = reverse("person_enroll", args=["leads", 0])
    detail_url = reverse("leads:list")
    for r in rows:
        r.url = f"{detail_url}{r.pk}/"
        r.activity_url = activity_url.replace("/0/", f"/{r.pk}/", 1)
        r.enroll_url = enroll_url.replace("/0/", f"/{r.pk}/", 1)
        r.high_touch = rule_context.high_touch(r, high_touch_context)
        r.sla_state = sla_state(r.sla_due, now)


def _view_rows(request, view):
    """VIEW-1: the rows of a lead view for its owner (`?as=` cover) with the filters in the
    query string (none at all when a filter is invalid); the page and "all N matching"
    (VIEW-5) read the same rows."""
    owner = access.view_owner(request)
    base = select_labels(
        getattr(Lead.objects, view.method)(owner),
        "owner",
        "initial_source",
        "matched_account",
        also={"matched_account": ("lam_dev_count",)},
        fields=ROW_FIELDS,
    )
    filters = LeadViewFilter(request.GET or None, queryset=base)
    qs = filters.qs if filters.is_bound and filters.is_valid() else base
    if filters.is_bound and not filters.is_valid():
        qs = base.none()
    return owner, filters, qs


def _matching_ids(request, view):
    return _view_rows(request, view)[2].order_by("pk").values_list("pk", flat=True)


def lead_view(request, code: str):
    view = LEAD_VIEWS.get(code.upper())
    if view is None:
        raise Http404("No such view.")
    owner, filters, qs = _view_rows(request, view)
    sort_key, field, descending = _sort(request, view.sort)
    if request.GET.get("format") == "csv":
        ordered = qs.order_by(field if not descending else f"-{field}", "pk")
        rows = (_csv_row(r) for r in ordered.iterator(chunk_size=2000))
        return stream_csv(f"leads-{view.code}-{owner.username}.csv", CSV_HEADER, rows)
    page = keyset_sorted(qs, request, field, descending)
    _decorate_rows(page.rows, view.code)
    params = without_position(request.GET)
    unsorted = params.copy()
    unsorted.pop("sort", None)
    csrf_input = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )
    sequence_options = format_html_join(
        "",
        '<option value="{}">{}</option>',
        ((pk, name) for pk, name, _touch in sequence_choices()),
    )
    columns, chooser = chosen_columns(
        view_columns(
            view.code,
            csrf_input=csrf_input,
            full_path=request.get_full_path(),
            sequence_options=sequence_options,
        ),
        request.GET,
    )
    return TemplateResponse(
        request,
        "leads/view.html",
        {
            "view": view,
            "page": page,
            "filters": filters,
            "owner": owner,
            "covering": owner != request.user,
            "sort": sort_key,
            "query": params.urlencode(),
            "unsorted": unsorted.urlencode(),
            "sorts": LEAD_SORTS,
            "code": view.code,
            "sequences": sequence_choices(),
            "url_kind": "leads",
            "mass_actions": mass_actions_for(view.code),
            "header_html": header_html(columns, sort=sort_key, query=unsorted.urlencode()),
            "rows_html": view_rows_html(page.rows, columns, view_code=view.code),
            "campaigns": _campaign_choices(),
            **chooser,
        },
    )


def _campaign_choices() -> list:
    return rule_context.cached(
        "campaigns",
        lambda: list(
            Campaign.objects.order_by("-start_date", "name").values_list("pk", "name")[:50]
        ),
        ttl=30,
    )


def contact_mass_context(request, view) -> dict:
    """VIEW-5 on the contact views (accounts' `registry.view_context`): the mass-action form
    the lead views have, posting to `contact_view_mass`."""
    return {
        "mass_actions": list(mass.CONTACT_ACTIONS.items()),
        "mass_url": reverse("contact_view_mass", args=[view.code]),
        "sequences": sequence_choices(),
        "campaigns": _campaign_choices(),
    }


def contact_view_mass(request, code: str):
    """VIEW-5 from the contact views: the same mass-action service as the lead views."""
    return mass_action_view(
        request, views=CONTACT_VIEWS, code=code, base="/contacts/views/", actions=mass.contacts
    )


def lead_view_mass(request, code: str):
    """VIEW-5: POST the selected rows and an action; per-row results come back as a message."""

    return mass_action_view(
        request,
        views=LEAD_VIEWS,
        code=code,
        base="/leads/views/",
        actions=mass,
        matching=_matching_ids,
    )


def my_view_counts(request):
    """The side menu's live counts (UX frame), fetched after the page by HTMX so pages keep
    their query budget; each count is capped like the views' own (10,000+)."""

    return TemplateResponse(
        request,
        "leads/_view_counts.html",
        {
            "counts": _view_counts(request.user),
            "saved": list(visible_saved_views(request.user)[:20]),
        },
    )


def _view_counts(owner) -> list[tuple[str, str]]:
    """Each of `owner`'s lead views with its capped count (10,000+)."""
    counts = []
    for code in lead_view_codes(owner):
        n, capped = capped_count(getattr(Lead.objects, LEAD_VIEWS[code].method)(owner))
        counts.append((code, f"{n:,}+" if capped else f"{n:,}"))
    return counts


def team(request):
    """UX team page: a manager's reps (every level below, Q-SEC `reports_of`), each with
    their lead views — opening one covers for the rep (VIEW-1 `?as=`) — and the views'
    counts, fetched per rep after the page (HTMX) so the page itself stays two queries."""
    access.require(request.user, "views.cover")
    reps = (
        User.objects.people()
        .filter(pk__in=access.reports_of(request.user), is_active=True)
        .select_related("manager")
        .prefetch_related("groups")
        .order_by("first_name", "last_name", "username")
    )
    rows = [(rep, lead_view_codes_for({g.name for g in rep.groups.all()})) for rep in reps]
    return TemplateResponse(request, "leads/team.html", {"rows": rows})


def team_counts(request):
    """One rep's view counts for the team page; `?as=` is checked like the views' cover."""
    owner = access.view_owner(request)
    return TemplateResponse(
        request, "leads/_team_counts.html", {"owner": owner, "counts": _view_counts(owner)}
    )
