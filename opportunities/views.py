from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from accounts.models import Contact
from gtm_portal.activity.models import Activity
from gtm_portal.core import access
from gtm_portal.core.editing import edit_url
from gtm_portal.core.input_guard import parse_id
from gtm_portal.core.recordpage import (
    panels_for,
    requested_tab,
    sections_for,
    tab_context,
    tab_response,
)
from gtm_portal.core.redirects import back_to
from gtm_portal.core.services import version_from

from . import sao, services, workflow
from .enums import Stage
from .forms import SAOCreditRequestForm, StageForm
from .models import OpportunityContactRole, SAOCreditRequest
from .selectors import (
    account_contacts_to_add,
    attach_evidence_notes,
    follows_lost_deals,
    lost_deals_feed,
    opportunity_contact_roles,
    opportunity_get_for_user_or_404,
    opportunity_stage_path,
    opportunity_stage_track,
    sao_pending_count,
    sao_requests_for_opportunity,
    sao_requests_to_decide,
    stage_checklist,
)
from .services import ROLE_FLAGS, lost_deals_follow, opportunity_change_stage


def opportunity_detail(
    request, pk: int, stage_form=None, stage_errors=(), terms_errors=(), terms_details=""
):
    opportunity = opportunity_get_for_user_or_404(request.user, pk)
    tab = requested_tab(request)
    if tab and request.htmx:
        return tab_response(request, opportunity, tab)
    scope = access.opportunity_edit_scope(request.user, opportunity)
    context = {
        "obj": opportunity,
        "kind": "opportunity",
        **tab_context(opportunity, tab, request.user),
        "sections": sections_for(opportunity, workflow.editable_fields(scope)),
        "contact_roles": opportunity_contact_roles(opportunity),
        "stage_track": opportunity_stage_track(opportunity, opportunity_stage_path(opportunity)),
        # Only a closed-lost opportunity has closed-lost reasons (no query otherwise).
        "closed_lost_reasons": (
            list(opportunity.closed_lost_reasons.all())
            if opportunity.stage == Stage.CLOSED_LOST
            else []
        ),
        "edit_scope": scope,
        "edit_url": edit_url("opportunities", opportunity.pk) if scope else None,
        # Q-CONC: the stage form posts the version the page showed.
        "stage_form": stage_form
        or StageForm(initial={"stage": opportunity.stage, "version": opportunity.version}),
        "stage_errors": stage_errors,
        "checklist": stage_checklist(opportunity) if scope else [],
        "terms_errors": terms_errors,
        "terms_details": terms_details,
        "can_comment": access.can(request.user, "record.comment", opportunity),
        **panels_for(opportunity, "opportunity", request.user),
    }
    context.update(
        _sao_and_roles_context(
            opportunity, context["contact_roles"], user=request.user, scope=scope
        )
    )
    return TemplateResponse(request, "records/opportunity_detail.html", context)


def opportunity_stage(request, pk: int):
    """CONTRACT 6: POST the stage label and what it needs; 302 on success, 200 with the rule
    IDs when a rule refuses, 403 for a user who may not edit the opportunity."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    opportunity = opportunity_get_for_user_or_404(request.user, pk)
    if access.opportunity_edit_scope(request.user, opportunity) is None:
        raise PermissionDenied("ROLE-3: you may not edit this opportunity.")
    form = StageForm(request.POST)
    errors = []
    if form.is_valid():
        try:
            opportunity_change_stage(
                opportunity=opportunity,
                to=form.cleaned_data["stage"],
                by=request.user,
                data=form.stage_data(),
                reasons=list(form.cleaned_data["closed_lost_reasons"]),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"Stage is now {form.cleaned_data['stage']}.")
            return HttpResponseRedirect(opportunity.get_absolute_url())
    else:
        errors = [f"{k}: {' '.join(v)}" for k, v in form.errors.items()]
    return opportunity_detail(request, pk, stage_form=form, stage_errors=errors)


def opportunity_checklist(request, pk: int):
    """OPP-CHECKLIST: POST the ticked `item` ids of the current stage; 302 back to the
    stage form; 403 for a user who may not edit the opportunity."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    opportunity = opportunity_get_for_user_or_404(request.user, pk)
    ids = [int(v) for v in request.POST.getlist("item") if v.isdecimal()]
    try:
        services.opportunity_checklist_save(opportunity=opportunity, by=request.user, ticked=ids)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Checklist saved.")
    return HttpResponseRedirect(opportunity.get_absolute_url() + "#checklist")


