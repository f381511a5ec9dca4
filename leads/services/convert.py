"""LEAD-CONVERT-1/2: convert a lead into a contact on the right account, with an optional
opportunity (or joining an open one). One transaction: any refusal leaves everything as it
was. The wizard, the API and imports call `convert_lead`."""

import datetime
from dataclasses import dataclass
from typing import NoReturn

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.matching import matching_accounts, normalize_domain
from accounts.models import Account
from gtm_portal.activity.models import Activity
from gtm_portal.chatter.models import Notification
from gtm_portal.chatter.services import notify
from gtm_portal.core import access
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.users import roles
from gtm_portal.users.models import User
from opportunities import workflow as opp_workflow
from opportunities.enums import OPEN_STAGES, OrderType, Stage
from opportunities.models import Opportunity
from opportunities.services import contact_role_add, opportunity_change_stage, opportunity_create

from ..models import Lead
from ..rule_context import free_domains
from ..workflow import Via
from .active import trial_expiry
from .person_rows import lock_person, person_link
from .persons import lead_convert_to_contact, person_change_status

RULE = "LEAD-CONVERT-1"
RESELLER_RULE = "LEAD-CONVERT-2"


CREDITED_ROLES = (roles.SDR, roles.BDR, roles.SDR_MANAGER, roles.BDR_MANAGER)


class OppMode:
    NONE = "none"  # contact only
    SALES = "sales"  # owned by the account owner, the converting SDR/BDR credited
    WARM = "warm"  # a warm conversation not ready for sales: owned by the converting rep
    JOIN = "join"  # add the contact to an open opportunity at the account
    CHOICES = (
        (NONE, "No opportunity"),
        (SALES, "New opportunity for the account owner (AE)"),
        (WARM, "Warm conversation, not ready for sales (I own it, 00-Pre Opportunity)"),
        (JOIN, "Add the contact to an open opportunity at the account"),
    )


@dataclass
class ConvertPlan:
    account: Account | None = None  # an existing account …
    new_account_name: str = ""  # … or a new one
    new_account_website: str = ""
    new_account_owner: User | None = None
    confirm_new_account: bool = False  # create it although an account matches
    mode: str = OppMode.NONE
    stage: str = Stage.PENDING  # SALES: 0-Pending Acceptance or 00-Pre Opportunity
    join_opportunity: Opportunity | None = None
    opportunity_name: str = ""
    close_date: datetime.date | None = None  # OPP-V12: defaults to the lead's trial expiry
    amount: object = 0
    right_person_confirmed: bool = False
    business_problem: str = ""
    end_user_account: Account | None = None  # LEAD-CONVERT-2: the reseller asks for a quote


@dataclass
class ConvertResult:
    contact: object
    account: Account
    opportunity: Opportunity | None = None
    joined: bool = False
    created_account: bool = False


def _refuse(message: str, rule: str = RULE, field: str | None = None) -> NoReturn:
    if field:
        raise ValidationError({field: f"{rule}: {message}"}, code=rule)
    raise ValidationError(f"{rule}: {message}", code=rule)


def account_matches(lead: Lead, *, name: str = "", website: str = "") -> list[Account]:
    """LEAD-DUP-1 account suggestions for the wizard: the lead's matches plus the matches of
    the account name being typed."""
    found = matching_accounts(
        email=lead.email, company=lead.company, website=lead.website, free_domains=free_domains()
    )
    if name or website:
        seen = {a.pk for a in found}
        found += [
            a
            for a in matching_accounts(company=name, website=website, free_domains=free_domains())
            if a.pk not in seen
        ]
    return found


def _new_account(plan: ConvertPlan, lead: Lead, by) -> Account:
    if (
        plan.new_account_owner is not None
        and plan.new_account_owner.pk != by.pk
        and not access.can(by, "account.edit_ownership")
    ):
        _refuse(
            "only Sales Support or Sales Admin choose another person as the owner of a new "
            "account (ROLE-3); leave it with Sales Admin — an AE claims it (ACCT-CLAIM).",
            field="new_account_owner",
        )
    name = plan.new_account_name.strip()
    if not name:
        _refuse("name the new account, or pick an existing one.", field="new_account_name")
    matches = account_matches(lead, name=name, website=plan.new_account_website)
    if matches and not plan.confirm_new_account:
        names = ", ".join(f"{a.name} (#{a.pk})" for a in matches[:3])
        _refuse(
            f"{names} already matches this person. Pick it, or confirm that you want a "
            "second account.",
            field="confirm_new_account",
        )
    owner = plan.new_account_owner or User.objects.queue(roles.Q_SALES_ADMIN)
    account = Account(
        name=name,
        website=plan.new_account_website.strip(),
        domain=normalize_domain(plan.new_account_website)
        or (lead.email_domain if lead.email_domain not in free_domains() else ""),
        owner=owner,
        country=lead.country,
        region=lead.region,
        employees=lead.employees,
        account_source=lead.initial_source,
        updated_by=by,
    )
    account.derive()
    account.full_clean(exclude=["ultimate_parent"])
    account.save()
    Account.objects.filter(pk=account.pk).update(ultimate_parent=account)
    account.ultimate_parent_id = account.pk
    return account


