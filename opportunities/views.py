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


def opportunity_detail(request, pk: int, stage_form=None, stage_errors=()):
    from .forms import StageForm

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
        "stage_form": stage_form or StageForm(initial={"stage": opportunity.stage}),
        "stage_errors": stage_errors,
        "can_comment": access.can(request.user, "record.comment", opportunity),
        **panels_for(opportunity, "opportunity", request.user),
    }
    return TemplateResponse(request, "records/opportunity_detail.html", context)


def opportunity_stage(request, pk: int):
    """CONTRACT 6: POST the stage label and what it needs; 302 on success, 200 with the rule
    IDs when a rule refuses, 403 for a user who may not edit the opportunity."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import HttpResponseNotAllowed, HttpResponseRedirect

    from gtm_portal.core import access

    from .forms import StageForm
    from .services import opportunity_change_stage

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    opportunity = opportunity_get_for_user_or_404(request.user, pk)
    if access.opportunity_edit_scope(request.user, opportunity) is None:
        raise PermissionDenied("ROLE-3: you may not edit this opportunity.")
    form = StageForm(request.POST)
    errors = []
    if form.is_valid():
        try:
            opportunity_change_stage(opportunity=opportunity, to=form.cleaned_data["stage"],
                                     by=request.user, data=form.stage_data(),
                                     reasons=list(form.cleaned_data["closed_lost_reasons"]))
        except ValidationError as exc:
            errors = exc.messages
        else:
            from django.contrib import messages

            messages.success(request, f"Stage is now {form.cleaned_data['stage']}.")
            return HttpResponseRedirect(opportunity.get_absolute_url())
    else:
        errors = [f"{k}: {' '.join(v)}" for k, v in form.errors.items()]
    return opportunity_detail(request, pk, stage_form=form, stage_errors=errors)