def opportunity_terms_request(request, pk: int):
    """OPP-V11: POST `details`; 302 to the opportunity when granted, 200 with the rule's
    message next to the field when refused (nothing written), 403 for others."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    opportunity = opportunity_get_for_user_or_404(request.user, pk)
    try:
        services.opportunity_request_terms(
            opportunity=opportunity, by=request.user, details=request.POST.get("details", "")
        )
    except ValidationError as exc:
        return opportunity_detail(
            request, pk, terms_errors=exc.messages, terms_details=request.POST.get("details", "")
        )
    messages.success(request, "Standard-terms modification requested; Sales Support is told.")
    return HttpResponseRedirect(opportunity.get_absolute_url())


def _sao_and_roles_context(opportunity, roles, *, user, scope) -> dict:
    labels = [(f, OpportunityContactRole._meta.get_field(f).verbose_name) for f in ROLE_FLAGS]
    for role in roles:
        role.flag_list = [(f, label, getattr(role, f)) for f, label in labels]
    can_edit_roles = scope == "all"
    web_direct = opportunity.order_type == "Web Direct"
    requests = sao_requests_for_opportunity(opportunity) if web_direct else []
    return {
        "sao_requests": requests,
        "may_request_sao": web_direct and sao.may_request(user, opportunity, requests),
        "can_edit_roles": can_edit_roles,
        "contacts_to_add": account_contacts_to_add(opportunity) if can_edit_roles else [],
        "role_flags": labels,
        "stale": workflow.is_stale(
            stage=opportunity.stage,
            next_step_date=opportunity.next_step_date,
            now=timezone.localtime(),
        ),
    }


def _errors(exc) -> list[str]:
    return list(exc.messages)


def sao_credit_request(request, pk: int):
    """SAO-WD 1: the request form — evidence picker and explanation; the service decides."""
    opportunity = opportunity_get_for_user_or_404(request.user, pk)
    access.require(
        request.user,
        "sao_credit.request",
        opportunity,
        "SAO-WD 1: only SDRs and BDRs ask for SAO credit.",
    )
    refusal = sao.request_refusal(opportunity=opportunity, by=request.user)
    choices = sao.evidence_choices(opportunity=opportunity, requester=request.user)
    form = SAOCreditRequestForm(
        request.POST or None, choices=choices, initial={"version": opportunity.version}
    )
    errors: list[str] = []
    status = 200
    if request.method == "POST" and not refusal:
        if form.is_valid():
            evidence = Activity.objects.filter(pk=form.cleaned_data["evidence"]).first()
            try:
                req = sao.sao_credit_request(
                    opportunity=opportunity,
                    by=request.user,
                    evidence=evidence,
                    explanation=form.cleaned_data["explanation"],
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(
                    request,
                    "SAO credit requested; your manager decides."
                    if req.state == "pending"
                    else "SAO-WD 3: another rep holds this credit, so your request "
                    "opened a dispute; both managers decide.",
                )
                return HttpResponseRedirect(opportunity.get_absolute_url())
        status = 200
    return TemplateResponse(
        request,
        "opportunities/sao_request.html",
        {
            "obj": opportunity,
            "form": form,
            "choices": choices,
            "refusal": refusal,
            "errors": errors,
        },
        status=status,
    )


def sao_queue(request):
    """SAO-WD 2/3: the manager's approval queue — pending requests and disputes."""
    return TemplateResponse(
        request, "opportunities/sao_queue.html", {"rows": sao_requests_to_decide(request.user)}
    )


def sao_count(request):
    """The side menu's pending count (loaded by HTMX after the page)."""
    return TemplateResponse(
        request, "opportunities/_sao_count.html", {"count": sao_pending_count(request.user)}
    )


