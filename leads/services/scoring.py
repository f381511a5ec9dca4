"""LEAD-SCORE-1: score a marketing activity or a changed field on a person, store the score
events, and move the status (LEAD-STATUS 1-3); the rules are `leads.scoring` (pure)."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from gtm_portal.activity.models import Activity
from gtm_portal.core import history
from gtm_portal.core.enums import PersonStatus as S

from .. import scoring
from ..enums import ScoringKind
from ..models import ScoreEvent
from ..rule_context import Context
from ..workflow import Via, automatic_move_allowed
from .person_rows import lock_person, person_link, save_person
from .routing import RoutingContext, route_people


@dataclass
class ScoreOutcome:
    events: list = field(default_factory=list)
    status_changes: list = field(default_factory=list)
    became_mql: bool = False
    behaviour: list = field(default_factory=list)  # the events hanging on the activity
    person: object = None
    routed: Any = None  # the `Routed` of the MQL crossing (ROUTE-1), when routed here


def _net_points_by_rule(person, kind: str, new: bool) -> dict[int | None, int]:
    if new:
        return {}  # created in this transaction: no score events yet
    rows = (
        ScoreEvent.objects.filter(**person_link(person), kind=kind)
        .values("rule_id")
        .annotate(total=Sum("points"))
    )
    return {r["rule_id"]: r["total"] for r in rows}


def _event(person, *, rule_id, name, kind, points, at, activity=None, score_after=None):
    return ScoreEvent(
        **person_link(person),
        rule_id=rule_id,
        rule_name=name[:200],
        kind=kind,
        points=points,
        activity=activity,
        created_at=at,
        score_after=(
            person.behaviour_score + person.demographic_score
            if score_after is None
            else score_after
        ),
    )


def evaluate_demographics(person, ctx: Context, at, *, new: bool = False) -> list[ScoreEvent]:
    """REF-4: each demographic rule counts once per person; a change of title or e-mail (or
    of the points table) adds the difference, never a second copy. `new`: the person was
    created in this transaction (no events to read)."""
    net = _net_points_by_rule(person, ScoringKind.DEMOGRAPHIC, new)
    return [
        _event(
            person,
            rule_id=rule_id,
            name=name,
            kind=ScoringKind.DEMOGRAPHIC,
            points=points,
            at=at,
            score_after=after,
        )
        for rule_id, name, points, after in demographic_changes(person, ctx, net)
    ]


def demographic_changes(person, ctx: Context, net: dict) -> list[tuple]:
    """`evaluate_demographics`' rule (the pure `scoring.demographic_rules_matching`) as plain
    (rule id, rule name, points, score after) rows: the person's scores move, nothing is
    built or read — a list import turns the rows of thousands of new people (`net` = {})
    into one multi-row insert."""
    matching = {r.id: r for r in scoring.demographic_rules_matching(ctx.rules, ctx.facts(person))}
    changes = []
    rule_names = ctx.rule_names
    for rule_id in sorted(set(net) | set(matching), key=lambda x: (x is None, x or 0)):
        want = matching[rule_id].points if rule_id in matching else 0
        have = net.get(rule_id, 0)
        if want == have:
            continue
        person.demographic_score += want - have
        name = rule_names.get(rule_id, "Rule no longer in the points table")
        if rule_id not in matching:
            name = f"{name} (no longer applies)"
        after = person.behaviour_score + person.demographic_score
        changes.append((rule_id, name[:200], want - have, after))
    person.person_score = person.behaviour_score + person.demographic_score
    return changes


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
    visits = Activity.objects.filter(
        **person_link(person),
        form_kind="page_visit_careers",
        occurred_at__gte=since,
        occurred_at__lte=at,
    ).values_list("occurred_at", flat=True)
    if activity is not None and activity.pk is not None:
        visits = visits.exclude(pk=activity.pk)
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
    """LEAD-STATUS 1 (Raw → Inquiry) and 2/3 (→ MQL at the threshold, re-MQL from Recycle),
    each move asked of the one transition table (`workflow.MOVES`). Mutates `person`;
    returns the moves made as (rule, reason) pairs."""
    at = at or timezone.now()
    moves = []
    if automatic_move_allowed(person.status, S.INQUIRY, via=Via.SYSTEM) and (
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
    if (
        automatic_move_allowed(person.status, S.MQL, via=Via.SCORING)
        and person.person_score >= ctx.mql_threshold
    ):
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
        save_person(
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


def route_new_mqls(
    people,
    *,
    path: str,
    model=None,
    by=None,
    ctx: RoutingContext | None = None,
    form_kind: str | None = None,
    fresh: bool = False,
) -> list:
    """ROUTE-1: the one hand-off from an MQL crossing (LEAD-STATUS 2/3) to routing, whatever
    the path that crossed it (`path`: a field edit, merge, import, re-score). `people` are
    persons or, with `model`, primary keys (batches: re-score, import), routed in one batch
    exactly as intake routes (`services.routing.route_people`)."""
    people = list(people)
    if not people:
        return []
    return route_people(
        people,
        trigger=f"became MQL ({path})",
        model=model,
        by=by,
        ctx=ctx,
        form_kind=form_kind,
        fresh=fresh,
    )


@transaction.atomic
def person_rescore_demographics(
    *,
    person,
    ctx: Context | None = None,
    by=None,
    path: str = "field change",
    routing_ctx: RoutingContext | None = None,
) -> ScoreOutcome:
    """LEAD-SCORE-1: a field a demographic rule uses changed (a hand edit of title or
    e-mail, an import); a person it makes MQL is routed here (ROUTE-1)."""
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
    save_person(
        person,
        before,
        before_display,
        by=by,
        reason="; ".join(m[1] for m in out.status_changes) or "Re-scored",
        fields=SCORE_FIELDS,
    )
    out.person = person
    if out.became_mql:
        out.routed = route_new_mqls([person], path=path, by=by, ctx=routing_ctx)[0]
        out.person = out.routed.person
    return out
