"""INTAKE-1..4: web-form and marketing-tool submissions → a scored, routed person, in one
transaction, idempotent by submission id (Q-IDEM)."""
import datetime
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.matching import match_account, match_account_sql
from accounts.models import Account, Contact
from gtm_portal.activity.enums import ActivityKind, Direction
from gtm_portal.activity.models import Activity
from gtm_portal.activity.services import activity_record
from gtm_portal.core.bulk import bulk_insert_rows, one_statement, reserve_sql
from gtm_portal.core.models import email_key
from gtm_portal.core.sqlrows import ModelRows
from gtm_portal.refdata.models import Country

from .. import scoring
from ..enums import FormKind, IntakeOutcome
from ..models import Campaign, CampaignMember, IntakeSubmission, Lead
from ..reference_snapshot import snapshot
from .persons import (
    lead_convert_to_contact,
    lock_person,
    new_person_record_form,
    person_record_form,
)
from .routing import route_people

# INTAKE-3: initial source of a new lead, from the form kind.
FORM_SOURCE = {
    FormKind.TRIAL_SELF_MANAGED: "Trial - Enterprise", FormKind.TRIAL_SAAS: "Trial - GitLab.com",
    FormKind.CONTACT_US: "Request - Contact",
    FormKind.PROFESSIONAL_SERVICES: "Request - Professional Services",
    FormKind.WEBCAST_REGISTRATION: "Webcast", FormKind.WEBCAST_ATTENDED_HIGH: "Webcast",
    FormKind.WEBCAST_ATTENDED_LOW: "Webcast", FormKind.ONDEMAND_HIGH: "Webcast",
    FormKind.ONDEMAND_LOW: "Webcast", FormKind.GATED_CONTENT: "Gated Content - General",
    FormKind.NEWSLETTER: "Newsletter", FormKind.SECURITY_NEWSLETTER: "Security Newsletter",
    FormKind.EVENT_BOOTH: "Conference", FormKind.WEB_CHAT: "Drift",
    FormKind.EDUCATION_PROGRAM: "Education", FormKind.OSS_PROGRAM: "OSS",
    FormKind.STARTUP_PROGRAM: "Web", FormKind.PAGE_VISIT_PRICING: "Web",
    FormKind.PAGE_VISIT_FEATURES: "Web", FormKind.PAGE_VISIT_INSTALLATION: "Web",
    FormKind.PAGE_VISIT_ENTERPRISE_TRIAL: "Web", FormKind.PAGE_VISIT_CAREERS: "Web",
    FormKind.UNSUBSCRIBE: "Web",
}

ACTIVITY_KIND = {
    FormKind.WEBCAST_REGISTRATION: ActivityKind.FORM_FILL,
    FormKind.WEBCAST_ATTENDED_HIGH: ActivityKind.WEBCAST,
    FormKind.WEBCAST_ATTENDED_LOW: ActivityKind.WEBCAST, FormKind.ONDEMAND_HIGH: ActivityKind.WEBCAST,
    FormKind.ONDEMAND_LOW: ActivityKind.WEBCAST, FormKind.EVENT_BOOTH: ActivityKind.EVENT_VISIT,
    FormKind.WEB_CHAT: ActivityKind.CHAT,
}
PERSON_FIELDS = ("first_name", "phone", "title", "state", "employees", "website", "description")
ACTIVE_DAYS = 60
TRIAL_DAYS = 30


class Refused(Exception):
    def __init__(self, status: int, errors: dict):
        super().__init__(errors)
        self.status = status
        self.errors = errors


@dataclass
class Answer:
    status: int
    body: dict


def resolve_country(value: str) -> Country | None:
    """A country by ISO code or name, any case (from the reference snapshot)."""
    return snapshot().country(value)


def _response(person, decision) -> dict:
    if person is None:
        return {"person": None, "status": None, "person_score": None,
                "owner": {"username": None, "queue": None}, "routing": None, "sla_due": None}
    owner = person.owner
    return {
        "person": {"type": "contact" if isinstance(person, Contact) else "lead", "id": person.pk},
        "status": person.status,
        "person_score": person.person_score,
        "owner": {"username": owner.username if owner and not owner.is_queue else None,
                  "queue": owner.display_name if owner and owner.is_queue else None},
        "routing": ({"rule": decision.rule, "explanation": decision.explanation}
                    if decision is not None else None),
        "sla_due": person.sla_due.isoformat() if person.sla_due else None,
    }