def sales_owner_refusal(owner, account_name: str, by) -> tuple[str, str] | None:
    """Why a sales opportunity (owned by the account owner, the converting SDR/BDR credited)
    cannot be made at an account owned by `owner` — (rule, message) — or None when it can.
    Asked by the convert service and, before submit, by the convert page's defaults."""
    if owner is None or owner.is_queue or not owner.is_active:
        return (
            RULE,
            f"{account_name} has no AE owner ({owner.label if owner else 'nobody'}); the "
            "opportunity is owned by the account owner. Ask Sales Support to set one, or keep "
            "it as a warm conversation you own.",
        )
    if owner.pk == by.pk and by.has_role(*CREDITED_ROLES):
        return (
            "OPP-V1",
            "you own the account, so you cannot also be its SDR/BDR; keep it as a warm "
            "conversation.",
        )
    return None


NEW_ACCOUNT_NOTE = (
    "a new account is owned by Sales Admin until an AE claims it (ACCT-CLAIM), so its "
    "opportunity starts as a warm conversation you own."
)


@dataclass(frozen=True)
class ConvertDefaults:
    """The convert page's first choices — ones `convert_lead` accepts as they stand (UX: the
    defaults never fail) — and, for before the submit, why the others would be refused."""

    mode: str
    stage: str
    sales_note: str  # why a sales opportunity would be refused here ("" when it would pass)
    stage_note: str  # what 0-Pending Acceptance still needs (OPP-V10)


def convert_defaults(lead: Lead, account: Account | None, by) -> ConvertDefaults:
    """For converting `lead` into `account` (the suggested match; None: a new account): a
    sales opportunity where the account has an AE owner, else a warm conversation, in
    00-Pre Opportunity — 0-Pending Acceptance needs OPP-V10's fields filled on the form."""
    refusal = (
        sales_owner_refusal(account.owner, account.name, by)
        if account is not None
        else (RULE, NEW_ACCOUNT_NOTE)
    )
    two_way = Activity.objects.filter(**person_link(lead), two_way=True).exists()
    stage_note = (
        "0-Pending Acceptance needs “Right person/profile confirmed” and the business problem"
        + ("" if two_way else ", and a two-way activity with this person first — none yet")
        + " (OPP-V10)."
    )
    return ConvertDefaults(
        mode=OppMode.WARM if refusal else OppMode.SALES,
        stage=Stage.PRE,
        sales_note=refusal[1] if refusal else "",
        stage_note=stage_note,
    )


def _check_opportunity(plan: ConvertPlan, account: Account, by):
    """Everything the opportunity part needs, refused before anything is written."""
    if plan.mode not in dict(OppMode.CHOICES):
        _refuse("choose what happens with an opportunity.", field="mode")
    target = plan.end_user_account or account
    if plan.mode == OppMode.JOIN:
        opp = plan.join_opportunity
        if opp is None or opp.account_id != target.pk or opp.stage not in OPEN_STAGES:
            _refuse(f"choose an open opportunity at {target.name}.", field="join_opportunity")
        return
    if plan.mode == OppMode.NONE:
        if plan.end_user_account:
            _refuse(
                "a reseller's quote request needs an opportunity at the end-user account.",
                RESELLER_RULE,
                field="mode",
            )
        return
    if plan.close_date is None:
        _refuse("give the expected close date.", "OPP-V12", field="close_date")
    if plan.mode == OppMode.SALES:
        if plan.stage not in (Stage.PENDING, Stage.PRE):
            _refuse(
                "a converted opportunity starts in 0-Pending Acceptance or 00-Pre Opportunity.",
                field="stage",
            )
        refusal = sales_owner_refusal(target.owner, target.name, by)
        if refusal is not None:
            _refuse(refusal[1], refusal[0], field="mode")


def _existing_reseller_opportunity(end_user: Account, reseller: Account):
    return (
        Opportunity.objects.filter(account=end_user, resale_partner=reseller, stage__in=OPEN_STAGES)
        .order_by("pk")
        .first()
    )