def _decided_row(request, req, errors=(), status=200):
    if request.htmx:
        req = (
            type(req)
            .objects.select_related(
                "opportunity__account",
                "requester__manager",
                "evidence__contact",
                "evidence__lead",
                "decided_by",
                "disputes__requester__manager",
                "disputes__evidence__contact",
                "disputes__evidence__lead",
            )
            .get(pk=req.pk)
        )
        attach_evidence_notes([req] + ([req.disputes] if req.disputes_id else []))
        return TemplateResponse(
            request,
            "opportunities/_sao_row.html",
            {"r": req, "errors": errors, "done": not errors},
            status=status,
        )
    for e in errors:
        messages.error(request, e)
    if not errors:
        messages.success(request, f"Decision recorded for {req.opportunity}.")
    # back where the decision was taken (the inbox, the opportunity), else the queue
    return back_to(request, reverse("opportunities:sao_queue"))


def sao_decide(request, request_id: int):
    """SAO-WD 2: one-click approve, or decline with a reason (HTMX row swap, or a redirect)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    req = get_object_or_404(SAOCreditRequest, pk=request_id)
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        return _decided_row(request, req, ["SAO-WD 2: choose approve or decline."])
    try:
        sao.sao_credit_decide(
            credit_request=req,
            by=request.user,
            approve=decision == "approve",
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        return _decided_row(request, req, _errors(exc))
    return _decided_row(request, req)


def sao_resolve(request, request_id: int):
    """SAO-WD 3: credit one requester or decline both, with a reason."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    dispute = get_object_or_404(SAOCreditRequest, pk=request_id)
    choice = request.POST.get("winner", "")
    winner = None
    if choice != "none":
        winner = SAOCreditRequest.objects.filter(pk=int(choice) if choice.isdigit() else 0).first()
        if winner is None:
            return _decided_row(
                request, dispute, ["SAO-WD 3: credit one of the two requesters, or decline both."]
            )
    try:
        sao.sao_credit_resolve(
            dispute=dispute, by=request.user, winner=winner, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        return _decided_row(request, dispute, _errors(exc))
    return _decided_row(request, dispute)


def contact_roles(request, pk: int, role_id: int | None = None):
    """OPP-FIELDS contact roles: add a contact of the account, toggle a role, remove."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    opportunity = opportunity_get_for_user_or_404(request.user, pk)
    back = HttpResponseRedirect(opportunity.get_absolute_url() + "#contact-roles")
    # Q-CONC: every contact-role form posts the opportunity's version the page showed.
    version = version_from(request.POST)
    try:
        if role_id is None:
            contact_id = parse_id(request.POST.get("contact"))
            contact = Contact.objects.filter(pk=contact_id).first() if contact_id else None
            if contact is None:
                raise ValidationError("OPP-FIELDS: choose a contact of the account.")
            services.contact_role_add(
                opportunity=opportunity,
                contact=contact,
                by=request.user,
                expected_version=version,
                **{f: True for f in services.ROLE_FLAGS if request.POST.get(f) == "on"},
            )
            messages.success(request, f"{contact.name} added to the contact roles.")
            return back
        role = get_object_or_404(OpportunityContactRole, pk=role_id, opportunity=opportunity)
        if request.POST.get("remove") == "1":
            services.contact_role_remove(role=role, by=request.user, expected_version=version)
        else:
            services.contact_role_set(
                role=role,
                by=request.user,
                flag=request.POST.get("flag", ""),
                value=request.POST.get("value") == "1",
                expected_version=version,
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return back


def lost_deals(request):
    """OPP-NOTIFY: the lost-deals feed; anyone follows or unfollows it."""
    if request.method == "POST":
        following = lost_deals_follow(user=request.user, follow=request.POST.get("follow") == "1")
        messages.success(
            request,
            "You follow the lost-deals feed; each new loss reaches your inbox."
            if following
            else "You no longer follow the lost-deals feed.",
        )
        return HttpResponseRedirect(reverse("opportunities:lost_deals"))
    return TemplateResponse(
        request,
        "opportunities/lost_deals.html",
        {"posts": lost_deals_feed(), "following": follows_lost_deals(request.user)},
    )