def log_refusal(*, data: dict, token_name: str, status: int, errors: dict) -> None:
    """The intake log keeps refused submissions too (no web-form lead silently dropped);
    a refusal does not take the submission id, so a corrected retry goes through."""
    IntakeSubmission.objects.create(
        submission_id=None, token_name=token_name[:100],
        form=str(data.get("form", "")).replace("\x00", "")[:40],
        email=str(data.get("email", "")).replace("\x00", "")[:254], payload=_jsonable(data),
        outcome=IntakeOutcome.REFUSED, status_code=status, response={"errors": errors},
        received_at=timezone.now())


def _jsonable(data: dict) -> dict:
    """The payload as the log stores it; NUL bytes are dropped (PostgreSQL rejects them)."""
    def clean(v):
        if isinstance(v, datetime.datetime | datetime.date):
            return v.isoformat()
        if isinstance(v, str):
            return v.replace("\x00", "")
        return v
    return {str(k).replace("\x00", ""): clean(v) for k, v in data.items()}


def submit(data: dict, *, token_name: str = "") -> Answer:
    """INTAKE-2: a repeated submission id answers the first answer (200) and writes nothing;
    concurrent repeats wait on the unique index and read the winner's answer. The log row
    goes in last (one INSERT, no UPDATE): a repeat's work is rolled back when its row is
    refused."""
    snap = snapshot()
    domain = scoring.email_domain(data["email"])
    if domain in snap.blocked:
        errors = {"email": ["blocked domain"]}
        previous = IntakeSubmission.objects.filter(submission_id=data["submission_id"]).first()
        if previous is not None:
            return Answer(200, previous.response)
        log_refusal(data=data, token_name=token_name, status=422, errors=errors)
        raise Refused(422, errors)
    try:
        with transaction.atomic():
            log = IntakeSubmission(
                submission_id=data["submission_id"], token_name=token_name[:100],
                form=data["form"], email=data["email"][:254], payload=_jsonable(data),
                received_at=timezone.now())
            answer = _process(data, log, snap)
            # The log row is written once, as the transaction's last statement: its unique
            # submission id refuses a repeat here, which rolls the repeat's work back. A
            # concurrent repeat waits on the index until the first commits (or rolls back),
            # and it holds no lock anybody else waits for, since nothing follows but COMMIT.
            bulk_insert_rows([log])
            return answer
    except IntegrityError:
        previous = IntakeSubmission.objects.filter(submission_id=data["submission_id"]).first()
        if previous is None:
            raise
        return Answer(200, previous.response)


# Rows of a new lead that its other rows point at: their keys are reserved by the lookup's
# statement (PostgreSQL), so that all the new lead's rows go in one statement.
RESERVED = (Lead, Activity)


def _find_person(email: str, match=None):
    """INTAKE-3: the oldest live lead with the e-mail (any case), else the oldest live
    contact — both asked in one statement that reads the lower(email) indexes for ids only;
    the person found is then locked for the rest of the transaction and read with the joins
    its history and routing read (`services.lock_person`). When nobody has the e-mail, the
    same statement (PostgreSQL) reserves the keys of the new lead and its activity, and
    gives the account a new lead would match (`match`: `match_account_sql`'s statement for
    the submission; None: nothing to match on). Returns (person or None, outcome, reserved
    keys by model, the new lead's account — None also when not asked)."""
    key = email_key(email)
    sql = f"SELECT {_oldest_with_email(Lead)} AS l, {_oldest_with_email(Contact)} AS c"
    params = [key, key]
    accounts = ModelRows.of(Account)
    if connection.vendor == "postgresql":
        # A key is taken only when both found nobody (a CASE branch not taken is not
        # evaluated); OFFSET 0 keeps the lookups from being copied into each CASE.
        sql = ("SELECT f.l, f.c" + "".join(
            f", CASE WHEN f.l IS NULL AND f.c IS NULL THEN {reserve_sql(m)} END"
            for m in RESERVED)
            + (f", {accounts.columns('a')}" if match else "")
            + f" FROM ({sql} OFFSET 0) AS f"
            + (f" LEFT JOIN LATERAL ({match[0]}) AS a ON f.l IS NULL AND f.c IS NULL"
               if match else ""))
        params += match[1] if match else []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    lead_id, contact_id = row[:2]
    if lead_id is not None:
        return lock_person(Lead(pk=lead_id)), IntakeOutcome.MATCHED_LEAD, {}, None
    if contact_id is not None:
        return lock_person(Contact(pk=contact_id)), IntakeOutcome.MATCHED_CONTACT, {}, None
    if connection.vendor != "postgresql":
        account = accounts.fetch(*match)[0:1] if match else []
        return None, IntakeOutcome.CREATED, {}, account[0] if account else None
    keys = row[2:2 + len(RESERVED)]
    account = row[2 + len(RESERVED):]
    return (None, IntakeOutcome.CREATED,
            {m: [k] for m, k in zip(RESERVED, keys, strict=True) if k is not None},
            accounts.build(account) if account and account[0] is not None else None)


