from django.template.response import TemplateResponse

from gtm_portal.core import access
from gtm_portal.core.lists import keyset_page
from gtm_portal.core.recordpage import (
    panels_for,
    requested_tab,
    sections_for,
    tab_context,
    tab_response,
)

from .selectors import (
    opportunity_contact_roles,
    opportunity_get_for_user_or_404,
    opportunity_list_for_user,
    opportunity_stage_path,
)


def opportunity_list(request):
    page = keyset_page(opportunity_list_for_user(request.user), request)
    return TemplateResponse(request, "records/list.html", {
        "page": page, "kind": "opportunity", "title": "Opportunities",
        "columns": ("Name", "Account", "Stage", "Close date", "IACV", "Owner", "SDR/BDR"),
    })


def opportunity_detail(request, pk: int):
    opportunity = opportunity_get_for_user_or_404(request.user, pk)
    tab = requested_tab(request)
    if tab and request.htmx:
        return tab_response(request, opportunity, tab)
    context = {
        "obj": opportunity, "kind": "opportunity",
        **tab_context(opportunity, tab),
        "sections": sections_for(opportunity),
        "contact_roles": opportunity_contact_roles(opportunity),
        "stage_path": opportunity_stage_path(opportunity),
        "closed_lost_reasons": list(opportunity.closed_lost_reasons.all()),
        "edit_scope": access.opportunity_edit_scope(request.user, opportunity),
        "can_comment": access.can(request.user, "record.comment", opportunity),
        **panels_for(opportunity, "opportunity", request.user),
    }
    return TemplateResponse(request, "records/opportunity_detail.html", context)
