"""LEAD-SCORE-1 full re-score after a points-table change: each person's score is computed
from scratch (its marketing activities since the last reset, replayed through the current
rules, plus the demographic rules), and only the difference is written, as score events.

Set-based (SPEC Q-PERF, 1M leads ≤ 120 s): per batch the database sums each lead's behaviour
points (its activities joined to the points per form kind); only leads with two or more
careers-page visits have those visits replayed for the repeat penalty. `behaviour_from_scratch`
is the per-activity replay the sums must equal (tests compare them on random data)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from gtm_portal.activity.models import Activity
from gtm_portal.core import history
from gtm_portal.core.bulk import insert_values, update_values
from gtm_portal.core.enums import OPEN_PERSON_STATUSES
from gtm_portal.core.enums import PersonStatus as S

from .. import scoring
from ..enums import FormKind, ScoringKind
from ..models import Lead, ScoreEvent
from ..rule_context import Context
from ..workflow import MOVES
from .lifecycle import stamps_for_moves
from .scoring import apply_automatic_status

BATCH = 5000
CAREERS = FormKind.PAGE_VISIT_CAREERS
# Statuses LEAD-STATUS 1-3 can move automatically (the transition table's sources of the
# automatic moves); the others only change scores.
MOVABLE = MOVES[S.INQUIRY].sources | MOVES[S.MQL].sources
LEAD_FIELDS = (
    "id",
    "title",
    "email",
    "status",
    "behaviour_score",
    "demographic_score",
    "person_score",
    "mql_date",
    "mql_count",
)
BEHAVIOUR_EVENT = "Points table changed: behaviour re-scored"
WRITTEN = [
    "behaviour_score",
    "demographic_score",
    "person_score",
    "status",
    "mql_date",
    "mql_count",
]


@dataclass
class Tally:
    people: int = 0
    changed: int = 0
    crossed_up: int = 0
    crossed_down: int = 0
    became_mql: list = field(default_factory=list)

    def add(self, other: "Tally"):
        self.people += other.people
        self.changed += other.changed
        self.crossed_up += other.crossed_up
        self.crossed_down += other.crossed_down
        self.became_mql += other.became_mql


def behaviour_from_scratch(activities, rules) -> int:
    """Replay (form_kind, occurred_at) in time order through the behaviour rules, the
    repeated-careers-visit rule included."""
    total = 0
    careers: list = []
    penalties: list = []
    for form_kind, at in activities:
        total += sum(r.points for r in scoring.behaviour_rules_for(rules, form_kind))
        if form_kind == CAREERS:
            days = [(at - v).total_seconds() / 86400 for v in careers]
            pen = [(at - p).total_seconds() / 86400 for p in penalties]
            if scoring.careers_penalty_due(days, pen):
                extra = scoring.behaviour_rules_for(rules, scoring.CAREERS_REPEAT)
                if extra:
                    total += sum(r.points for r in extra)
                    penalties.append(at)
            careers.append(at)
    return total


def _among(field: str, ids) -> Q:
    """`field` in `ids`, as an id range when the ids are dense (a batch of the id-ordered
    open leads): no list of thousands of parameters to send and parse. Callers drop the rows
    of ids in the range that are not theirs."""
    lo, hi = min(ids), max(ids)
    if hi - lo < 2 * len(ids):
        return Q(**{f"{field}__gte": lo, f"{field}__lte": hi})
    return Q(**{f"{field}__in": ids})


def behaviour_totals(ids, table: scoring.BehaviourTable, reset_at=None) -> dict[int, int]:
    """Behaviour score of each lead in `ids` from its activities since its reset
    (`reset_at`: {lead id: time} of the leads that have one), summed in the database; leads
    without scoring activities are left out (score 0). Careers visits are replayed for leads
    with two or more; leads with a reset get their few activities replayed."""
    if not ids:
        return {}
    reset_at = reset_at or {}
    by_points = defaultdict(list)
    for kind, points in table.points.items():
        if points:
            by_points[points].append(kind)
    kinds = sorted(kind for group in by_points.values() for kind in group)
    if table.has_penalty:
        kinds.append(CAREERS)
    if not kinds:
        return {}
    wanted = set(ids) - set(reset_at)
    points_of = Case(
        *[
            When(form_kind__in=sorted(group), then=Value(p))
            for p, group in sorted(by_points.items())
        ],
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        Activity.objects.filter(_among("lead_id", ids), form_kind__in=kinds)
        .values("lead_id")
        .order_by()
        .annotate(points=Sum(points_of), careers=Count("id", filter=Q(form_kind=CAREERS)))
        .values_list("lead_id", "points", "careers")
    )
    totals, repeat = {}, []
    for lead_id, total, careers in rows:
        if lead_id in wanted:
            totals[lead_id] = total or 0
            if careers > 1:
                repeat.append(lead_id)
    if repeat:
        visits = defaultdict(list)
        for lead_id, at in (
            Activity.objects.filter(lead_id__in=repeat, form_kind=CAREERS)
            .order_by("lead_id", "occurred_at", "id")
            .values_list("lead_id", "occurred_at")
        ):
            visits[lead_id].append(at)
        for lead_id, times in visits.items():
            totals[lead_id] += table.penalty * table.careers_penalties(times)
    if reset_at:
        since = defaultdict(list)
        for lead_id, form_kind, at in (
            Activity.objects.filter(lead_id__in=list(reset_at), form_kind__in=kinds)
            .order_by("lead_id", "occurred_at", "id")
            .values_list("lead_id", "form_kind", "occurred_at")
        ):
            if at > reset_at[lead_id]:
                since[lead_id].append((form_kind, at))
        for lead_id, acts in since.items():
            totals[lead_id] = table.score(acts)
    return totals


def _demographic_net(ids) -> dict[int, dict]:
    out: dict[int, dict] = defaultdict(dict)
    for lead_id, rule_id, total in (
        ScoreEvent.objects.filter(_among("lead_id", ids), kind=ScoringKind.DEMOGRAPHIC)
        .values("lead_id", "rule_id")
        .order_by()
        .annotate(total=Sum("points"))
        .values_list("lead_id", "rule_id", "total")
    ):
        out[lead_id][rule_id] = total
    return out


EVENT_FIELDS = ("lead_id", "rule_id", "rule_name", "kind", "points", "created_at", "score_after")


def _insert_events(rows) -> None:
    """Score events as (lead id, rule id, rule name, kind, points, time, score after) rows,
    in one statement per chunk (`bulk.insert_values`)."""
    insert_values(ScoreEvent, list(EVENT_FIELDS), rows)


class _Person:
    """The fields the status machine reads and writes (LEAD-STATUS 1-3)."""

    __slots__ = ("status", "behaviour_score", "person_score", "mql_date", "mql_count")

    def __init__(self, status, behaviour_score, person_score, mql_date, mql_count):
        self.status = status
        self.behaviour_score = behaviour_score
        self.person_score = person_score
        self.mql_date = mql_date
        self.mql_count = mql_count


class Scorer:
    """The rules of one re-score, prepared once: points per form kind, and the demographic
    rules each distinct (title, valid e-mail, free e-mail) matches."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.table = scoring.BehaviourTable(ctx.rules)
        self.demographic = [r for r in ctx.rules if r.kind == ScoringKind.DEMOGRAPHIC]
        self.names = {r.id: f"Points table changed: {r.name}"[:200] for r in ctx.rules}
        self._matching: dict[tuple, dict] = {}
        self._words: dict[str, frozenset] = {}

    def event_name(self, rule_id) -> str:
        return self.names.get(rule_id, "Points table changed: retired rule")

    def matching(self, title: str, email: str) -> dict:
        """{rule id: points} of the demographic rules the person matches."""
        valid = scoring.is_valid_email(email)
        free = valid and scoring.email_domain(email) in self.ctx.free_domains
        key = (title, valid, free)
        found = self._matching.get(key)
        if found is None:
            words = frozenset(scoring.title_words(title))
            found = {
                r.id: r.points
                for r in self.demographic
                if scoring.traits_match(r, words, valid, free)
            }
            self._matching[key] = found
        return found


