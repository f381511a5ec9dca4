"""LEAD-SCORE-1 full re-score after a points-table change: each person's score is computed
from scratch (its marketing activities since the last reset, replayed through the current
rules, plus the demographic rules), and only the difference is written, as score events."""
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from gtm_portal.activity.models import Activity
from gtm_portal.core.bulk import bulk_update_rows
from gtm_portal.core.enums import OPEN_PERSON_STATUSES
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.core.models import FieldChange

from . import scoring
from .enums import ScoringKind
from .models import Lead, ScoreEvent
from .refs import Context
from .services import apply_automatic_status

BATCH = 2000


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
        if form_kind == "page_visit_careers":
            days = [(at - v).total_seconds() / 86400 for v in careers]
            pen = [(at - p).total_seconds() / 86400 for p in penalties]
            if scoring.careers_penalty_due(days, pen):
                extra = scoring.behaviour_rules_for(rules, scoring.CAREERS_REPEAT)
                if extra:
                    total += sum(r.points for r in extra)
                    penalties.append(at)
            careers.append(at)
    return total


def _activities_by_person(ids, reset_at):
    rows = (Activity.objects.filter(lead_id__in=ids).exclude(form_kind="")
            .order_by("occurred_at", "id").values_list("lead_id", "form_kind", "occurred_at"))
    out = defaultdict(list)
    for lead_id, form_kind, at in rows:
        since = reset_at.get(lead_id)
        if since is None or at > since:
            out[lead_id].append((form_kind, at))
    return out


def _demographic_net(ids):
    out = defaultdict(dict)
    for row in (ScoreEvent.objects.filter(lead_id__in=ids, kind=ScoringKind.DEMOGRAPHIC)
                .values("lead_id", "rule_id").annotate(total=Sum("points"))):
        out[row["lead_id"]][row["rule_id"]] = row["total"]
    return out


def rescore_batch(ids, ctx: Context, *, apply: bool) -> Tally:
    tally = Tally()
    leads = list(Lead.objects.filter(pk__in=ids).only(
        "id", "title", "email", "status", "behaviour_score", "demographic_score",
        "person_score", "score_reset_at", "mql_date", "mql_count"))
    acts = _activities_by_person([lead.pk for lead in leads],
                                 {lead.pk: lead.score_reset_at for lead in leads})
    net = _demographic_net([lead.pk for lead in leads])
    now = timezone.now()
    events, changed, moves = [], [], []
    names = {r.id: r.name for r in ctx.rules}
    for lead in leads:
        tally.people += 1
        behaviour = behaviour_from_scratch(acts.get(lead.pk, ()), ctx.rules)
        matching = {r.id: r.points for r in
                    scoring.demographic_rules_matching(ctx.rules, ctx.facts(lead))}
        have = net.get(lead.pk, {})
        demo_events = []
        for rule_id in set(have) | set(matching):
            delta = matching.get(rule_id, 0) - have.get(rule_id, 0)
            if delta:
                demo_events.append((rule_id, delta))
        demographic = sum(matching.values())
        after = behaviour + demographic
        old = (lead.behaviour_score, lead.demographic_score, lead.person_score, lead.status)
        scores_move = (behaviour, demographic) != old[:2] or bool(demo_events)
        lead.behaviour_score, lead.demographic_score, lead.person_score = (
            behaviour, demographic, after)
        # LEAD-STATUS 1-3 through the one implementation the live scoring uses.
        status_moves = apply_automatic_status(lead, ctx, at=now)
        if not scores_move and not status_moves:
            continue
        tally.changed += scores_move
        if old[2] < ctx.mql_threshold <= after:
            tally.crossed_up += 1
        elif after < ctx.mql_threshold <= old[2]:
            tally.crossed_down += 1
        if not apply:
            continue
        if behaviour != old[0]:
            events.append(ScoreEvent(lead=lead, kind=ScoringKind.BEHAVIOUR,
                                     rule_name="Points table changed: behaviour re-scored",
                                     points=behaviour - old[0], created_at=now,
                                     score_after=after))
        for rule_id, delta in demo_events:
            events.append(ScoreEvent(lead=lead, kind=ScoringKind.DEMOGRAPHIC, rule_id=rule_id,
                                     rule_name=f"Points table changed: {names.get(rule_id, 'retired rule')}",
                                     points=delta, created_at=now, score_after=after))
        if lead.status == S.MQL and old[3] != S.MQL:
            tally.became_mql.append(lead.pk)
        if lead.status != old[3]:
            moves.append((lead.pk, old[3], lead.status))
        changed.append(lead)
    if apply and changed:
        with transaction.atomic():
            ScoreEvent.objects.bulk_create(events, batch_size=2000)
            bulk_update_rows(changed, ["behaviour_score", "demographic_score",
                                       "person_score", "status", "mql_date", "mql_count"])
            ct = ContentType.objects.get_for_model(Lead)
            FieldChange.objects.bulk_create([
                FieldChange(content_type=ct, object_id=pk, field="status", old_value=old,
                            new_value=new, changed_at=now,
                            reason="LEAD-SCORE-1: re-scored after a points-table change")
                for pk, old, new in moves], batch_size=2000)
    return tally


def open_lead_ids():
    """Open leads in id order, streamed (memory flat in the table size)."""
    return (Lead.objects.filter(status__in=OPEN_PERSON_STATUSES, merged_into__isnull=True)
            .exclude(title="Test").order_by("pk").values_list("pk", flat=True)
            .iterator(chunk_size=BATCH))


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
    tally = Tally()
    for chunk in batches(open_lead_ids()):
        tally.add(rescore_batch(chunk, ctx, apply=False))
    return tally
