from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from gtm_portal.core import access
from gtm_portal.core.editing import editable_fields
from gtm_portal.core.list_rows import header_html, table_rows_html
from gtm_portal.core.lists import keyset_page
from gtm_portal.core.mass import mass_action_view
from gtm_portal.core.recordpage import (
    panels_for,
    person_page_context,
    requested_tab,
    sections_for,
    tab_context,
    tab_response,
)
from gtm_portal.core.services import version_from

from . import hierarchy, mass, registry, workflow
from .bps import StatusRefused, account_change_bps, account_deadlines
from .merge import account_flag_duplicate as flag_duplicate
from .merge import account_merge, merge_plan
from .models import Account
from .rows import (
    ACCOUNT_LIST_COLUMNS,
    ACCOUNT_LIST_FIELDS,
    CONTACT_LIST_COLUMNS,
    CONTACT_LIST_FIELDS,
)
from .selectors import (
    account_get_for_user_or_404,
    account_list_for_user,
    account_people,
    account_team,
    contact_get_for_user_or_404,
    contact_list_for_user,
)
from .views_catalog import ACCOUNT_VIEWS


def account_list(request):
    page = keyset_page(account_list_for_user(request.user, fields=ACCOUNT_LIST_FIELDS), request)
    return TemplateResponse(
        request,
        "records/list.html",
        {
            "page": page,
            "kind": "account",
            "title": "Accounts",
            "header_html": header_html(ACCOUNT_LIST_COLUMNS, sort="", query=""),
            "rows_html": table_rows_html(ACCOUNT_LIST_COLUMNS, page.rows, empty="No records."),
        },
    )


def _account_page(request, account, *, status=200, bps_errors=(), bps_posted=None):
    tree = hierarchy.tree_for_page(account)
    editable = editable_fields(request.user, account, "accounts")
    context = {
        "obj": account,
        "kind": "account",
        **tab_context(account, requested_tab(request), request.user),
        "sections": sections_for(account, editable),
        "can_edit_fields": bool(editable),
        "people": account_people(account),
        "tree": tree,
        **registry.page_context(account),  # the open opportunities
        "deadlines": account_deadlines(account),
        "bps_targets": workflow.targets_from(account.bdr_prospecting_status),
        "bps_errors": list(bps_errors),
        "bps_posted": bps_posted or {},
        "can_edit_bdr": access.can(request.user, "account.edit_bdr_fields", account),
        "can_merge": access.can(request.user, "account.merge", account),
        "can_comment": access.can(request.user, "record.comment", account),
        **panels_for(account, "account", request.user),
    }
    return TemplateResponse(request, "records/account_detail.html", context, status=status)


def account_detail(request, pk: int):
    account = account_get_for_user_or_404(request.user, pk)
    if account.merged_into_id:
        return redirect(account.merged_into)
    tab = requested_tab(request)
    if tab and request.htmx:
        return tab_response(request, account, tab)
    return _account_page(request, account)


def _int_or_none(value):
    value = (value or "").strip().lstrip("#")
    return int(value) if value.isdigit() else None


@require_POST
def account_status(request, pk: int):
    """ACCT-BPS: the status form. 302 on success; 200 with the refusals (each naming its
    rule) next to the form; 403 for users who may not touch BDR fields (ROLE-3)."""
    account = account_get_for_user_or_404(request.user, pk)
    access.require(
        request.user,
        "account.edit_bdr_fields",
        account,
        "ACCT-BPS 1: only BDRs and BDR Managers change the BDR Prospecting Status "
        "(Sales Support fixes data with a reason).",
    )
    posted = {k: request.POST.get(k, "") for k in ("to", "reason", "override_comment", "answering")}
    answering = posted["answering"].strip() or None
    try:
        account_change_bps(
            account=account,
            by=request.user,
            to=posted["to"],
            reason=posted["reason"],
            override_comment=_int_or_none(posted["override_comment"]),
            answering=answering,
            expected_version=version_from(request.POST),
        )
    except StatusRefused as refused:
        return _account_page(
            request, account, bps_errors=[str(r) for r in refused.refusals], bps_posted=posted
        )
    except ValidationError as exc:
        return _account_page(request, account, bps_errors=exc.messages, bps_posted=posted)
    messages.success(request, f"BDR Prospecting Status is now {posted['to']}.")
    return HttpResponseRedirect(account.get_absolute_url())


@require_POST
def account_flag_duplicate(request, pk: int):
    """ACCT-DUP: anyone flags; Sales Support is mentioned."""
    account = get_object_or_404(Account, pk=pk)
    other = Account.objects.filter(pk=_int_or_none(request.POST.get("duplicate_of")) or 0).first()
    try:
        flag_duplicate(
            account=account, duplicate_of=other, by=request.user, note=request.POST.get("note", "")
        )
        messages.success(request, "Flagged; Sales Support has been asked to merge.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return HttpResponseRedirect(account.get_absolute_url())


def account_merge_view(request, pk: int):
    """ACCT-DUP: Sales Support merges this account (the duplicate) into another one; the GET
    shows what will move, in numbers, before the POST does it."""
    merged = get_object_or_404(Account, pk=pk)
    if not access.can(request.user, "account.merge", merged):
        raise PermissionDenied("ACCT-DUP: only Sales Support merges accounts.")
    if merged.merged_into_id:
        return redirect(merged.merged_into)
    survivor_id = _int_or_none(
        request.POST.get("into") or request.GET.get("into") or str(merged.duplicate_of_id or "")
    )
    survivor = Account.objects.filter(pk=survivor_id or 0).first()
    error = ""
    if request.method == "POST":
        if survivor is None:
            error = "ACCT-DUP: choose the surviving account."
        else:
            try:
                account_merge(
                    survivor=survivor,
                    merged=merged,
                    by=request.user,
                    reason=request.POST.get("reason", ""),
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, f"{merged.name} was merged into {survivor.name}.")
                return HttpResponseRedirect(survivor.get_absolute_url())
    return TemplateResponse(
        request,
        "accounts/merge_confirm.html",
        {
            "obj": merged,
            "survivor": survivor,
            "plan": merge_plan(merged),
            "error": error,
        },
        status=200,
    )


def account_view_mass(request, code: str):
    """VIEW-5 on the account views: per-row results come back as a message."""
    return mass_action_view(
        request, views=ACCOUNT_VIEWS, code=code, base="/accounts/views/", actions=mass
    )


def contact_list(request):
    page = keyset_page(contact_list_for_user(request.user, fields=CONTACT_LIST_FIELDS), request)
    return TemplateResponse(
        request,
        "records/list.html",
        {
            "page": page,
            "kind": "contact",
            "title": "Contacts",
            "header_html": header_html(CONTACT_LIST_COLUMNS, sort="", query=""),
            "rows_html": table_rows_html(CONTACT_LIST_COLUMNS, page.rows, empty="No records."),
        },
    )


def contact_detail(request, pk: int):
    contact = contact_get_for_user_or_404(request.user, pk)
    if contact.merged_into_id:
        return redirect(contact.merged_into)
    tab = requested_tab(request)
    if tab and request.htmx:
        return tab_response(request, contact, tab)
    context = person_page_context(request, contact, "contact")
    context["account_team"] = account_team(contact.account)  # CONTACT-OWNER
    return TemplateResponse(request, "records/contact_detail.html", context)
