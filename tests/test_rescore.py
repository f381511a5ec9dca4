"""LEAD-SCORE-1 / Q-PERF: the set-based re-score (behaviour summed in the database, careers
visits replayed only for repeat visitors) gives exactly what scoring each lead from scratch
gives, on random activity histories and random points tables."""

import datetime
import random

import pytest

from gtm_portal.activity.models import Activity
from gtm_portal.core.enums import PersonStatus as S
from leads import scoring
from leads.enums import FormKind, ScoringKind
from leads.models import Lead, RoutingDecision, ScoreEvent, ScoringRule
from leads.rule_context import Context, active_rules
from leads.services.rescore import (
    Scorer,
    Tally,
    behaviour_from_scratch,
    behaviour_totals,
    open_lead_ids,
    rescore_batch,
)
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)
KINDS = [k for k in FormKind.values]
TITLES = [
    "",
    "VP Engineering",
    "Senior Developer",
    "Headhunter",
    "Director",
    "Engineer",
    "Sales",
    "---",
]
EMAILS = ["{n}@firm{n}.example", "{n}@gmail.com", "not-an-email-{n}", ""]


def random_rules(rng, with_penalty=True) -> list[scoring.Rule]:
    """The default table with shuffled points, a rule sharing a trigger with another, and
    (maybe) the careers penalty."""
    rules = []
    for rule in active_rules():
        if rule.kind == ScoringKind.BEHAVIOUR:
            if scoring.CAREERS_REPEAT in rule.triggers and not with_penalty:
                continue
            points = rng.choice([-30, -25, 0, 2, 10, 15, 45, 60, 100])
        else:
            points = rng.choice([-10, -5, 0, 5, 50])
        rules.append(
            scoring.Rule(
                id=rule.id,
                code=rule.code,
                name=rule.name,
                kind=rule.kind,
                points=points,
                triggers=rule.triggers,
                test=rule.test,
                words=rule.words,
            )
        )
    rules.append(
        scoring.Rule(
            id=None,
            code="extra",
            name="Extra",
            kind=ScoringKind.BEHAVIOUR,
            points=7,
            triggers=frozenset({FormKind.NEWSLETTER, FormKind.PAGE_VISIT_CAREERS}),
        )
    )
    return rules


def make_people(rng, n=60):
    """Leads with random histories: careers visits in bursts (ties included), other forms,
    sales activities without a form kind, and some leads reset (Recycle)."""
    leads, histories = [], {}
    for i in range(n):
        status = rng.choice([S.RAW, S.INQUIRY, S.RECYCLE, S.MQL, S.ACCEPTED])
        lead = LeadFactory(
            status=status,
            title=rng.choice(TITLES),
            email=rng.choice(EMAILS).format(n=i),
            behaviour_score=rng.randint(0, 50),
            person_score=rng.randint(0, 90),
        )
        acts = []
        at = T0
        for _ in range(rng.randint(0, 12)):
            at += datetime.timedelta(hours=rng.choice([0, 0, 1, 30, 24 * 3, 24 * 7, 24 * 9]))
            kind = FormKind.PAGE_VISIT_CAREERS if rng.random() < 0.45 else rng.choice(KINDS + [""])
            acts.append(Activity(lead=lead, kind="web_visit", occurred_at=at, form_kind=kind))
        Activity.objects.bulk_create(acts)
        if status == S.RECYCLE and acts and rng.random() < 0.8:
            lead.score_reset_at = rng.choice(acts).occurred_at
            lead.save(update_fields=["score_reset_at"])
        since = lead.score_reset_at
        histories[lead.pk] = [
            (a.form_kind, a.occurred_at)
            for a in sorted(acts, key=lambda a: (a.occurred_at, a.pk))
            if a.form_kind and (since is None or a.occurred_at > since)
        ]
        leads.append(lead)
    return leads, histories


@pytest.mark.parametrize("seed", range(6))
def test_set_based_behaviour_equals_the_per_activity_replay(refdata, seed):
    rng = random.Random(seed)
    leads, histories = make_people(rng)
    for with_penalty in (True, False):
        rules = random_rules(rng, with_penalty)
        table = scoring.BehaviourTable(rules)
        totals = behaviour_totals(
            [lead.pk for lead in leads],
            table,
            {lead.pk: lead.score_reset_at for lead in leads if lead.score_reset_at},
        )
        for lead in leads:
            expected = behaviour_from_scratch(histories[lead.pk], rules)
            assert totals.get(lead.pk, 0) == expected, (seed, lead.pk, histories[lead.pk])
            assert table.score(histories[lead.pk]) == expected


def from_scratch(lead, ctx, histories):
    behaviour = behaviour_from_scratch(histories[lead.pk], ctx.rules)
    return behaviour, scoring.demographic_score(ctx.rules, ctx.facts(lead))


