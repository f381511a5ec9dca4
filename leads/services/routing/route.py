"""ROUTE-1: decide, assign, stamp the SLA, store and explain, notify — for one person or a
batch, in a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, Contact
from gtm_portal.activity.enums import EnrollmentState
from gtm_portal.activity.models import Enrollment
from gtm_portal.chatter.models import Notification
from gtm_portal.chatter.services import comment_post, notify_many
from gtm_portal.core import history
from gtm_portal.core.bulk import bulk_update_rows
from gtm_portal.core.enums import PersonStatus as S
from gtm_portal.core.services import touch
from gtm_portal.refdata.models import Region
from gtm_portal.users.models import User

from ... import routing
from ...models import Lead, RoutingDecision, RoutingPool
from ...views_catalog import lead_view_codes
from .context import RoutingContext, known_users
from .facts import (
    account_facts,
    account_facts_many,
    account_for,
    account_id_of,
    accounts_by_id,
    person_facts,
)
from .handout import PoolHandout, take_pool_slot
from .related import related_people, related_people_many
from .sla import SlaCalendars, sla_due


def preview(person, form_kind: str | None, now=None) -> dict:
    """The routing preview: the same facts and the same pure decision, nothing written."""
    ctx = RoutingContext()
    now = now or timezone.now()
    account = account_for(person) if person.pk else getattr(person, "preview_account", None)
    facts = person_facts(person, form_kind, ctx)
    a_facts = account_facts(account, now) if account else None
    related = related_people(person, account, ctx, now) if person.pk or account else []
    decision = routing.decide(facts, a_facts, related, ctx.rules)
    explanation = list(decision.explanation)
    owner = None
    if decision.pool:
        owner, _pool, line = take_pool_slot(decision.pool, timezone.localdate(now), dry_run=True)
        explanation.append(line.replace("is furthest", "would be next: furthest"))
    elif decision.owner is not None:
        owner = (
            ctx.queue(decision.owner.queue)
            if decision.owner.queue
            else User.objects.filter(username=decision.owner.username).first()
        )
    return {
        "decision": decision,
        "owner": owner,
        "explanation": explanation,
        "account": account,
        "facts": facts,
    }


@dataclass(frozen=True)
class Routed:
    """What routing one person gave: the stored decision, the person as routed, and what
    the caller does next (ROUTE-2.7: a paying customer's lead becomes a contact on
    `account`)."""

    decision: RoutingDecision
    person: Lead | Contact
    account: Account | None
    convert_to_contact: bool

    @property
    def rule(self) -> str:
        return self.decision.rule

    @property
    def owner(self):
        return self.decision.owner

    @property
    def explanation(self) -> list:
        return self.decision.explanation


def route_person(
    *,
    person,
    trigger: str,
    form_kind: str | None = None,
    by=None,
    ctx: RoutingContext | None = None,
    now=None,
) -> Routed:
    """ROUTE-1 for one person (re-route, merge): a batch of one."""
    return route_people([person], trigger=trigger, form_kind=form_kind, by=by, ctx=ctx, now=now)[0]


def route_people(
    people,
    *,
    trigger: str,
    form_kind: str | None = None,
    by=None,
    ctx: RoutingContext | None = None,
    now=None,
    model=None,
    fresh: bool = False,
) -> list[Routed]:
    """ROUTE-1: decide, assign, stamp the SLA, store and explain; notify after commit — for
    any number of leads (or contacts) of one kind in a fixed number of queries. Returns one
    `Routed` per person, in the order given. `people` are Lead or Contact objects, or the
    primary keys of `model`'s rows (re-scores, imports): then each person is read with the
    columns routing reads only. `fresh`: the caller inserted these people, or locked and read
    them whole, in its open transaction (intake) — they are routed as given, inside the
    caller's transaction (no re-read, no second lock, no savepoint)."""
    with transaction.atomic(savepoint=not fresh):
        people = list(people)
        if not people:
            return []
        ctx = ctx or RoutingContext()
        now = now or timezone.now()
        if fresh:
            model, persons = model or type(people[0]), people
        else:
            if model is None:
                model, ids, columns = type(people[0]), [p.pk for p in people], None
            else:
                ids, columns = people, ROUTING_COLUMNS + EXTRA_COLUMNS[model]
            loaded = _lock_and_load(model, ids, columns)
            persons = [loaded[pk] for pk in ids]
        batch = _Batch(ctx, now)
        routed = {}
        for group in _passes(persons, ctx):
            for result in _route_pass(
                group,
                model,
                trigger=trigger,
                form_kind=form_kind,
                by=by,
                ctx=ctx,
                now=now,
                batch=batch,
            ):
                routed[result.person.pk] = result
        batch.handout.save(now)
        notify_many(_digest(batch.notices, "contact" if model is Contact else "lead", by=by))
        return [routed[p.pk] for p in persons]


