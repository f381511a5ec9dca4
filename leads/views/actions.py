"""Working a lead: find duplicates (LEAD-DUP-1), merge (LEAD-MERGE-1), convert
(LEAD-CONVERT-1/2), compliance actions (LEAD-DNC-1, LEAD-OPTOUT-1, LEAD-INACTIVE-1,
LEAD-SPAM-1), blocked domains, and the search-first contact form (CONTACT-CREATE). Views parse
and render; the services decide."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Account, Contact
from accounts.services import contact_create as create
from gtm_portal.core import access
from gtm_portal.core.input_guard import parse_id
from gtm_portal.refdata.enums import WordList
from gtm_portal.refdata.models import WordListEntry
from gtm_portal.users import roles
from opportunities.enums import OPEN_STAGES
from opportunities.models import Opportunity

from ..action_forms import BlockedDomainForm, ContactCreateForm, ContactSearchForm, ConvertForm
from ..duplicates import accounts_for, find_duplicates, matching_contacts, matching_leads
from ..models import Lead
from ..services import compliance, convert, merge
from ..services.active import trial_expiry
from ..services.person_rows import person_read_only
from .person import _person, _say


def _errors_to_form(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# LEAD-DUP-1 ---------------------------------------------------------------------------------


def person_duplicates(request, kind: str, pk: int):
    person = _person(kind, pk)
    found = find_duplicates(person)
    return TemplateResponse(
        request,
        "leads/duplicates.html",
        {
            "obj": person,
            "kind": kind,
            "found": found,
            "is_lead": isinstance(person, Lead),
            "can_edit": access.can(request.user, "person.edit", person),
        },
    )


# LEAD-MERGE-1 -------------------------------------------------------------------------------


def lead_merge(request):
    """GET: the side-by-side chooser (HTMX re-renders it when the survivor changes);
    POST: merge."""
    data = request.POST if request.method == "POST" else request.GET
    try:
        records = merge.load_records(data.getlist("ids"), data.get("contact") or None)
    except (ValidationError, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        first = parse_id(data.get("ids"))
        back = first and reverse("leads:detail", args=[first])
        return HttpResponseRedirect(back or reverse("leads:list"))
    refused = [r for r in records if not access.can(request.user, "person.edit", r)]
    survivor_pk = _int(data.get("survivor"), records[0].pk)
    survivor = next((r for r in records if r.pk == survivor_pk), records[0])
    if isinstance(records[0], Contact):
        survivor = records[0]
    if request.method == "POST":
        picks = {
            name: request.POST[f"pick_{name}"]
            for name in merge.fields_for(records)
            if request.POST.get(f"pick_{name}")
        }
        try:
            result = merge.merge_people(
                records=records, survivor_pk=survivor.pk, picks=picks, by=request.user
            )
        except ValidationError as exc:
            _say(request, exc)
        else:
            survivor = result.survivor
            messages.success(
                request,
                f"Merged {len(records) - 1} record(s) into "
                f"{survivor.name}; {sum(result.moved.values())} related "
                "row(s) moved.",
            )
            return HttpResponseRedirect(survivor.get_absolute_url())
    context = {
        "records": records,
        "survivor": survivor,
        "choices": merge.choices(records, survivor),
        "refused": refused,
        "into_contact": isinstance(records[0], Contact),
    }
    template = "leads/_merge_table.html" if request.htmx else "leads/merge.html"
    return TemplateResponse(request, template, context)


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# LEAD-CONVERT-1/2 ---------------------------------------------------------------------------


def lead_convert(request, pk: int):
    lead = get_object_or_404(
        Lead.objects.select_related("owner", "initial_source", "country", "region"), pk=pk
    )
    access.require(request.user, "person.edit", lead)
    if person_read_only(lead):
        messages.info(request, "LEAD-STATUS 10: this lead is already converted or merged.")
        return HttpResponseRedirect(lead.get_absolute_url())
    matches = convert.account_matches(lead)
    initial = {
        "account_choice": str(matches[0].pk) if matches else "new",
        "new_account_name": lead.company,
        "new_account_website": lead.website,
    }
    trial = trial_expiry(lead)
    if trial is not None:
        initial["close_date"] = trial  # OPP-V12: from a free trial, its expiry
    asked = _int(request.GET.get("account"), None)
    if asked is not None:
        if any(a.pk == asked for a in matches):
            initial["account_choice"] = str(asked)
        else:
            initial.update(account_choice="other", other_account=asked)
    suggested = next((a for a in matches if str(a.pk) == initial["account_choice"]), None)
    if suggested is None and asked is not None:
        suggested = Account.objects.select_related("owner").filter(pk=asked).first()
    defaults = convert.convert_defaults(lead, suggested, request.user)
    initial.update(mode=defaults.mode, stage=defaults.stage)
    if request.method == "POST":
        form = ConvertForm(request.POST, matches=matches)
        if form.is_valid():
            plan = form.plan()
            try:
                result = convert.convert_lead(lead=lead, by=request.user, plan=plan)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or "ROLE-3: not allowed.")
            else:
                messages.success(request, _converted(result))
                target = result.opportunity or result.contact
                return HttpResponseRedirect(target.get_absolute_url())
    else:
        form = ConvertForm(initial=initial, matches=matches)
    open_opps = (
        Opportunity.objects.filter(account__in=matches, stage__in=OPEN_STAGES)
        .select_related("owner", "account", "resale_partner")
        .order_by("-created_at")[:30]
        if matches
        else []
    )
    return TemplateResponse(
        request,
        "leads/convert.html",
        {
            "obj": lead,
            "form": form,
            "matches": matches,
            "open_opps": open_opps,
            "defaults": defaults,
            "can_set_owner": access.can(request.user, "account.edit_ownership")
            or request.user.has_role(roles.AE),
        },
    )


def _converted(result: convert.ConvertResult) -> str:
    what = (
        f"joined {result.opportunity.name}"
        if result.joined
        else f"opportunity {result.opportunity.name} created"
        if result.opportunity
        else "no opportunity"
    )
    return f"Converted {result.contact.name} to a contact at {result.account.name}; {what}."


def account_options(request):
    """HTMX: accounts by name or domain for a picker (<option> rows)."""
    q = (request.GET.get("q") or "").strip()
    accounts = []
    if len(q) >= 2:
        accounts = list(
            Account.objects.filter(merged_into__isnull=True)
            .filter(Q(name__icontains=q) | Q(domain__istartswith=q))
            .select_related("owner")
            .order_by("name")[:20]
        )
    return TemplateResponse(request, "leads/_account_options.html", {"accounts": accounts, "q": q})


def opportunity_options(request):
    """HTMX: the open opportunities at one account (conversion's "join" choice)."""
    account_id = _int(
        request.GET.get("account")
        or request.GET.get("end_user_account")
        or request.GET.get("other_account"),
        0,
    )
    opps = (
        Opportunity.objects.filter(account_id=account_id, stage__in=OPEN_STAGES)
        .select_related("owner", "resale_partner")
        .order_by("-created_at")[:30]
    )
    return TemplateResponse(request, "leads/_opportunity_options.html", {"opps": opps})


# Compliance ---------------------------------------------------------------------------------


@require_POST
def person_compliance(request, kind: str, pk: int):
    person = _person(kind, pk)
    action = request.POST.get("action", "")
    try:
        if action == "dnc_on":
            compliance.person_set_dnc(person=person, by=request.user, value=True)
            messages.success(request, "Do Not Call checked; the call action is hidden.")
        elif action == "dnc_off":
            compliance.person_set_dnc(
                person=person,
                by=request.user,
                value=False,
                release_activity_id=_int(request.POST.get("activity"), 0),
            )
            messages.success(request, "Do Not Call unchecked, linked to the person's e-mail.")
        elif action == "opt_out":
            compliance.person_opt_out(person=person, by=request.user)
            messages.success(request, "Opted out of e-mail; running sequences stopped.")
        elif action == "opt_out_30":
            compliance.person_opt_out(person=person, by=request.user, days=compliance.OPT_OUT_DAYS)
            messages.success(request, "Opted out of e-mail for 30 days; it ends by itself.")
        elif action == "inactive":
            compliance.person_mark_inactive(person=person, by=request.user)
            messages.success(request, "Marked inactive; running sequences finished.")
        else:
            raise ValidationError("Choose a compliance action.")
    except ValidationError as exc:
        _say(request, exc)
    return HttpResponseRedirect(person.get_absolute_url())


@require_POST
def lead_spam(request, pk: int):
    lead = get_object_or_404(Lead, pk=pk)
    try:
        compliance.lead_mark_spam(
            lead=lead, by=request.user, confirmed=request.POST.get("confirm") in ("on", "1", "yes")
        )
        messages.warning(
            request, "Added to SPAM DELETION: the nightly purge deletes this lead for good."
        )
    except ValidationError as exc:
        _say(request, exc)
    return HttpResponseRedirect(lead.get_absolute_url())


def blocked_domains(request):
    """LEAD-SPAM-1: Marketing Ops blocks e-mail domains (intake refuses them, routing skips
    them)."""
    access.require(request.user, "reference.manage")
    form = BlockedDomainForm()
    if request.method == "POST":
        if request.POST.get("delete"):
            WordListEntry.objects.filter(
                list=WordList.BLOCKED_DOMAIN, pk=_int(request.POST.get("delete"), 0)
            ).delete()
            messages.success(request, "Domain unblocked.")
            return HttpResponseRedirect(request.path)
        form = BlockedDomainForm(request.POST)
        if form.is_valid():
            entry = form.save(commit=False)
            entry.list, entry.created_by = WordList.BLOCKED_DOMAIN, request.user
            entry.save()
            messages.success(request, f"{entry.value} is blocked.")
            return HttpResponseRedirect(request.path)
    rows = (
        WordListEntry.objects.filter(list=WordList.BLOCKED_DOMAIN)
        .select_related("created_by")
        .order_by("value")
    )
    return TemplateResponse(request, "leads/blocked_domains.html", {"form": form, "rows": rows})


# CONTACT-CREATE -----------------------------------------------------------------------------


def contact_create(request):
    """Search first: who is it, and do we already know them? Then the contact form."""

    if not access.can(request.user, "record.comment"):
        raise PermissionDenied("ROLE-3: read-only users cannot create contacts.")
    searched = request.method == "POST" or bool(request.GET.get("last_name"))
    search = ContactSearchForm(request.GET if not request.method == "POST" else request.POST)
    found = None
    if searched and search.is_valid():
        d = search.cleaned_data

        found = {
            "leads": matching_leads(
                email=d["email"],
                first_name=d["first_name"],
                last_name=d["last_name"],
                company=d["company"],
            ),
            "contacts": matching_contacts(email=d["email"]),
            "accounts": accounts_for(email=d["email"], company=d["company"]),
        }
    form = None
    if request.method == "POST":
        form = ContactCreateForm(request.POST)
        if form.is_valid():
            try:
                contact = create(
                    by=request.user,
                    data=form.cleaned_data,
                    confirmed=form.cleaned_data["confirm_duplicate"],
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, f"Contact {contact.name} created.")
                return HttpResponseRedirect(contact.get_absolute_url())
    elif found is not None:
        form = ContactCreateForm(
            initial={
                **search.cleaned_data,
                "account": found["accounts"][0].pk if found["accounts"] else None,
            }
        )
    return TemplateResponse(
        request,
        "leads/contact_create.html",
        {"search": search, "found": found, "form": form, "searched": searched},
    )