@pytest.mark.parametrize("seed", range(4))
def test_rescore_batch_writes_scores_from_scratch_and_a_second_run_changes_nothing(refdata, seed):
    rng = random.Random(100 + seed)
    leads, histories = make_people(rng, 80)
    rules = random_rules(rng)
    for rule in rules:
        if rule.id is not None:
            ScoringRule.objects.filter(pk=rule.id).update(points=rule.points)
    ctx = Context()
    ids = list(open_lead_ids())
    preview = rescore_batch(ids, ctx, apply=False)
    done = Tally()
    for start in range(0, len(ids), 17):  # several batches, as the task runs them
        done.add(rescore_batch(ids[start : start + 17], ctx, apply=True))
    assert (preview.people, preview.changed, preview.crossed_up, preview.crossed_down) == (
        done.people,
        done.changed,
        done.crossed_up,
        done.crossed_down,
    )
    for lead in leads:
        before = lead
        lead = Lead.objects.get(pk=lead.pk)
        behaviour, demographic = from_scratch(lead, ctx, histories)
        assert (lead.behaviour_score, lead.demographic_score, lead.person_score) == (
            behaviour,
            demographic,
            behaviour + demographic,
        )
        net = sum(
            ScoreEvent.objects.filter(lead=lead, kind=ScoringKind.DEMOGRAPHIC).values_list(
                "points", flat=True
            )
        )
        assert net == demographic
        if before.status in (S.RAW, S.INQUIRY, S.RECYCLE) and lead.person_score >= 100:
            assert lead.status == S.MQL and lead.mql_count == before.mql_count + 1
            assert lead.pk in done.became_mql
        elif before.status == S.RAW and behaviour > 10:
            assert lead.status == S.INQUIRY
        else:
            assert lead.status == before.status
    again = rescore_batch(ids, Context(), apply=True)
    assert (again.changed, again.crossed_up, again.became_mql) == (0, 0, [])


def test_scorer_caches_demographics_by_title_and_email_class(refdata):
    scorer = Scorer(Context())
    ctx = scorer.ctx
    for title in TITLES:
        for email in ("a@firm.example", "b@gmail.com", "bad", ""):
            expected = {
                r.id: r.points
                for r in scoring.demographic_rules_matching(
                    ctx.rules,
                    scoring.Facts(title=title, email=email, free_domains=ctx.free_domains),
                )
            }
            assert scorer.matching(title, email) == expected


def test_generated_demo_data_agrees_with_the_points_table(demo):
    """seed_demo writes the scores and score events live scoring would have: a re-score with
    the points table unchanged finds nothing to change, and every person's events add up to
    its scores."""
    from django.db.models import Sum

    from accounts.models import Contact
    from gtm_portal.devtools.demo.generate import generate
    from leads.services.rescore import preview

    generate(
        leads=400,
        accounts=40,
        opportunities=20,
        seed=7,
        now=datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC),
    )
    effect = preview(active_rules())
    assert effect.people > 200
    assert (effect.changed, effect.crossed_up, effect.crossed_down) == (0, 0, 0)
    assert rescore_batch(list(open_lead_ids()), Context(), apply=False).changed == 0
    repeat = Lead.objects.filter(
        pk__in=Activity.objects.filter(form_kind=FormKind.PAGE_VISIT_CAREERS).values("lead_id")
    )
    assert repeat.exists()  # the careers-repeat replay has work to do
    assert Lead.objects.filter(score_reset_at__isnull=False).exists()
    for model, link in ((Lead, "lead"), (Contact, "contact")):
        net = {
            row[link]: row["total"]
            for row in ScoreEvent.objects.filter(**{f"{link}__isnull": False})
            .values(link)
            .annotate(total=Sum("points"))
        }
        demo_net = {
            row[link]: row["total"]
            for row in ScoreEvent.objects.filter(
                **{f"{link}__isnull": False}, kind=ScoringKind.DEMOGRAPHIC
            )
            .values(link)
            .annotate(total=Sum("points"))
        }
        people = list(model.objects.values_list("pk", "person_score", "demographic_score"))
        assert len(people) > 50
        for pk, person, demographic in people:
            assert net.get(pk, 0) == person and demo_net.get(pk, 0) == demographic, (model, pk)


def test_rescore_all_splits_into_parts_and_the_last_part_closes_the_job(refdata):
    """LEAD-SCORE-1 in the task queue: one subtask per id range of open leads (here run
    in-process, one after the other); the job adds up every part and ends when all are in."""
    from django.utils import timezone

    from gtm_portal.core.models import JobRun
    from leads.tasks import rescore_all, rescore_parts

    rng = random.Random(9)
    make_people(rng, 25)
    ScoringRule.objects.filter(code="optin-pricing-features").update(points=40)
    open_ids = list(open_lead_ids())
    parts = rescore_parts(4)
    assert len(parts) == -(-len(open_ids) // 4) and parts[0][0] == open_ids[0]
    assert parts[-1][1] == open_ids[-1]
    job = JobRun.objects.create(name="rescore", started_at=timezone.now(), total=len(open_ids))
    preview = rescore_batch(open_ids, Context(), apply=False)
    before = dict(Lead.objects.values_list("pk", "status"))
    rescore_all(job.pk, part_size=4)
    job.refresh_from_db()
    assert job.state == JobRun.State.DONE and job.finished_at is not None
    assert job.done == len(open_ids) == job.counts["people"]
    assert (job.counts["parts"], job.counts["parts_done"]) == (len(parts), len(parts))
    assert (job.counts["changed"], job.counts["crossed_up"]) == (
        preview.changed,
        preview.crossed_up,
    )
    became = [
        pk
        for pk, status in Lead.objects.values_list("pk", "status")
        if status == S.MQL and before[pk] != S.MQL
    ]
    assert became and job.counts["routed"] == len(became)
    assert set(
        RoutingDecision.objects.filter(lead_id__in=became).values_list("lead_id", flat=True)
    ) == set(became)
    assert rescore_batch(open_ids, Context(), apply=False).changed == 0


def test_rescore_all_without_open_leads_is_done_at_once(refdata):
    from django.utils import timezone

    from gtm_portal.core.models import JobRun
    from leads.tasks import rescore_all

    job = JobRun.objects.create(name="rescore", started_at=timezone.now())
    assert rescore_all(job.pk)["parts"] == 0
    assert JobRun.objects.get(pk=job.pk).state == JobRun.State.DONE
