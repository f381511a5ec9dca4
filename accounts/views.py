from django.shortcuts import redirect
from django.template.response import TemplateResponse

from gtm_portal.core import access
from gtm_portal.core.lists import keyset_page
from gtm_portal.core.recordpage import (
    panels_for,
    person_actions,
    requested_tab,
    sections_for,
    tab_context,
    tab_response,
)

from .selectors import (
    account_children,
    account_get_for_user_or_404,
    account_list_for_user,
    account_people,
    contact_get_for_user_or_404,
    contact_list_for_user,
)


def account_list(request):
    page = keyset_page(account_list_for_user(request.user), request)
    return TemplateResponse(request, "records/list.html", {
        "page": page, "kind": "account", "title": "Accounts",
        "columns": ("Name", "Domain", "Segment", "Type", "BDR status", "Owner", "BDR Assigned"),
    })


def account_detail(request, pk: int):
    account = account_get_for_user_or_404(request.user, pk)
    if account.merged_into_id:
        return redirect(account.merged_into)
    from opportunities.selectors import open_opportunities_for_account

    tab = requested_tab(request)
    if tab and request.htmx:
        return tab_response(request, account, tab)
    context = {
        "obj": account, "kind": "account",
        **tab_context(account, tab),
        "sections": sections_for(account),
        "people": account_people(account),
        "children": account_children(account),
        "opportunities": open_opportunities_for_account(account),
        "can_edit": access.can(request.user, "account.edit", account),
        "can_edit_bdr": access.can(request.user, "account.edit_bdr_fields", account),
        "can_comment": access.can(request.user, "record.comment", account),
        **panels_for(account, "account", request.user),
    }
    return TemplateResponse(request, "records/account_detail.html", context)


def contact_list(request):
    page = keyset_page(contact_list_for_user(request.user), request)
    return TemplateResponse(request, "records/list.html", {
        "page": page, "kind": "contact", "title": "Contacts",
        "columns": ("Name", "Account", "Title", "Status", "Score", "Owner", "Initial source"),
    })


def contact_detail(request, pk: int):
    contact = contact_get_for_user_or_404(request.user, pk)
    if contact.merged_into_id:
        return redirect(contact.merged_into)
    tab = requested_tab(request)
    if tab and request.htmx:
        return tab_response(request, contact, tab)
    context = {
        "obj": contact, "kind": "contact",
        **tab_context(contact, tab),
        "sections": sections_for(contact),
        "can_edit": access.can(request.user, "person.edit", contact),
        "can_comment": access.can(request.user, "record.comment", contact),
        **person_actions(request.user, contact),
        **panels_for(contact, "contact", request.user),
    }
    return TemplateResponse(request, "records/contact_detail.html", context)
