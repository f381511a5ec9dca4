"""Every write to leads (and the person side of contacts): scoring, the status machine,
creation. Forms, admin, API, imports and tasks call these; the rules live in `scoring` and
`workflow` (STYLE 2.1)."""

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.claims import transfer_requests_follow
from accounts.models import Contact
from gtm_portal.activity.enums import EnrollmentState
from gtm_portal.activity.models import Activity, Enrollment, QualificationNote, Task
from gtm_portal.chatter.models import Comment, Follow, Notification
from gtm_portal.chatter.services import comment_post, notify
from gtm_portal.core import access, history
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.core.services import check_version, record_update, touch

from .. import scoring
from ..enums import ScoringKind
from ..models import CampaignMember, Lead, RoutingDecision, ScoreEvent
from ..rule_context import Context
from ..workflow import TransitionRefused, Via, check_move
from .routing import route_person


def person_kind(person) -> str:
    return "contact" if isinstance(person, Contact) else "lead"


def person_link(person) -> dict:
    return {person_kind(person): person}


PERSON_JOINS = (
    "country",
    "region",
    "region__parent",
    "initial_source",
    "owner",
    "disqualify_reason",
    "updated_by",
)


def lock_person(person):
    """Lock the row, then read it with the joins its history display needs (a joined row
    read in the locking query could be the version from before the wait)."""
    model = type(person)
    model.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).get()
    return model.objects.select_related(*PERSON_JOINS).get(pk=person.pk)


@dataclass
class ScoreOutcome:
    events: list = field(default_factory=list)
    status_changes: list = field(default_factory=list)
    became_mql: bool = False
    behaviour: list = field(default_factory=list)  # the events hanging on the activity
    person: object = None


def _net_points_by_rule(person, kind: str, new: bool) -> dict[int | None, int]:
    if new:
        return {}  # created in this transaction: no score events yet
    rows = (
        ScoreEvent.objects.filter(**person_link(person), kind=kind)
        .values("rule_id")
        .annotate(total=Sum("points"))
    )
    return {r["rule_id"]: r["total"] for r in rows}


def _event(person, *, rule_id, name, kind, points, at, activity=None):
    return ScoreEvent(
        **person_link(person),
        rule_id=rule_id,
        rule_name=name[:200],
        kind=kind,
        points=points,
        activity=activity,
        created_at=at,
        score_after=person.behaviour_score + person.demographic_score,
    )


def evaluate_demographics(person, ctx: Context, at, *, new: bool = False) -> list[ScoreEvent]:
    """REF-4: each demographic rule counts once per person; a change of title or e-mail (or
    of the points table) adds the difference, never a second copy. `new`: the person was
    created in this transaction (no events to read)."""
    net = _net_points_by_rule(person, ScoringKind.DEMOGRAPHIC, new)
    matching = {r.id: r for r in scoring.demographic_rules_matching(ctx.rules, ctx.facts(person))}
    events = []
    rule_names = {r.id: r.name for r in ctx.rules}
    for rule_id in sorted(set(net) | set(matching), key=lambda x: (x is None, x or 0)):
        want = matching[rule_id].points if rule_id in matching else 0
        have = net.get(rule_id, 0)
        if want == have:
            continue
        person.demographic_score += want - have
        name = rule_names.get(rule_id, "Rule no longer in the points table")
        if rule_id not in matching:
            name = f"{name} (no longer applies)"
        events.append(
            _event(
                person,
                rule_id=rule_id,
                name=name,
                kind=ScoringKind.DEMOGRAPHIC,
                points=want - have,
                at=at,
            )
        )
    person.person_score = person.behaviour_score + person.demographic_score
    return events


def behaviour_events(
    person, ctx: Context, form_kind: str, at, activity=None, *, new: bool = False
) -> list[ScoreEvent]:
    """REF-4 behaviour rules fire per activity of their kind."""
    events = []
    triggers = [form_kind]
    if form_kind == "page_visit_careers" and not new and _careers_due(person, ctx, at, activity):
        triggers.append(scoring.CAREERS_REPEAT)
    for trigger in triggers:
        for rule in scoring.behaviour_rules_for(ctx.rules, trigger):
            person.behaviour_score += rule.points
            events.append(
                _event(
                    person,
                    rule_id=rule.id,
                    name=rule.name,
                    kind=ScoringKind.BEHAVIOUR,
                    points=rule.points,
                    at=at,
                    activity=activity,
                )
            )
    person.person_score = person.behaviour_score + person.demographic_score
    return events