class _Batch:
    """What the passes of one batch share: the pool hand-out (members locked and counted
    once, written at the end), the SLA calendars and the users read so far."""

    def __init__(self, ctx: RoutingContext, now):
        self.handout = PoolHandout(timezone.localdate(now), known_pools=ctx.pools)
        self.calendars = SlaCalendars(now, ctx.holidays)
        self.users: dict = {}  # by id and by username
        self.shown: dict = {}  # (field, raw value) → how history shows it
        self.notices: list[dict] = []  # sent once, at the end (one digest per owner)

    def load_users(self, ids: set, names: set) -> None:
        ids, names = ids - self.users.keys(), names - self.users.keys()
        if not ids and not names:
            return
        for u in known_users(ids, names):
            self.users[u.pk] = self.users[u.username] = u

    def display_before(self, person, fields, before: dict) -> dict:
        """`history.display_snapshot`, each value worked out once per batch."""
        out = {}
        for name in fields:
            key = (name, before[name])
            if key not in self.shown:
                self.shown[key] = history.display_value(person, name)
            out[name] = self.shown[key]
        return out


PERSON_LINKS = ("country", "region", "owner", "updated_by", "initial_source")
# What routing reads and writes of a person (`route_people` given primary keys).
ROUTING_COLUMNS = (
    "version",
    "first_name",
    "last_name",
    "email_domain",
    "title",
    "country",
    "region",
    "description",
    "employees",
    "status",
    "owner",
    "is_hot",
    "sla_due",
    "partner_prospecting_status",
    "updated_by",
    "updated_at",
)
EXTRA_COLUMNS = {Lead: ("company", "matched_account"), Contact: ("account",)}


def _lock_and_load(model, ids, columns=None) -> dict:
    """Lock the people's rows in id order (two batches never wait on each other crosswise)
    and read them as locked (all columns, or `columns`); the few rows they point at
    (countries, regions, owners, ...) are read once each and shared instead of joined onto
    every person."""
    qs = model.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    if columns is not None:
        qs = qs.only(*columns)
    people = list(qs)
    links = [
        model._meta.get_field(name)
        for name in PERSON_LINKS + (("account",) if model is Contact else ())
        if columns is None or name in columns
    ]
    wanted: dict = {}
    for field in links:
        wanted.setdefault(field.related_model, set()).update(
            getattr(p, field.attname) for p in people
        )
    found = {}
    for related, pks in wanted.items():
        pks.discard(None)
        qs = related._base_manager.all()
        if related is Region:
            qs = qs.select_related("parent")
        found[related] = qs.in_bulk(pks) if pks else {}
    for field in links:
        objs = found[field.related_model]
        for p in people:
            value = getattr(p, field.attname)
            if value is not None:
                setattr(p, field.name, objs[value])
    return {p.pk: p for p in people}


def _passes(persons, ctx: RoutingContext) -> list[list]:
    """People who share an account (or company e-mail domain) are routed one after the
    other, each pass written before the next is decided, so the second sees the first's new
    owner (ROUTE-2 step 10) exactly as routing them one at a time would."""
    seen: dict = {}
    passes: list[list] = []
    for p in persons:
        account_id = account_id_of(p)
        key = (
            ("account", account_id)
            if account_id
            else ("domain", p.email_domain)
            if p.email_domain and p.email_domain not in ctx.rules.free_domains
            else None
        )
        n = seen.get(key, 0) if key is not None else 0
        if key is not None:
            seen[key] = n + 1
        while len(passes) <= n:
            passes.append([])
        passes[n].append(p)
    return passes


