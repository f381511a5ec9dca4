"""Writes to a lead or contact by hand and by rule: the status machine (LEAD-STATUS), edits,
hand assignment and re-routing (ROUTE-5), conversion to a contact. Scoring is `scoring`,
the row helpers `person_rows` (STYLE 2.1)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Contact
from gtm_portal.chatter.models import Notification
from gtm_portal.chatter.services import comment_post, notify
from gtm_portal.core import access, history
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.core.services import check_version, record_update

from .. import scoring
from ..models import Lead, RoutingDecision, ScoreEvent
from ..workflow import TransitionRefused, Via, check_move
from .person_rows import (
    lock_person,
    move_person_rows,
    person_link,
    require_editable,
    save_person,
)
from .routing import route_person
from .scoring import person_rescore_demographics


def _channel_facts(person) -> dict:
    valid = scoring.is_valid_email(person.email)
    return {
        "has_valid_email": valid,
        "has_usable_channel": valid or bool(person.phone or person.mobile),
    }


@transaction.atomic
def person_change_status(
    *,
    person,
    to: str,
    by,
    via: str = Via.HAND,
    reason: str = "",
    disqualify_reason=None,
    check_access: bool = True,
    expected_version: int | None = None,
):
    """LEAD-STATUS: every status change goes through here. Refusals name their rule and
    change nothing. Moving to Recycle resets the behaviour score (LEAD-STATUS 3). A form
    posts the version it showed (Q-CONC)."""
    person = lock_person(person)
    if check_access and via == Via.HAND:
        access.require(by, "person.edit", person)
    check_version(person, expected_version)
    converted = bool(getattr(person, "converted_at", None))
    try:
        rule = check_move(
            person.status,
            to,
            via=via,
            is_contact=isinstance(person, Contact),
            disqualify_reason=disqualify_reason is not None,
            converted=converted,
            **_channel_facts(person),
        )
    except TransitionRefused as refused:
        raise ValidationError(refused.message, code=refused.rule) from None
    fields = history.tracked_fields(type(person))
    before, before_display = (
        history.snapshot(person, fields),
        history.display_snapshot(person, fields),
    )
    changed = ["status"]
    person.status = to
    if to == S.DISQUALIFIED:
        person.disqualify_reason = disqualify_reason
        changed.append("disqualify_reason")
    if to == S.RECYCLE and person.behaviour_score:
        now = timezone.now()
        reset = person.behaviour_score
        person.behaviour_score = 0
        person.person_score = person.demographic_score
        person.score_reset_at = now
        ScoreEvent.objects.create(
            **person_link(person),
            kind="reset",
            points=-reset,
            rule_name="Moved to Recycle: behaviour score reset",
            created_at=now,
            score_after=person.person_score,
        )
        changed += ["behaviour_score", "person_score", "score_reset_at"]
    save_person(
        person,
        before,
        before_display,
        by=by,
        reason=f"{rule}{': ' + reason if reason else ''}",
        fields=changed,
    )
    return person


PERSON_COPY_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "email_domain",
    "phone",
    "mobile",
    "phone_dnc",
    "mobile_dnc",
    "title",
    "website",
    "linkedin_url",
    "employees",
    "country",
    "state",
    "city",
    "address1",
    "address2",
    "postal_code",
    "region",
    "description",
    "initial_source",
    "lead_source",
    "behaviour_score",
    "demographic_score",
    "person_score",
    "score_reset_at",
    "mql_date",
    "mql_count",
    "last_interesting_moment",
    "last_interesting_moment_at",
    "is_hot",
    "active_until",
    "sla_due",
    "first_touch_at",
    "first_touch_minutes",
    "do_not_call",
    "email_opt_out",
    "opt_out_until",
    "gdpr_opt_in",
    "is_inactive",
    "is_core_user",
    "setup_for_team",
    "partner_prospecting_status",
    "bant_budget",
    "bant_authority",
    "bant_need",
    "bant_timeline",
    "disqualify_reason",
)


@transaction.atomic
def lead_convert_to_contact(*, lead: Lead, account, owner, by, reason: str) -> Contact:
    """ROUTE-2 step 7a (and the contact part of LEAD-CONVERT-1): a contact on the account
    with the lead's data, history and conversation; the lead keeps a pointer and becomes
    read-only (LEAD-STATUS 10)."""
    lead = lock_person(lead)
    if lead.converted_at:
        raise ValidationError(
            "LEAD-STATUS 10: this lead is already converted.", code="LEAD-STATUS 10"
        )
    contact = Contact(
        account=account,
        owner=owner,
        status=lead.status if lead.status != S.RAW else S.INQUIRY,
        **{f: getattr(lead, f) for f in PERSON_COPY_FIELDS},
    )
    contact.derive()
    contact.full_clean()
    contact.save()
    move_person_rows(source=lead, target=contact)
    fields = history.tracked_fields(Lead)
    before, before_display = history.snapshot(lead, fields), history.display_snapshot(lead, fields)
    lead.converted_contact, lead.converted_account = contact, account
    lead.converted_at = timezone.now()
    save_person(
        lead,
        before,
        before_display,
        by=by,
        reason=reason,
        fields=["converted_contact", "converted_account", "converted_at"],
    )
    return contact


def person_update(*, person, by, data: dict, expected_version: int | None = None, reason: str = ""):
    """Edit a lead's or contact's fields (ROLE-3, Q-CONC); the initial source never changes
    (LEAD-SOURCE-1); qualified and converted leads are read-only (LEAD-STATUS 10); a changed
    title or e-mail re-scores the demographic rules (LEAD-SCORE-1)."""
    access.require(by, "person.edit", person)
    require_editable(person)
    old = (person.title, person.email)
    person = record_update(
        obj=person,
        by=by,
        data=data,
        expected_version=expected_version,
        reason=reason,
        immutable={"initial_source": "LEAD-SOURCE-1"},
    )
    if (person.title, person.email) != old:
        person = person_rescore_demographics(person=person, by=by).person
    return person


@transaction.atomic
def person_assign(*, person, owner, by, reason: str, expected_version: int | None = None):
    """ROUTE-5: Marketing Ops assigns by hand with a reason; kept in history and the routing
    log."""

    access.require(by, "routing.reroute", person)
    if not (reason or "").strip():
        raise ValidationError(
            {"reason": "ROUTE-5: give the reason for the new owner."}, code="ROUTE-5"
        )
    person = record_update(
        obj=person,
        by=by,
        data={"owner": owner},
        reason=f"ROUTE-5: assigned by hand: {reason}",
        expected_version=expected_version,
    )
    RoutingDecision.objects.create(
        **person_link(person),
        rule="ROUTE-5",
        owner=owner,
        trigger="manual assignment",
        explanation=[f"Assigned by hand by {by.label}: {reason}"],
        decided_at=timezone.now(),
        decided_by=by,
    )
    if not owner.is_queue:
        notify(
            recipients=[owner],
            reason=Notification.Reason.ROUTED,
            record=person,
            actor=by,
            message=f"Assigned to you: {reason}",
        )
    return person


def person_flag_misroute(*, person, by, body: str):
    """ROUTE-5: anyone flags a misroute with a comment that mentions @mktgops-support."""

    text = (body or "").strip()
    if not text:
        raise ValidationError(
            {"body": "ROUTE-5: say what is wrong with the routing."}, code="ROUTE-5"
        )
    return comment_post(
        record=person, author=by, topic="misroute", body=f"@mktgops-support Misroute: {text}"
    )


def person_reroute(*, person, by):
    """ROUTE-5: Marketing Ops runs ROUTE-2 again."""

    access.require(by, "routing.reroute", person)
    return route_person(person=person, trigger="re-route by Marketing Ops", by=by)