def _careers_due(person, ctx: Context, at, activity) -> bool:

    since = at - datetime.timedelta(days=scoring.CAREERS_WINDOW_DAYS)
    visits = (
        Activity.objects.filter(
            **person_link(person),
            form_kind="page_visit_careers",
            occurred_at__gte=since,
            occurred_at__lte=at,
        )
        .exclude(pk=getattr(activity, "pk", None))
        .values_list("occurred_at", flat=True)
    )
    penalty_ids = [r.id for r in ctx.rules if scoring.CAREERS_REPEAT in r.triggers]
    penalties = ScoreEvent.objects.filter(
        **person_link(person), rule_id__in=penalty_ids, created_at__gte=since
    ).values_list("created_at", flat=True)
    return scoring.careers_penalty_due(
        [(at - v).total_seconds() / 86400 for v in visits],
        [(at - p).total_seconds() / 86400 for p in penalties],
    )


def apply_automatic_status(
    person, ctx: Context, *, form_kind: str | None = None, campaign_response: bool = False, at=None
) -> list[tuple[str, str]]:
    """LEAD-STATUS 1 (Raw → Inquiry) and 2/3 (→ MQL at the threshold, re-MQL from Recycle).
    Mutates `person`; returns the moves made as (rule, reason) pairs."""
    at = at or timezone.now()
    moves = []
    if person.status == S.RAW and (
        (form_kind and scoring.is_form(form_kind))
        or campaign_response
        or person.behaviour_score > ctx.inquiry_threshold
    ):
        why = (
            "filled a form"
            if form_kind and scoring.is_form(form_kind)
            else "responded to a campaign"
            if campaign_response
            else f"behaviour score {person.behaviour_score} > {ctx.inquiry_threshold}"
        )
        person.status = S.INQUIRY
        moves.append(("LEAD-STATUS 1", f"LEAD-STATUS 1: Raw → Inquiry ({why})"))
    if person.status in (S.RAW, S.INQUIRY, S.RECYCLE) and person.person_score >= ctx.mql_threshold:
        rule = "LEAD-STATUS 3" if person.status == S.RECYCLE else "LEAD-STATUS 2"
        moves.append(
            (
                rule,
                f"{rule}: {person.status} → MQL (person score {person.person_score} "
                f"≥ {ctx.mql_threshold})",
            )
        )
        person.status = S.MQL
        person.mql_date = at
        person.mql_count += 1
    return moves


def _save_person(person, before, before_display, *, by, reason, fields):
    """Persist a person changed by a rule, with history rows for the tracked fields; a new
    version, so a form opened before goes stale (Q-CONC)."""
    person.save(update_fields=sorted({*fields, *touch(person, by)}))
    history.record_changes(person, before, before_display, by=by, reason=reason)


SCORE_FIELDS = (
    "behaviour_score",
    "demographic_score",
    "person_score",
    "status",
    "mql_date",
    "mql_count",
    "score_reset_at",
)


def person_record_form(
    *,
    person,
    form_kind: str,
    occurred_at=None,
    activity=None,
    ctx: Context | None = None,
    campaign_response: bool = False,
    by=None,
    new: bool = False,
    savepoint: bool = True,
    locked: bool = False,
    also_save=(),
) -> ScoreOutcome:
    """LEAD-SCORE-1: score a marketing activity, re-evaluate demographics, move the status.
    The caller routes the person when `became_mql` (ROUTE-1). `new`: the caller created the
    person in this transaction (it has no events yet). `locked`: the caller locked and read
    the person in this transaction (`lock_person`). `savepoint=False`: the caller's
    transaction already makes it all or nothing. `also_save`: fields the caller changed on
    the person (without history) that the scoring's UPDATE writes too."""
    with transaction.atomic(savepoint=savepoint):
        ctx = ctx or Context()
        at = occurred_at or timezone.now()
        if not (new or locked):
            person = lock_person(person)
        out, before, before_display, reason = _score_form(
            person,
            ctx,
            form_kind=form_kind,
            at=at,
            activity=activity,
            campaign_response=campaign_response,
            new=new,
        )
        ScoreEvent.objects.bulk_create(out.events)
        _save_person(
            person,
            before,
            before_display,
            by=by,
            reason=reason,
            fields=SCORE_FIELDS + tuple(also_save),
        )
        out.person = person
        return out


def _score_form(
    person, ctx: Context, *, form_kind: str, at, activity, campaign_response, new: bool = False
):
    """The scoring of one marketing activity, in memory: (outcome with its unsaved events,
    the tracked fields before, as shown before, the history reason)."""
    fields = history.tracked_fields(type(person))
    before, before_display = (
        history.snapshot(person, fields),
        history.display_snapshot(person, fields),
    )
    out = ScoreOutcome()
    out.events += evaluate_demographics(person, ctx, at, new=new)
    out.behaviour = behaviour_events(person, ctx, form_kind, at, activity, new=new)
    out.events += out.behaviour
    was_mql_count = person.mql_count
    moves = apply_automatic_status(
        person, ctx, form_kind=form_kind, campaign_response=campaign_response, at=timezone.now()
    )
    out.status_changes = moves
    out.became_mql = person.mql_count > was_mql_count
    reason = "; ".join(m[1] for m in moves) or f"Scored {form_kind}"
    return out, before, before_display, reason