def _route_pass(persons, model, *, trigger, form_kind, by, ctx, now, batch: _Batch) -> list[Routed]:
    """One pass: the pure decisions, then owners and SLA stamped on the people, then their
    rows written (owner change, history, decisions, ended sequences, notifications)."""
    accounts = accounts_by_id({account_id_of(p) for p in persons if account_id_of(p)})
    decisions = _decide(persons, accounts, form_kind=form_kind, ctx=ctx, now=now)
    _load_people_of(decisions, batch)
    stamped = [
        _stamp(p, d, form_kind=form_kind, by=by, ctx=ctx, now=now, batch=batch)
        for p, d in zip(persons, decisions, strict=True)
    ]
    return _write(stamped, model, accounts, trigger=trigger, by=by, now=now, batch=batch)


def _decide(persons, accounts, *, form_kind, ctx, now) -> list[routing.Decision]:
    """ROUTE-2 for each person, over facts read for the whole pass at once."""
    a_facts = account_facts_many(accounts.values(), now)
    facts = [person_facts(p, form_kind, ctx) for p in persons]
    needs_related = [f.status == S.MQL or form_kind in routing.ROUTING_HAND_RAISE for f in facts]
    pairs = [
        (p, accounts.get(account_id_of(p)))
        for p, need in zip(persons, needs_related, strict=True)
        if need
    ]
    related_rows = iter(related_people_many(pairs, ctx, now) if pairs else [])
    decisions = []
    for p, f, need in zip(persons, facts, needs_related, strict=True):
        account = accounts.get(account_id_of(p))
        related = next(related_rows) if need else []
        decisions.append(
            routing.decide(f, a_facts.get(account.pk) if account else None, related, ctx.rules)
        )
    return decisions


def _load_people_of(decisions, batch: _Batch) -> None:
    """The pools (locked in name order: two batches never wait on each other crosswise),
    owners and notified people the decisions name, and their holidays, read once."""
    for name in sorted({d.pool for d in decisions if d.pool}):
        batch.handout.load(name)
    owners = [d.owner for d in decisions if d.owner is not None and not d.owner.queue]
    notified = [w for d in decisions for w, _why in d.notify]
    batch.load_users(
        {w.id for w in owners + notified if w.id},
        {w.username for w in owners + notified if not w.id and w.username},
    )
    batch.calendars.holidays_for([*batch.users.values(), *batch.handout.users()])


@dataclass
class _Stamped:
    person: Lead | Contact
    decision: routing.Decision
    owner: User | None
    pool: RoutingPool | None
    explanation: list
    due: datetime.datetime | None
    before: tuple | None  # (snapshot, as shown) when owner or SLA changed


ROUTED_FIELDS = ["owner", "sla_due"]  # the only fields routing changes


def _stamp(p, decision, *, form_kind, by, ctx, now, batch: _Batch) -> _Stamped:
    """The owner (a pool member, a named user or a queue) and the SLA on the person, in
    memory."""
    explanation = list(decision.explanation)
    owner, pool = None, None
    if decision.pool:
        owner, pool, line = batch.handout.take(decision.pool)
        explanation.append(line)
        if owner is None:
            owner = ctx.queue("Inquiry Queue")
            explanation.append("Nobody could take it, so the Inquiry Queue holds it.")
    elif decision.owner is not None:
        owner = (
            ctx.queue(decision.owner.queue)
            if decision.owner.queue
            else batch.users[decision.owner.id or decision.owner.username]
        )
    before = history.snapshot(p, ROUTED_FIELDS)
    before_display = batch.display_before(p, ROUTED_FIELDS, before)
    due = sla_due(p, form_kind, owner, now, batch.calendars) if decision.routed else None
    changed = False
    if decision.routed and owner is not None and p.owner_id != owner.pk:
        p.owner = owner
        changed = True
    if due is not None or (decision.routed and p.sla_due is not None):
        p.sla_due = due
        changed = True
    if changed:
        touch(p, by)
        p.updated_at = now
    return _Stamped(
        p, decision, owner, pool, explanation, due, (before, before_display) if changed else None
    )