def _create_opportunity(plan: ConvertPlan, account: Account, contact, lead: Lead, by, *, trial):

    target = plan.end_user_account or account
    reseller = account if plan.end_user_account else None
    stage: str
    if plan.mode == OppMode.WARM:
        owner, sdr_bdr, stage = by, None, Stage.PRE
    else:
        owner = target.owner
        # The converting SDR/BDR is credited (OPP-V1: never the owner themself).
        not_owner = owner is None or owner.pk != by.pk
        sdr_bdr = by if not_owner and by.has_role(*CREDITED_ROLES) else None
        stage = plan.stage
    name = plan.opportunity_name.strip()
    if reseller is not None:
        name = f"{target.name} via {reseller.name}"
    elif not name:
        name = f"{target.name} - New Business"
    opp = opportunity_create(
        by=by,
        name=name[:255],
        account=target,
        owner=owner,
        sdr_bdr=sdr_bdr,
        close_date=plan.close_date,
        amount=plan.amount or 0,
        source=lead.initial_source,
        order_type=OrderType.SALES_ASSISTED,
        resale_partner=reseller,
        right_person_confirmed=plan.right_person_confirmed,
        business_problem=plan.business_problem.strip(),
        stage_reason=f"{RULE}: converted from lead #{lead.pk}",
        contacts=[(contact, {"is_partner": True} if reseller else {"is_primary": True})],
        from_trial=trial is not None,
        trial_expiry=trial,
    )
    if stage == Stage.PENDING:
        opp = opportunity_change_stage(
            opportunity=opp, to=Stage.PENDING, by=by, note=f"{RULE}: converted from lead #{lead.pk}"
        )
    return opp


def _join(opp: Opportunity, contact, *, partner: bool, by, rule: str = RULE):

    if not opp.contact_roles.filter(contact=contact).exists():
        contact_role_add(opportunity=opp, contact=contact, by=None, is_partner=partner)
    notify(
        recipients=[opp.owner],
        reason=Notification.Reason.INFO,
        record=opp,
        actor=by,
        message=f"{rule}: {contact.name} was added to {opp.name}"
        + (" as the reseller's partner contact." if partner else "."),
    )


@transaction.atomic
def convert_lead(*, lead: Lead, by, plan: ConvertPlan) -> ConvertResult:
    lead = lock_person(lead)
    access.require(by, "person.edit", lead)
    if lead.converted_at or lead.merged_into_id:
        _refuse("this lead is already converted or merged (LEAD-STATUS 10).")
    if plan.account is not None and plan.account.merged_into_id:
        _refuse(
            f"{plan.account.name} was merged into another account; pick that one.", field="account"
        )
    if plan.end_user_account is not None:
        if plan.end_user_account.merged_into_id:
            _refuse(
                "the end-user account was merged; pick its survivor.",
                RESELLER_RULE,
                field="end_user_account",
            )
        if plan.account is not None and plan.account.pk == plan.end_user_account.pk:
            _refuse(
                "the reseller's account and the end-user account must differ.",
                RESELLER_RULE,
                field="end_user_account",
            )
        if plan.mode == OppMode.WARM:
            _refuse(
                "a reseller's quote request is an opportunity for the end-user account's owner.",
                RESELLER_RULE,
                field="mode",
            )
    trial = trial_expiry(lead)
    plan.close_date = opp_workflow.default_close_date(plan.close_date, trial)  # OPP-V12
    created = plan.account is None
    if plan.account is not None:
        _check_opportunity(plan, plan.account, by)
    account = plan.account or _new_account(plan, lead, by)
    if created:
        _check_opportunity(plan, account, by)
    reseller_join = None
    if plan.end_user_account is not None and plan.mode == OppMode.SALES:
        reseller_join = _existing_reseller_opportunity(plan.end_user_account, account)
    if plan.mode != OppMode.NONE:
        lead = person_change_status(
            person=lead,
            to=S.QUALIFIED,
            by=by,
            via=Via.CONVERSION,
            reason="converted with an opportunity",
            check_access=False,
        )
    owner = account.contact_owner or by
    contact = lead_convert_to_contact(
        lead=Lead.objects.get(pk=lead.pk),
        account=account,
        owner=owner,
        by=by,
        reason=f"{RULE}: converted by {by.label}",
    )
    result = ConvertResult(contact=contact, account=account, created_account=created)
    partner = plan.end_user_account is not None
    if (
        plan.mode == OppMode.JOIN and plan.join_opportunity is not None
    ):  # _check_opportunity refused None
        _join(plan.join_opportunity, contact, partner=partner, by=by)
        result.opportunity, result.joined = plan.join_opportunity, True
    elif reseller_join is not None:
        # LEAD-CONVERT-2: no second opportunity for the same end user and reseller.
        _join(reseller_join, contact, partner=True, by=by, rule=RESELLER_RULE)
        result.opportunity, result.joined = reseller_join, True
    elif plan.mode in (OppMode.SALES, OppMode.WARM):
        result.opportunity = _create_opportunity(plan, account, contact, lead, by, trial=trial)
    if result.opportunity is not None:
        Lead.objects.filter(pk=lead.pk).update(converted_opportunity=result.opportunity)
    return result