@transaction.atomic
def person_rescore_demographics(*, person, ctx: Context | None = None, by=None) -> ScoreOutcome:
    """LEAD-SCORE-1: a field a demographic rule uses changed."""
    ctx = ctx or Context()
    person = lock_person(person)
    fields = history.tracked_fields(type(person))
    before, before_display = (
        history.snapshot(person, fields),
        history.display_snapshot(person, fields),
    )
    out = ScoreOutcome()
    out.events = evaluate_demographics(person, ctx, timezone.now())
    was = person.mql_count
    out.status_changes = apply_automatic_status(person, ctx)
    out.became_mql = person.mql_count > was
    ScoreEvent.objects.bulk_create(out.events)
    _save_person(
        person,
        before,
        before_display,
        by=by,
        reason="; ".join(m[1] for m in out.status_changes) or "Re-scored",
        fields=SCORE_FIELDS,
    )
    out.person = person
    return out


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
    _save_person(
        person,
        before,
        before_display,
        by=by,
        reason=f"{rule}{': ' + reason if reason else ''}",
        fields=changed,
    )
    return person


SPAM_CAMPAIGN = "SPAM DELETION"

# Rows that hang off a person and move with it on conversion or merge (LEAD-CONVERT-1,
# LEAD-MERGE-1): model label → its lead and contact link fields.
PERSON_ROWS = (
    Activity,
    Task,
    Enrollment,
    QualificationNote,
    ScoreEvent,
    RoutingDecision,
    CampaignMember,
)


def move_person_rows(*, source, target) -> dict[str, int]:
    """Re-point everything a person holds at another person (lead → contact on conversion,
    lead → lead or lead → contact on merge), comments and follows included; set-based, one
    UPDATE per table. A campaign both are in keeps one membership (the responded status
    wins); a second active sequence enrollment is finished, never two at once (SEQ-3)."""
    src, dst = person_kind(source), person_kind(target)
    moved = {}
    for model in PERSON_ROWS:
        label = model._meta.label
        qs = model.objects.filter(**{src: source})
        if model is CampaignMember:
            # LEAD-SPAM-1: a deletion mark belongs to the record marked, never to the one
            # that receives its rows (the nightly purge would delete the survivor).
            qs.filter(campaign__name=SPAM_CAMPAIGN).delete()
            _merge_campaign_memberships(model, qs, target, dst)
        if (
            model is Enrollment
            and model.objects.filter(**{dst: target}, state=EnrollmentState.ACTIVE).exists()
        ):
            qs.filter(state=EnrollmentState.ACTIVE).update(
                state=EnrollmentState.FINISHED, finished_at=timezone.now()
            )
        moved[label] = qs.update(**{src: None, dst: target})
    src_ct = ContentType.objects.get_for_model(type(source))
    dst_ct = ContentType.objects.get_for_model(type(target))
    moved["chatter.Comment"] = Comment.objects.filter(
        content_type=src_ct, object_id=source.pk
    ).update(content_type=dst_ct, object_id=target.pk)
    Follow.objects.filter(content_type=src_ct, object_id=source.pk).exclude(
        user__in=Follow.objects.filter(content_type=dst_ct, object_id=target.pk).values("user")
    ).update(content_type=dst_ct, object_id=target.pk)
    Follow.objects.filter(content_type=src_ct, object_id=source.pk).delete()
    moved["accounts.TransferRequest"] = transfer_requests_follow(source=source, target=target)
    return moved


def _merge_campaign_memberships(model, source_rows, target, dst):
    theirs = {
        m.campaign_id: m for m in model.objects.filter(**{dst: target}).select_related("status")
    }
    for mine in source_rows.filter(campaign_id__in=list(theirs)).select_related("status"):
        kept = theirs[mine.campaign_id]
        if mine.status.responded and not kept.status.responded:
            kept.status = mine.status
            kept.save(update_fields=["status", "updated_at"])
        mine.delete()


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
    _save_person(
        lead,
        before,
        before_display,
        by=by,
        reason=reason,
        fields=["converted_contact", "converted_account", "converted_at"],
    )
    return contact


@transaction.atomic
def person_update(*, person, by, data: dict, expected_version: int | None = None, reason: str = ""):
    """Edit a lead's or contact's fields (ROLE-3, Q-CONC); the initial source never changes
    (LEAD-SOURCE-1); qualified and converted leads are read-only (LEAD-STATUS 10); a changed
    title or e-mail re-scores the demographic rules (LEAD-SCORE-1)."""
    access.require(by, "person.edit", person)
    if getattr(person, "converted_at", None) or person.status == S.QUALIFIED:
        raise ValidationError(
            "LEAD-STATUS 10: qualified and converted leads are read-only except comments.",
            code="LEAD-STATUS 10",
        )
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