def _write(
    stamped: list[_Stamped], model, accounts, *, trigger, by, now, batch: _Batch
) -> list[Routed]:
    """The pass's rows: the people's new owner and SLA, their history, the stored
    decisions, ended sequences (ROUTE-2 steps 2/3), notifications and account comments."""
    kind = "contact" if model is Contact else "lead"
    changed = [s.person for s in stamped if s.before is not None]
    if changed:
        bulk_update_rows(changed, [*ROUTED_FIELDS, "version", "updated_by", "updated_at"])
    changes, rows, results, notices = [], [], [], []
    for s in stamped:
        p, decision = s.person, s.decision
        if s.before is not None:
            changes += history.changes(
                p,
                *s.before,
                by=by,
                at=now,
                reason=f"{decision.rule}: routed ({trigger})",
                shown=batch.shown,
            )
        row = RoutingDecision(
            **{kind: p},
            rule=decision.rule,
            owner=s.owner if decision.routed else None,
            pool=s.pool,
            explanation=s.explanation,
            sla_due=s.due,
            trigger=trigger,
            decided_at=now,
            decided_by=by,
            notifications=[{"to": str(w), "why": why} for w, why in decision.notify],
        )
        rows.append(row)
        results.append(
            Routed(
                decision=row,
                person=p,
                account=accounts.get(account_id_of(p)),
                convert_to_contact=decision.convert_to_contact,
            )
        )
        notices += _notices(s, by=by, users=batch.users)
    if changes:
        history.write(changes)
    ended = [s.person.pk for s in stamped if s.decision.end_sequences]
    if ended:
        Enrollment.objects.filter(**{f"{kind}_id__in": ended}, state=EnrollmentState.ACTIVE).update(
            state=EnrollmentState.FINISHED, finished_at=now
        )
    RoutingDecision.objects.bulk_create(rows, batch_size=1000)
    batch.notices += notices
    for s, result in zip(stamped, results, strict=True):
        if s.decision.comment_on_account and result.account is not None:
            comment_post(
                record=result.account,
                author=None,
                kind="system",
                topic="routing",
                body=s.decision.comment_on_account,
            )
    return results


def _digest(notices: list[dict], kind: str, *, by) -> list[dict]:
    """One notice per owner for a pass that routed several people to them (a re-score or an
    import): "77 leads were routed to you", linking to the view they are worked in — not 77
    separate notices. A single routed person keeps their own notice; the others are kept."""
    routed: dict[int, list[dict]] = {}
    for notice in notices:
        if notice["reason"] == Notification.Reason.ROUTED:
            routed.setdefault(notice["recipients"][0].pk, []).append(notice)
    out = [n for n in notices if n["reason"] != Notification.Reason.ROUTED]
    for group in routed.values():
        if len(group) == 1:
            out += group
            continue
        owner = group[0]["recipients"][0]
        if kind == "lead":
            codes = lead_view_codes(owner)
            url = reverse("leads:view", args=[codes[0]]) if codes else reverse("leads:list")
        else:
            url = reverse("contacts:list")
        out.append(
            dict(
                recipients=[owner],
                reason=Notification.Reason.ROUTED,
                actor=by,
                url=url,
                label=f"{len(group)} {kind}s",
                message=f"{len(group)} {kind}s were routed to you in one pass; they wait in "
                "your views, oldest SLA deadline first.",
            )
        )
    return out


def _notices(s: _Stamped, *, by, users) -> list[dict]:
    """The routed owner (a person, not a queue) and everyone the decision names (ROUTE-2)."""
    p, decision, owner = s.person, s.decision, s.owner
    out = []
    if decision.routed and owner is not None and not owner.is_queue:
        out.append(
            dict(
                recipients=[owner],
                reason=Notification.Reason.ROUTED,
                record=p,
                actor=by,
                message=f"Routed to you: {s.explanation[-1]} ({decision.rule})"[:500],
            )
        )
    for who, why in decision.notify:
        target = users.get(who.id) or users.get(who.username)
        if target is not None and target != owner:
            out.append(
                dict(
                    recipients=[target],
                    reason=Notification.Reason.INFO,
                    record=p,
                    actor=by,
                    message=why,
                )
            )
    return out