def _oldest_with_email(model) -> str:
    """`email_is` (the same `email_key` against the lower(email) index) and live, oldest
    first, as SQL."""
    qn = connection.ops.quote_name
    meta = model._meta
    email, merged, created = (qn(meta.get_field(f).column)
                              for f in ("email", "merged_into", "created_at"))
    return (f"(SELECT {qn(meta.pk.column)} FROM {qn(meta.db_table)} WHERE lower({email}) = %s"
            f" AND {merged} IS NULL ORDER BY {created}, {qn(meta.pk.column)} LIMIT 1)")


def _process(data: dict, log: IntakeSubmission, snap) -> Answer:
    ctx = snap.scoring
    form = data["form"]
    at = data.get("occurred_at") or timezone.now()
    # The account a new lead would match, asked in the lookup's statement: a new lead's
    # e-mail, company and website are the submission's.
    match = match_account_sql(email=data["email"], company=data.get("company", ""),
                              website=data.get("website") or "",
                              free_domains=ctx.free_domains)
    person, outcome, reserved, new_account = _find_person(data["email"], match)
    if person is None and form == FormKind.UNSUBSCRIBE:
        body = _response(None, None)
        _finish(log, IntakeOutcome.IGNORED, 200, body)
        return Answer(200, body)
    country = snap.country(data.get("country", ""))
    created = person is None
    if created:
        # The serializer validated every value and the reference rows come from the
        # reference snapshot, so the row is written as it is (no per-field lookups).
        person = Lead(
            email=data["email"], last_name=data["last_name"],
            company=data.get("company", ""), country=country,
            region=country.region if country else None,
            initial_source=snap.sources[FORM_SOURCE[form]],
            lead_source=FORM_SOURCE[form], status="Raw",
            **{f: data[f] for f in PERSON_FIELDS if data.get(f) not in (None, "")})
        person.derive()
    else:
        _fill_blanks(person, data, country)
    account = (new_account if created else person.account if isinstance(person, Contact)
               else match_account(email=person.email, company=getattr(person, "company", ""),
                                  website=person.website, free_domains=ctx.free_domains))
    stamped = _stamp_moment(person, form, at, account, save=False)
    kind = ACTIVITY_KIND.get(form, ActivityKind.WEB_VISIT if form.startswith("page_visit")
                             else ActivityKind.FORM_FILL)

    def record_activity(person):
        link = {"contact" if isinstance(person, Contact) else "lead": person}
        return activity_record(kind=kind, occurred_at=at, direction=Direction.INBOUND,
                               form_kind=form, subject=FormKind(form).label, validate=False,
                               **link)

    campaign = _campaign(data.get("campaign"))
    decision = None
    if created:
        # Scored and routed before the row exists: the lead goes in with its scores, status,
        # owner and SLA (one INSERT, no UPDATE after it).
        def route(person, insert):
            return route_people([person], trigger="created", form_kind=form, ctx=snap.routing,
                                insert=insert)[0]

        # Every row of the new lead — the lead, its activity and score events, history,
        # routing decision and notification — goes in one statement (PostgreSQL).
        with one_statement(reserved=reserved):
            scored = new_person_record_form(
                person=person, form_kind=form, record_activity=record_activity,
                occurred_at=at, ctx=ctx, campaign_response=_responded(campaign), route=route)
        decision = scored.routed
        _join_campaign(person, campaign, new=True)
    else:
        activity = record_activity(person)
        responded = _join_campaign(person, campaign)
        # Locked and read by `_find_person`; the stamp goes in with the scoring's UPDATE.
        scored = person_record_form(person=person, form_kind=form, occurred_at=at,
                                    activity=activity, ctx=ctx, campaign_response=responded,
                                    savepoint=False, locked=True, also_save=stamped)
    person = scored.person
    if not created and (scored.became_mql or form in scoring.ROUTING_HAND_RAISE):
        trigger = "became MQL" if scored.became_mql else f"hand-raise {form}"
        # The person was locked and read whole in this transaction (its country, region
        # and source attached): routed as it is — no re-read, no second lock, no savepoint.
        decision = route_people([person], trigger=trigger, form_kind=form, ctx=snap.routing,
                                fresh=True)[0]
    if decision is not None:
        person = decision.person_obj
        if decision.convert_to_contact and isinstance(person, Lead) and decision.account_obj:
            person = lead_convert_to_contact(lead=person, account=decision.account_obj,
                                             owner=person.owner, by=None,
                                             reason=f"{decision.rule}: paying customer")
    status = 201 if created else 200
    body = _response(person, decision)
    _finish(log, outcome, status, body, person)
    return Answer(status, body)


