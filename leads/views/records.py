from django.shortcuts import redirect
from django.template.response import TemplateResponse

from gtm_portal.core.list_rows import header_html, table_rows_html
from gtm_portal.core.lists import keyset_page
from gtm_portal.core.recordpage import (
    person_page_context,
    requested_tab,
    tab_response,
)

from ..rows import LIST_COLUMNS, LIST_FIELDS
from ..rule_context import high_touch
from ..selectors import (
    lead_get_for_user_or_404,
    lead_list_for_user,
)
from ..services.merge import merged_target_url


def lead_list(request):
    page = keyset_page(lead_list_for_user(request.user, fields=LIST_FIELDS), request)
    return TemplateResponse(
        request,
        "records/list.html",
        {
            "page": page,
            "kind": "lead",
            "title": "Leads",
            "header_html": header_html(LIST_COLUMNS, sort="", query=""),
            "rows_html": table_rows_html(LIST_COLUMNS, page.rows, empty="No records."),
        },
    )


def lead_detail(request, pk: int):
    lead = lead_get_for_user_or_404(request.user, pk)
    target = merged_target_url(lead)
    if target:
        return redirect(target)
    tab = requested_tab(request)
    if tab and request.htmx:
        return tab_response(request, lead, tab)
    context = person_page_context(request, lead, "lead")
    context["high_touch"] = high_touch(lead)  # LEAD-HT-1, as the view rows show it
    return TemplateResponse(request, "records/lead_detail.html", context)