def rescore_batch(ids, ctx: Context, *, apply: bool, scorer: Scorer | None = None) -> Tally:
    scorer = scorer or Scorer(ctx)
    tally = Tally()
    if not ids:
        return tally
    wanted = set(ids)
    rows = [
        row
        for row in Lead.objects.filter(_among("pk", ids))
        .order_by()
        .values_list(*LEAD_FIELDS, "score_reset_at")
        if row[0] in wanted
    ]
    ids = [row[0] for row in rows]
    behaviour_of = behaviour_totals(
        ids, scorer.table, {row[0]: row[-1] for row in rows if row[-1] is not None}
    )
    net = _demographic_net(ids)
    now = timezone.now()
    threshold = ctx.mql_threshold
    events, changed, moves = [], [], []
    for pk, title, email, status, old_b, old_d, old_p, mql_date, mql_count, _reset in rows:
        tally.people += 1
        behaviour = behaviour_of.get(pk, 0)
        matching = scorer.matching(title, email)
        demo_events = _demographic_deltas(matching, net.get(pk))
        demographic = sum(matching.values())
        after = behaviour + demographic
        scores_move = (behaviour, demographic, after) != (old_b, old_d, old_p) or bool(demo_events)
        new_status = status
        if status in MOVABLE:
            # LEAD-STATUS 1-3 through the one implementation the live scoring uses.
            person = _Person(status, behaviour, after, mql_date, mql_count)
            if apply_automatic_status(person, ctx, at=now):
                new_status, mql_date, mql_count = person.status, person.mql_date, person.mql_count
        if not scores_move and new_status == status:
            continue
        tally.changed += scores_move
        if old_p < threshold <= after:
            tally.crossed_up += 1
        elif after < threshold <= old_p:
            tally.crossed_down += 1
        if not apply:
            continue
        if behaviour != old_b:
            events.append(
                (pk, None, BEHAVIOUR_EVENT, ScoringKind.BEHAVIOUR, behaviour - old_b, now, after)
            )
        events.extend(
            (pk, rule_id, scorer.event_name(rule_id), ScoringKind.DEMOGRAPHIC, delta, now, after)
            for rule_id, delta in demo_events
        )
        if new_status != status:
            moves.append((pk, status, new_status))
            if new_status == S.MQL:
                tally.became_mql.append(pk)
        changed.append((pk, behaviour, demographic, after, new_status, mql_date, mql_count))
    if apply and changed:
        with transaction.atomic():
            _insert_events(events)
            update_values(Lead, WRITTEN, changed, touch=True)
            history.bulk_changes(
                Lead,
                "status",
                moves,
                by=None,
                at=now,
                reason="LEAD-SCORE-1: re-scored after a points-table change",
            )
            stamps_for_moves(Lead, moves, now)  # REPORT-FUNNEL
    return tally


def _demographic_deltas(matching: dict, have: dict | None) -> list[tuple]:
    """The demographic score events that bring a lead's net points per rule to `matching`."""
    if not have:
        return [(rule_id, points) for rule_id, points in matching.items() if points]
    return [
        (rule_id, matching.get(rule_id, 0) - have.get(rule_id, 0))
        for rule_id in set(have) | set(matching)
        if matching.get(rule_id, 0) != have.get(rule_id, 0)
    ]


def open_leads():
    return Lead.objects.filter(status__in=OPEN_PERSON_STATUSES, merged_into__isnull=True).exclude(
        title="Test"
    )


def open_lead_ids():
    """Open leads in id order, streamed (memory flat in the table size)."""
    return open_leads().order_by("pk").values_list("pk", flat=True).iterator(chunk_size=BATCH)


def batches(ids, size=BATCH):
    chunk = []
    for pk in ids:
        chunk.append(pk)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def preview(rules) -> Tally:
    """What saving `rules` would do, without writing anything."""
    ctx = Context(rules=rules)
    scorer = Scorer(ctx)
    tally = Tally()
    for chunk in batches(open_lead_ids()):
        tally.add(rescore_batch(chunk, ctx, apply=False, scorer=scorer))
    return tally