def _finish(log, outcome, status, body, person=None):
    """The answer on the (not yet written) log row."""
    log.outcome = outcome
    log.status_code = status
    log.response = body
    if isinstance(person, Lead):
        log.lead = person
    elif isinstance(person, Contact):
        log.contact = person


def _fill_blanks(person, data, country):
    """An existing person keeps what it has; the submission fills only empty fields and never
    touches the initial source (LEAD-SOURCE-1)."""
    from gtm_portal.core import history

    fields = history.tracked_fields(type(person))
    before, shown = history.snapshot(person, fields), history.display_snapshot(person, fields)
    changed = []
    for f in PERSON_FIELDS + ("company",):
        if hasattr(person, f) and data.get(f) not in (None, "") and not getattr(person, f):
            setattr(person, f, data[f])
            changed.append(f)
    if country is not None and not person.country_id:
        person.country, person.region = country, country.region
        changed += ["country", "region"]
    if changed:
        person.save(update_fields=changed + ["updated_at"])
        history.record_changes(person, before, shown, by=None,
                               reason="INTAKE-3: the submission filled empty fields")


def _stamp_moment(person, form, at, account, *, save: bool = True) -> list[str]:
    """INTAKE-3 matched account and last interesting moment; LEAD-ACTIVE window. Returns
    the fields it set (`save=False`: the caller writes them)."""
    fields = ["last_interesting_moment", "last_interesting_moment_at", "lead_source"]
    person.last_interesting_moment = FormKind(form).label
    person.last_interesting_moment_at = at
    if form in FORM_SOURCE and form not in (FormKind.UNSUBSCRIBE,):
        person.lead_source = FORM_SOURCE[form]
    if isinstance(person, Lead) and account is not None and person.matched_account_id != account.pk:
        person.matched_account = account
        fields.append("matched_account")
    if form in scoring.HAND_RAISE_ACTIVE:
        days = ACTIVE_DAYS
        if form in scoring.TRIAL_FORMS:
            days = max(ACTIVE_DAYS, TRIAL_DAYS + 30)
        until = (at + datetime.timedelta(days=days)).date()
        if person.active_until is None or until > person.active_until:
            person.active_until = until
            fields.append("active_until")
    if form == FormKind.UNSUBSCRIBE and not person.email_opt_out:
        person.email_opt_out = True
        fields.append("email_opt_out")
    if save:
        person.save(update_fields=fields + ["updated_at"])
    return fields


def _campaign(name):
    """The campaign a submission names, with the status its members join with (the first
    responded status, else the first; a campaign without statuses gets "Responded")."""
    if not name:
        return None
    campaign = Campaign.objects.get(name=name)
    status = (campaign.statuses.filter(responded=True).order_by("id").first()
              or campaign.statuses.order_by("id").first())
    if status is None:
        status = campaign.statuses.create(name="Responded", responded=True)
    return campaign, status


def _responded(campaign) -> bool:
    """CAMP-1: joining with a responded status moves Raw → Inquiry (not for e-mail campaigns)."""
    if campaign is None:
        return False
    campaign, status = campaign
    return status.responded and campaign.type != "e-mail"


def _join_campaign(person, campaign, *, new: bool = False) -> bool:
    """A member of the campaign (once); `new`: the person was created in this transaction,
    so it is no member yet."""
    if campaign is None:
        return False
    link = {"contact" if isinstance(person, Contact) else "lead": person}
    if new:
        CampaignMember.objects.create(campaign=campaign[0], status=campaign[1], **link)
    else:
        CampaignMember.objects.get_or_create(campaign=campaign[0], **link,
                                             defaults={"status": campaign[1]})
    return _responded(campaign)
