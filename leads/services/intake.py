"""INTAKE-1..4: web-form and marketing-tool submissions → a scored, routed person, in one
transaction, idempotent by submission id (Q-IDEM)."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.matching import match_account
from accounts.models import Contact
from gtm_portal.activity.enums import ActivityKind, Direction
from gtm_portal.activity.models import Activity
from gtm_portal.activity.services import activity_record
from gtm_portal.core import history
from gtm_portal.core.input_guard import BAD_CHARACTERS
from gtm_portal.core.locks import lock_emails
from gtm_portal.core.models import email_is
from gtm_portal.refdata.models import Country

from .. import scoring
from ..enums import FormKind, IntakeOutcome
from ..models import Campaign, CampaignMember, IntakeSubmission, Lead
from ..reference_snapshot import snapshot
from .active import open_active_window
from .person_rows import lock_person, person_link
from .persons import lead_convert_to_contact
from .routing import route_people
from .scoring import person_record_form

# INTAKE-3: initial source of a new lead, from the form kind.
FORM_SOURCE: dict[str, str] = {
    FormKind.TRIAL_SELF_MANAGED: "Trial - Enterprise",
    FormKind.TRIAL_SAAS: "Trial - GitLab.com",
    FormKind.CONTACT_US: "Request - Contact",
    FormKind.PROFESSIONAL_SERVICES: "Request - Professional Services",
    FormKind.WEBCAST_REGISTRATION: "Webcast",
    FormKind.WEBCAST_ATTENDED_HIGH: "Webcast",
    FormKind.WEBCAST_ATTENDED_LOW: "Webcast",
    FormKind.ONDEMAND_HIGH: "Webcast",
    FormKind.ONDEMAND_LOW: "Webcast",
    FormKind.GATED_CONTENT: "Gated Content - General",
    FormKind.NEWSLETTER: "Newsletter",
    FormKind.SECURITY_NEWSLETTER: "Security Newsletter",
    FormKind.EVENT_BOOTH: "Conference",
    FormKind.WEB_CHAT: "Drift",
    FormKind.EDUCATION_PROGRAM: "Education",
    FormKind.OSS_PROGRAM: "OSS",
    FormKind.STARTUP_PROGRAM: "Web",
    FormKind.PAGE_VISIT_PRICING: "Web",
    FormKind.PAGE_VISIT_FEATURES: "Web",
    FormKind.PAGE_VISIT_INSTALLATION: "Web",
    FormKind.PAGE_VISIT_ENTERPRISE_TRIAL: "Web",
    FormKind.PAGE_VISIT_CAREERS: "Web",
    FormKind.UNSUBSCRIBE: "Web",
}

ACTIVITY_KIND: dict[str, str] = {
    FormKind.WEBCAST_REGISTRATION: ActivityKind.FORM_FILL,
    FormKind.WEBCAST_ATTENDED_HIGH: ActivityKind.WEBCAST,
    FormKind.WEBCAST_ATTENDED_LOW: ActivityKind.WEBCAST,
    FormKind.ONDEMAND_HIGH: ActivityKind.WEBCAST,
    FormKind.ONDEMAND_LOW: ActivityKind.WEBCAST,
    FormKind.EVENT_BOOTH: ActivityKind.EVENT_VISIT,
    FormKind.WEB_CHAT: ActivityKind.CHAT,
}
PERSON_FIELDS = ("first_name", "phone", "title", "state", "employees", "website", "description")


class Refused(Exception):
    def __init__(self, status: int, errors: dict, *, first: dict | None = None):
        super().__init__(errors)
        self.status = status
        self.errors = errors
        self.first = first

    @property
    def body(self) -> dict:
        return {"errors": self.errors, **({"first_submission": self.first} if self.first else {})}


@dataclass
class Answer:
    status: int
    body: dict


def resolve_country(value: str) -> Country | None:
    """A country by ISO code or name, any case (from the reference snapshot)."""
    return snapshot().country(value)


def _response(person, decision) -> dict:
    if person is None:
        return {
            "person": None,
            "status": None,
            "person_score": None,
            "owner": {"username": None, "queue": None},
            "routing": None,
            "sla_due": None,
        }
    owner = person.owner
    return {
        "person": {"type": "contact" if isinstance(person, Contact) else "lead", "id": person.pk},
        "status": person.status,
        "person_score": person.person_score,
        "owner": {
            "username": owner.username if owner and not owner.is_queue else None,
            "queue": owner.display_name if owner and owner.is_queue else None,
        },
        "routing": (
            {"rule": decision.rule, "explanation": decision.explanation}
            if decision is not None
            else None
        ),
        "sla_due": person.sla_due.isoformat() if person.sla_due else None,
    }


def log_refusal(*, data: dict, token_name: str, status: int, errors: dict) -> None:
    """The intake log keeps refused submissions too (no web-form lead silently dropped);
    a refusal does not take the submission id, so a corrected retry goes through."""
    IntakeSubmission.objects.create(
        submission_id=None,
        token_name=token_name[:100],
        form=BAD_CHARACTERS.sub("", str(data.get("form", "")))[:40],
        email=BAD_CHARACTERS.sub("", str(data.get("email", "")))[:254],
        payload=_jsonable(data),
        outcome=IntakeOutcome.REFUSED,
        status_code=status,
        response={"errors": errors},
        received_at=timezone.now(),
    )


def _jsonable(data: dict) -> dict:
    """The payload as the log stores it; NUL bytes and lone surrogates are dropped
    (PostgreSQL rejects the first, no encoding writes the second)."""

    def clean(v):
        if isinstance(v, datetime.datetime | datetime.date):
            return v.isoformat()
        if isinstance(v, str):
            return BAD_CHARACTERS.sub("", v)
        return v

    return {BAD_CHARACTERS.sub("", str(k)): clean(v) for k, v in data.items()}


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
            return replay(previous, data)
        log_refusal(data=data, token_name=token_name, status=422, errors=errors)
        raise Refused(422, errors)
    try:
        with transaction.atomic():
            log = IntakeSubmission(
                submission_id=data["submission_id"],
                token_name=token_name[:100],
                form=data["form"],
                email=data["email"][:254],
                payload=_jsonable(data),
                received_at=timezone.now(),
            )
            answer = _process(data, log, snap)
            # The log row is written once, as the transaction's last statement: its unique
            # submission id refuses a repeat here, which rolls the repeat's work back. A
            # concurrent repeat waits on the index until the first commits (or rolls back),
            # and it holds no lock anybody else waits for, since nothing follows but COMMIT.
            log.save(force_insert=True)
            return answer
    except IntegrityError:
        previous = IntakeSubmission.objects.filter(submission_id=data["submission_id"]).first()
        if previous is None:
            raise
        return replay(previous, data)


def replay(previous: IntakeSubmission, data: dict) -> Answer:
    """INTAKE-2 / Q-IDEM: a repeated submission id with the same body answers the first
    answer; with a different body it is refused (409) naming the first submission, and
    nothing is written (its work was rolled back)."""
    if previous.payload == _jsonable(data):
        return Answer(200, previous.response)
    received = previous.received_at.isoformat()
    raise Refused(
        409,
        {
            "submission_id": [
                f"INTAKE-2: submission id {previous.submission_id} was first received at "
                f"{received} with a different body; nothing was written. Send a new "
                "submission id for a new submission."
            ]
        },
        first={"submission_id": previous.submission_id, "received_at": received},
    )


def _find_person(email: str):
    """INTAKE-3: the oldest live lead with the e-mail (any case), else the oldest live
    contact, locked for the rest of the transaction (`person_rows.lock_person`); None when
    nobody has it."""
    for model, outcome in (
        (Lead, IntakeOutcome.MATCHED_LEAD),
        (Contact, IntakeOutcome.MATCHED_CONTACT),
    ):
        pk = (
            model.objects.filter(email_is(email), merged_into__isnull=True)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is not None:
            return lock_person(model(pk=pk)), outcome
    return None, IntakeOutcome.CREATED


def _new_lead(data: dict, form: str, country, snap) -> Lead:
    """INTAKE-3: a new lead from the submission (validated by the serializer; the reference
    rows come from the reference snapshot)."""
    lead = Lead(
        email=data["email"],
        last_name=data["last_name"],
        company=data.get("company", ""),
        country=country,
        region=country.region if country else None,
        initial_source=snap.sources[FORM_SOURCE[form]],
        lead_source=FORM_SOURCE[form],
        status="Raw",
        **{f: data[f] for f in PERSON_FIELDS if data.get(f) not in (None, "")},
    )
    lead.derive()
    return lead


def _record_activity(person, form: str, at) -> Activity:
    kind = ACTIVITY_KIND.get(
        form, ActivityKind.WEB_VISIT if form.startswith("page_visit") else ActivityKind.FORM_FILL
    )
    return activity_record(
        kind=kind,
        occurred_at=at,
        direction=Direction.INBOUND,
        form_kind=form,
        subject=FormKind(form).label,
        validate=False,
        **person_link(person),
    )


def _process(data: dict, log: IntakeSubmission, snap) -> Answer:
    """One submission, in the caller's transaction, in order: find the person (or make a new
    lead), stamp the moment, record the activity, score it, route when ROUTE-1 says so,
    answer."""
    ctx = snap.scoring
    form = data["form"]
    at = data.get("occurred_at") or timezone.now()
    lock_emails([data["email"]])
    person, outcome = _find_person(data["email"])
    if person is None and form == FormKind.UNSUBSCRIBE:
        body = _response(None, None)
        _finish(log, IntakeOutcome.IGNORED, 200, body)
        return Answer(200, body)
    country = snap.country(data.get("country", ""))
    created = person is None
    if created:
        person = _new_lead(data, form, country, snap)
    else:
        _fill_blanks(person, data, country)
    account = (
        person.account
        if isinstance(person, Contact)
        else match_account(
            email=person.email,
            company=person.company,
            website=person.website,
            free_domains=ctx.free_domains,
        )
    )
    stamped = _stamp_moment(person, form, at, account, save=False)
    if created:
        person.save()
    activity = _record_activity(person, form, at)
    responded = _join_campaign(person, _campaign(data.get("campaign")), new=created)
    scored = person_record_form(
        person=person,
        form_kind=form,
        occurred_at=at,
        activity=activity,
        ctx=ctx,
        campaign_response=responded,
        savepoint=False,
        locked=True,
        new=created,
        also_save=() if created else stamped,
    )
    person = scored.person
    decision = None
    if created or scored.became_mql or form in scoring.ROUTING_HAND_RAISE:
        trigger = (
            "created" if created else "became MQL" if scored.became_mql else f"hand-raise {form}"
        )
        # Locked (or inserted) and read whole in this transaction: routed as it is.
        decision = route_people(
            [person], trigger=trigger, form_kind=form, ctx=snap.routing, fresh=True
        )[0]
        person = decision.person
        if decision.convert_to_contact and isinstance(person, Lead) and decision.account:
            person = lead_convert_to_contact(
                lead=person,
                account=decision.account,
                owner=person.owner,
                by=None,
                reason=f"{decision.rule}: paying customer",
            )
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
        history.record_changes(
            person, before, shown, by=None, reason="INTAKE-3: the submission filled empty fields"
        )


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
    if open_active_window(person, form, at, account=account):
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
    status = (
        campaign.statuses.filter(responded=True).order_by("id").first()
        or campaign.statuses.order_by("id").first()
    )
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
        CampaignMember.objects.get_or_create(
            campaign=campaign[0], **link, defaults={"status": campaign[1]}
        )
    return _responded(campaign)
